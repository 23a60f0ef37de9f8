"""The only code that touches TinyDB: plain dataclasses in, plain dataclasses out.

Everything that grows with the number of learners is partitioned: each learner
has a small database file of their own (account, sessions, progress, attempts,
replies, certificates), and eligibility records live in 256 buckets keyed by a
hash of the email address. A write therefore rewrites one small file, whatever
the size of the platform. Lookups that cross learners (email, session,
certificate id, the review queue) are answered from indexes built in memory
when the store opens and kept current on every write. So is every eligibility
record: the manager's console pages through them, and each learner's summary
and dashboard look theirs up. The learners used lately are kept decoded (see
learners.py).

TinyDB is not safe with two writers, so the store takes an exclusive lock on
its folder and the server runs as one process; within it, one lock per file
serialises the worker threads.

A damaged file (one that is not JSON, is empty, or is a folder) raises
DataError naming it, when the store opens or when it is next read; the store
never repairs anything itself.
"""

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB
from tinydb.queries import QueryLike
from tinydb.table import Table

from academy.domain.certificate import Certificate
from academy.domain.errors import Conflict
from academy.domain.records import (
    OPEN_COHORT_ID,
    ApiToken,
    Attempt,
    AuditEntry,
    Cohort,
    Eligibility,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
    User,
)
from academy.store import journal
from academy.store.codec import from_doc, to_doc
from academy.store.errors import DataError, damaged, unreadable
from academy.store.learners import KeptLearner, RecentLearners, decode
from academy.store.learners import LearnerData as LearnerData  # part of this API
from academy.store.lock import DataFolderLock
from academy.store.storage import (
    TMP,
    DurableJSONStorage,
    MemoryFiles,
    MemoryStorage,
    StagedStorage,
    Tables,
    WriteThroughStorage,
    atomic_write,
    encode,
    fsync_dir,
    rows,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Called by Store.open with each learner and their eligibility record, if any.
LearnerVisitor = Callable[["LearnerData", Eligibility | None], None]
LEARNERS = "learners"
ELIGIBILITY = "eligibility"
COHORTS = "cohorts"
RECENT_LEARNERS = 1000  # learners kept decoded in memory (see Store.learner)


# Learner ids become file names: an id from a form ("../x", a NUL) that is not
# a plain name is nobody's and must never reach the file system.
LEARNER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def email_key(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().casefold()


@dataclass(frozen=True)
class PendingReply:
    user_id: str
    key: str
    submitted_at: datetime


def _upsert(table: Table, doc: dict[str, Any], cond: QueryLike) -> None:
    """Update or insert with exactly one write.

    TinyDB's own upsert first writes an unchanged table and then inserts, so a
    crash between the two could leave a file holding an empty table.
    """
    if table.contains(cond):
        table.update(doc, cond)
    else:
        table.insert(doc)


def _audit_line(doc: dict[str, Any]) -> str:
    """One JSON line, readable as it stands unless only escapes can carry it.

    A lone surrogate (which a JSON request may hold as \\ud800) cannot be
    written as UTF-8; escaped, it reads back as it was sent.
    """
    line = json.dumps(doc, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(doc)
    return line + "\n"


def _by_email(records: dict[str, Eligibility]) -> list[Eligibility]:
    return sorted(records.values(), key=lambda e: e.email)


class Store:
    """Durable storage in a folder, or in memory when `folder` is None."""

    def __init__(self, folder: Path | None) -> None:
        # Absolute, so temporary files and the journal name the same paths
        # whatever the working folder ("var" is the default data folder).
        self.folder = folder.absolute() if folder is not None else None
        self._memory = MemoryFiles() if folder is None else None
        self._folder_lock = (
            DataFolderLock(self.folder) if self.folder is not None else None
        )
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._index_lock = threading.RLock()
        self._emails: dict[str, str] = {}
        # Accounts are read on every request; they are small, so all are kept.
        self._users: dict[str, User] = {}
        # The modules each learner completed: a module page needs only this.
        self._completed: dict[str, frozenset[str]] = {}
        self._cohorts: list[Cohort] | None = None
        self._sessions: dict[str, tuple[str, datetime]] = {}
        self._certificates: dict[str, str] = {}
        self._pending: dict[tuple[str, str], datetime] = {}
        self._audit: list[AuditEntry] = []
        # Every eligibility record by email key, read at open and kept current
        # by save_eligibility; None after a failed save, until read again.
        self._eligibility: dict[str, Eligibility] | None = None
        self._eligibility_sorted: list[Eligibility] | None = None
        self._eligibility_saves = 0  # so a read overtaken by a save is not kept
        # Learners read or written lately (see learner()).
        self._recent = RecentLearners(RECENT_LEARNERS)
        self._blobs: dict[str, bytes] = {}
        # A multi-file save failed after its commit point (see _settle).
        self._unsettled = False
        self._audit_torn = False  # the audit log ends in a torn line

    # -- lifecycle -------------------------------------------------------

    def open(self, each_learner: LearnerVisitor | None = None) -> "Store":
        """Lock the folder, finish an interrupted save, then read and index it all.

        Every data file is read once here, so damage is reported at start-up
        rather than on some later page. `each_learner`, if given, is called
        with every learner (managers too) and their eligibility record as they
        are read, after the cohorts and eligibility are loaded, so indexes
        kept above the store are built without reading the files again.

        Raises DataFolderLocked while another process holds the folder, and
        DataError for a folder that cannot be used or the first damaged file
        found; the lock is released again then.
        """
        if self._folder_lock is not None:
            self._folder_lock.acquire()
        try:
            self._recover()
            self.cohorts()
            self.tokens()
            known = self._eligibility = self._read_eligibility()
            self._audit = self._read_audit()
            for user_id in self.user_ids():
                self._load_learner(user_id, known, each_learner)
            self._check_cohorts()
        except BaseException:
            self.close()
            raise
        logger.info("store opened: %d accounts", len(self._emails))
        return self

    def close(self) -> None:
        if self._folder_lock is not None:
            self._folder_lock.release()

    def _recover(self) -> None:
        """Finish a save a crash interrupted, and drop temporary files it left."""
        if self.folder is None:
            return
        journal.recover(self.folder)
        for sub in (LEARNERS, ELIGIBILITY):
            folder = self.folder / sub
            leftovers = list(folder.glob(f".*{TMP}")) if folder.is_dir() else []
            for path in leftovers:
                path.unlink(missing_ok=True)
            if leftovers:
                logger.warning(
                    "removed %d temporary files left in %s", len(leftovers), folder
                )

    def _load_learner(
        self,
        user_id: str,
        known: dict[str, Eligibility],
        each_learner: LearnerVisitor | None,
    ) -> None:
        name = f"{LEARNERS}/{user_id}"
        raw = self._raw(name)
        kept = self._decoded(name, lambda: decode(raw))
        if kept is None:
            return
        data = kept.data
        self._decoded(name, lambda: self._index(data, raw))
        if each_learner is not None:
            each_learner(data, known.get(email_key(data.user.email)))

    def _check_cohorts(self) -> None:
        """A lost cohorts.json would silently be recreated empty: refuse instead."""
        if self.folder is None or (self.folder / f"{COHORTS}.json").exists():
            return
        with self._index_lock:
            lost = sorted(
                (u.cohort_id, u.id)
                for u in self._users.values()
                if u.cohort_id != OPEN_COHORT_ID
            )
        if lost:
            cohort, user_id = lost[0]
            raise damaged(
                self.folder / f"{COHORTS}.json",
                f"is missing, but {len(lost)} learners belong to cohorts it held "
                f"(learner {user_id} is in cohort {cohort})",
                "restore it from a backup",
            )

    def _index(self, data: LearnerData, raw: dict[str, Any] | None) -> None:
        uid = data.user.id
        with self._index_lock:
            self._emails[email_key(data.user.email)] = uid
            self._users[uid] = data.user
            self._completed[uid] = frozenset(data.completions)
            for cert in data.certificates:
                self._certificates[cert.id] = uid
            for key, reply in data.replies.items():
                if reply.state is ReplyState.PENDING:
                    self._pending[(uid, key)] = reply.latest.submitted_at
                else:
                    self._pending.pop((uid, key), None)
            for row in rows(raw, "sessions"):
                started = datetime.fromisoformat(row["created_at"])
                self._sessions[row["token_hash"]] = (uid, started)

    # -- files and locks -------------------------------------------------

    def lock(self, name: str) -> threading.RLock:
        """The lock that serialises every change to one file."""
        with self._locks_guard:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = threading.RLock()
            return lock

    def learner_lock(self, user_id: str) -> threading.RLock:
        return self.lock(f"{LEARNERS}/{user_id}")

    @contextmanager
    def _learner_file(self, user_id: str) -> Iterator[TinyDB]:
        """The learner's database, to change under their lock.

        TinyDB reads the kept copy of the file, if there is one; what a
        successful write leaves in the file is kept after it. After a write
        that failed, the file may hold either version: nothing is kept, and
        the next read goes to the file.
        """
        if not LEARNER_ID.match(user_id):
            raise ValueError(f"not a learner id: {user_id[:40]!r}")
        name = f"{LEARNERS}/{user_id}"
        with self.learner_lock(user_id):
            before = self._recent.get(user_id)
            storage = WriteThroughStorage(
                self._storage(name),
                before.tables if before else None,
                before.encoded if before else None,
            )
            db = TinyDB(storage=lambda: storage)
            try:
                yield db
            except BaseException:
                if storage.written or storage.failed:
                    self._recent.written(user_id, None)
                raise
            finally:
                db.close()
            if storage.written:
                self._recent.written(
                    user_id, self._decode_written(name, storage, before)
                )

    def _decode_written(
        self, name: str, storage: WriteThroughStorage, before: KeptLearner | None
    ) -> KeptLearner | None:
        """The learner just written, decoded from the tables TinyDB wrote."""
        try:
            return self._decoded(
                name, lambda: decode(storage.tables, before, storage.encoded)
            )
        except DataError:
            # The write is done; the damage is reported when the file is read.
            return None

    def _db(self, name: str) -> TinyDB:
        if self._memory is not None:
            return TinyDB(name, self._memory, storage=MemoryStorage)
        assert self.folder is not None
        return TinyDB(self.folder / f"{name}.json", storage=DurableJSONStorage)

    @contextmanager
    def _open(self, name: str) -> Iterator[TinyDB]:
        db = self._db(name)
        try:
            yield db
        finally:
            db.close()

    def _storage(self, name: str) -> MemoryStorage | DurableJSONStorage:
        if self._memory is not None:
            return MemoryStorage(name, self._memory)
        assert self.folder is not None
        return DurableJSONStorage(self.folder / f"{name}.json")

    def _raw(self, name: str) -> Tables | None:
        return self._storage(name).read()

    def _decoded(self, name: str, build: Callable[[], T]) -> T:
        """`build()`, with a record it cannot decode reported against its file."""
        try:
            return build()
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            where = name if self.folder is None else self.folder / f"{name}.json"
            problem = f"{type(error).__name__}: {error}"
            raise damaged(
                where, f"holds a record the academy cannot read ({problem})"
            ) from None

    def _names(self, prefix: str) -> list[str]:
        if self._memory is not None:
            return [n.removeprefix(prefix) for n in self._memory.names(prefix)]
        assert self.folder is not None
        folder = self.folder / prefix
        try:
            entries = os.scandir(folder)
        except FileNotFoundError:
            return []
        except OSError as error:  # a file where the folder should be, say
            raise unreadable(folder, error) from None
        with entries:
            return sorted(e.name[:-5] for e in entries if e.name.endswith(".json"))

    # -- accounts ----------------------------------------------------------

    def user_ids(self) -> list[str]:
        return self._names(f"{LEARNERS}/")

    def add_user(self, user: User) -> None:
        """Create an account; Conflict if the email is taken."""
        key = email_key(user.email)
        with self._index_lock:
            if key in self._emails:
                raise Conflict("An account with this email address already exists.")
            self._emails[key] = user.id
        try:
            self.save_user(user)
        except BaseException:
            with self._index_lock:
                self._emails.pop(key, None)
            raise

    def save_user(self, user: User) -> None:
        with self._learner_file(user.id) as db:
            _upsert(db.table("user"), to_doc(user), Query().id == user.id)
            with self._index_lock:
                self._users[user.id] = user

    def user(self, user_id: str) -> User | None:
        with self._index_lock:
            return self._users.get(user_id)

    def user_by_email(self, email: str) -> User | None:
        with self._index_lock:
            user_id = self._emails.get(email_key(email))
        return self.user(user_id) if user_id else None

    def learner(self, user_id: str) -> LearnerData | None:
        """Everything about one learner, from a single read of their file.

        Learners read or written lately are kept, so the several reads one
        request makes (grade, summarise, check for a certificate) and the
        requests after it do not read the file again. Each caller gets its
        own lists and dicts; the records in them are frozen.
        """
        if not LEARNER_ID.match(user_id):
            return None
        kept = self._recent.get(user_id)
        if kept is not None:
            return kept.data.copy()
        writes = self._recent.writes(user_id)
        name = f"{LEARNERS}/{user_id}"
        raw = self._raw(name)
        kept = self._decoded(name, lambda: decode(raw))
        if kept is None:
            return None
        self._recent.keep_read(user_id, writes, kept)
        return kept.data.copy()

    def attempts(self, user_id: str) -> list[Attempt]:
        """One learner's attempts, for reports that go through every learner.

        Only the attempts are decoded, and the learner is not kept among the
        recently read, so a report over thousands does not push out the
        learners the site is serving.
        """
        if not LEARNER_ID.match(user_id):
            return []
        kept = self._recent.peek(user_id)
        if kept is not None:
            return list(kept.data.attempts)
        name = f"{LEARNERS}/{user_id}"
        raw = self._raw(name)
        return self._decoded(
            name, lambda: [from_doc(Attempt, r) for r in rows(raw, "attempts")]
        )

    def completed_modules(self, user_id: str) -> frozenset[str]:
        """The slugs of the modules this learner marked complete (from memory)."""
        with self._index_lock:
            return self._completed.get(user_id, frozenset())

    # -- sessions ------------------------------------------------------------

    def add_session(
        self,
        user_id: str,
        token_hash: str,
        at: datetime,
        forget_before: datetime | None = None,
    ) -> None:
        """Open a session; sessions begun before `forget_before` are dropped."""
        with self._learner_file(user_id) as db:
            table = db.table("sessions")
            stale = []
            if forget_before is not None:
                # Sessions nobody signed out of would otherwise pile up for ever.
                stale = [
                    row["token_hash"]
                    for row in table.all()
                    if datetime.fromisoformat(row["created_at"]) < forget_before
                ]
            if stale:
                table.remove(Query().token_hash.one_of(stale))
            table.insert({"token_hash": token_hash, "created_at": at.isoformat()})
        with self._index_lock:
            for old in stale:
                self._sessions.pop(old, None)
            self._sessions[token_hash] = (user_id, at)

    def session_user(
        self, token_hash: str, started_after: datetime | None = None
    ) -> str | None:
        """The session's user, unless it started before `started_after`."""
        with self._index_lock:
            found = self._sessions.get(token_hash)
        if found is None:
            return None
        user_id, started = found
        if started_after is not None and started < started_after:
            return None
        return user_id

    def remove_sessions(self, user_id: str, token_hash: str | None = None) -> None:
        """End one session, or every session of the user when no hash is given."""
        q = Query()
        with self._learner_file(user_id) as db:
            table = db.table("sessions")
            if token_hash is None:
                hashes = [row["token_hash"] for row in table.all()]
                table.truncate()
            else:
                hashes = [token_hash]
                table.remove(q.token_hash == token_hash)
        with self._index_lock:
            for h in hashes:
                self._sessions.pop(h, None)

    # -- learning --------------------------------------------------------------

    def add_completion(self, user_id: str, completion: ModuleCompletion) -> bool:
        """Record a module as complete; False if it already was."""
        q = Query()
        with self._learner_file(user_id) as db:
            table = db.table("completions")
            if table.contains(q.module_slug == completion.module_slug):
                return False
            table.insert(to_doc(completion))
            with self._index_lock:
                done = self._completed.get(user_id, frozenset())
                self._completed[user_id] = done | {completion.module_slug}
            return True

    def remove_completion(self, user_id: str, module_slug: str) -> None:
        with self._learner_file(user_id) as db:
            db.table("completions").remove(Query().module_slug == module_slug)
            with self._index_lock:
                done = self._completed.get(user_id, frozenset())
                self._completed[user_id] = done - {module_slug}

    def add_attempt(self, attempt: Attempt) -> None:
        with self._learner_file(attempt.user_id) as db:
            db.table("attempts").insert(to_doc(attempt))

    def remove_attempt(self, user_id: str, attempt_id: str) -> None:
        with self._learner_file(user_id) as db:
            db.table("attempts").remove(Query().id == attempt_id)

    def save_reply(self, reply: PracticeReply) -> None:
        doc = {**to_doc(reply), "key": reply.key}
        with self._learner_file(reply.user_id) as db:
            _upsert(db.table("replies"), doc, Query().key == reply.key)
        with self._index_lock:
            if reply.state is ReplyState.PENDING:
                self._pending[(reply.user_id, reply.key)] = reply.latest.submitted_at
            else:
                self._pending.pop((reply.user_id, reply.key), None)

    def pending_replies(self) -> list[PendingReply]:
        """Replies waiting for review, oldest first."""
        with self._index_lock:
            items = list(self._pending.items())
        items.sort(key=lambda item: item[1])
        return [PendingReply(uid, key, at) for (uid, key), at in items]

    # -- certificates ------------------------------------------------------------

    def save_certificate(self, cert: Certificate) -> None:
        with self._learner_file(cert.user_id) as db:
            _upsert(db.table("certificates"), to_doc(cert), Query().id == cert.id)
        with self._index_lock:
            self._certificates[cert.id] = cert.user_id

    def certificate(self, cert_id: str) -> Certificate | None:
        with self._index_lock:
            user_id = self._certificates.get(cert_id)
        if user_id is None:
            return None
        data = self.learner(user_id)
        if data is None:
            return None
        return next((c for c in data.certificates if c.id == cert_id), None)

    def certificate_ids(self) -> list[str]:
        with self._index_lock:
            return list(self._certificates)

    def save_blob(self, name: str, data: bytes) -> None:
        """Store a rendered file (a certificate's PDF or preview) durably."""
        if self.folder is None:
            self._blobs[name] = data
            return
        atomic_write(self.folder / "files" / name, data, 0o644)

    def blob(self, name: str) -> bytes | None:
        if self.folder is None:
            return self._blobs.get(name)
        path = self.folder / "files" / name
        return path.read_bytes() if path.is_file() else None

    # -- cohorts and tokens --------------------------------------------------------

    def _all(self, name: str, table: str, cls: type[T]) -> list[T]:
        raw = self._raw(name)
        return self._decoded(name, lambda: [from_doc(cls, r) for r in rows(raw, table)])

    def _put(self, name: str, table: str, doc: dict[str, Any]) -> None:
        with self.lock(name), self._open(name) as db:
            _upsert(db.table(table), doc, Query().id == doc["id"])

    def cohorts(self) -> list[Cohort]:
        """Every cohort; read on every page, so kept in memory after the first read."""
        with self.lock(COHORTS):
            if self._cohorts is None:
                self._cohorts = self._all(COHORTS, "cohorts", Cohort)
            return list(self._cohorts)

    def save_cohort(self, cohort: Cohort) -> None:
        with self.lock(COHORTS):
            self._put(COHORTS, "cohorts", to_doc(cohort))
            self._cohorts = None

    def tokens(self) -> list[ApiToken]:
        return self._all("tokens", "tokens", ApiToken)

    def save_token(self, token: ApiToken) -> None:
        self._put("tokens", "tokens", to_doc(token))

    # -- eligibility ------------------------------------------------------------------

    @staticmethod
    def _bucket(email: str) -> str:
        digest = hashlib.sha256(email_key(email).encode()).hexdigest()
        return f"{ELIGIBILITY}/{digest[:2]}"

    def eligibility(self, email: str) -> Eligibility | None:
        """The email's record: from memory, unless a failed save left it unknown."""
        key = email_key(email)
        with self._index_lock:
            if self._eligibility is not None:
                return self._eligibility.get(key)
        self._settle()
        name = self._bucket(email)
        found = [r for r in rows(self._raw(name), "records") if r.get("email") == key]
        if not found:
            return None
        return self._decoded(name, lambda: from_doc(Eligibility, found[0]))

    def save_eligibility(self, records: list[Eligibility]) -> None:
        """Write many records: all of them, or, if this raises, none.

        Each bucket touched is rewritten once. A save that touches one bucket
        is one atomic file replace; one that touches several is staged and
        committed through journal.py, so that a crash or an interrupt at any
        moment leaves every bucket as it was or every bucket changed (a
        commit a crash cut short is finished when the store next opens).
        Readers may see a partly applied save only during the final renames.
        """
        buckets: dict[str, list[Eligibility]] = {}
        for record in records:
            buckets.setdefault(self._bucket(record.email), []).append(record)
        with ExitStack() as held:
            # In name order, so two saves that share buckets cannot deadlock.
            for name in sorted(buckets):
                held.enter_context(self.lock(name))
            self._settle()
            changed = {
                name: tables
                for name, group in sorted(buckets.items())
                if (tables := self._staged_records(name, group)) is not None
            }
            try:
                self._commit(changed)
            except BaseException:
                # The files may hold the old records or the new: read them again.
                with self._index_lock:
                    self._eligibility = self._eligibility_sorted = None
                    self._eligibility_saves += 1
                raise
            with self._index_lock:
                self._eligibility_saves += 1
                if self._eligibility is not None:
                    for record in records:
                        key = email_key(record.email)
                        self._eligibility[key] = replace(record, email=key)
                    self._eligibility_sorted = None

    def _staged_records(self, name: str, group: list[Eligibility]) -> Tables | None:
        """The bucket's tables with `group` upserted (None if TinyDB wrote none)."""
        staged = StagedStorage(self._storage(name))
        table = TinyDB(storage=lambda: staged).table("records")
        q = Query()
        for record in group:
            doc = {**to_doc(record), "email": email_key(record.email)}
            _upsert(table, doc, q.email == doc["email"])
        return staged.tables if staged.changed else None

    def _commit(self, changed: dict[str, Tables]) -> None:
        """Replace the named files together (see save_eligibility)."""
        if self._memory is not None:
            self._memory.write_all(changed)
            return
        assert self.folder is not None
        files = {self.folder / f"{name}.json": encode(t) for name, t in changed.items()}
        if not files:
            return
        if len(files) == 1:
            path, data = next(iter(files.items()))
            atomic_write(path, data)
            return
        try:
            journal.replace_together(self.folder, files)
        except BaseException:
            self._unsettled = journal.pending(self.folder)
            raise

    def _settle(self) -> None:
        """Finish a save that failed past its commit point before touching buckets.

        Until then its renames may be half done, and a later write to one of
        its buckets would be overwritten when the journal is finally applied.
        """
        if not self._unsettled:
            return
        with self.lock("journal"):
            if self._unsettled:
                assert self.folder is not None
                journal.recover(self.folder)
                self._unsettled = False

    def all_eligibility(self) -> list[Eligibility]:
        """Every record, by email; from memory, as read at open and saved since."""
        with self._index_lock:
            if self._eligibility is not None:
                if self._eligibility_sorted is None:
                    self._eligibility_sorted = _by_email(self._eligibility)
                return list(self._eligibility_sorted)
            seen = self._eligibility_saves
        # Only after a failed save: read the buckets again.
        self._settle()
        known = self._read_eligibility()
        with self._index_lock:
            if self._eligibility_saves == seen:
                self._eligibility = known
        return _by_email(known)

    def _read_eligibility(self) -> dict[str, Eligibility]:
        """Every record in the buckets, by email key."""
        known: dict[str, Eligibility] = {}
        for name in self._names(f"{ELIGIBILITY}/"):
            for record in self._all(f"{ELIGIBILITY}/{name}", "records", Eligibility):
                known[email_key(record.email)] = record
        return known

    # -- audit ---------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit log; durable when this returns."""
        line = _audit_line(to_doc(entry))
        with self.lock("audit"):
            if self.folder is not None:
                path = self.folder / "audit.jsonl"
                new = not path.exists()
                # After a torn last line, the next entry starts a line of its
                # own; joined to the torn one, both would be unreadable.
                start = "\n" if self._audit_torn else ""
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(start + line)
                    handle.flush()
                    os.fsync(handle.fileno())
                self._audit_torn = False
                if new:
                    fsync_dir(self.folder)
            self._audit.append(entry)

    def audit(self) -> list[AuditEntry]:
        with self.lock("audit"):
            return list(self._audit)

    def _read_audit(self) -> list[AuditEntry]:
        if self.folder is None:
            return list(self._audit)
        path = self.folder / "audit.jsonl"
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as error:
            raise unreadable(path, error) from None
        self._audit_torn = bool(text) and not text.endswith("\n")
        entries = []
        # Split on "\n" alone: entries are written with ensure_ascii=False, so a
        # reason may hold U+2028, U+2029 or U+0085, which splitlines() breaks on.
        for number, line in enumerate(text.split("\n"), 1):
            if not line:
                continue
            try:
                entries.append(from_doc(AuditEntry, json.loads(line)))
            except (ValueError, TypeError, KeyError):
                # A crash mid-append tears the last line; any other unreadable
                # line means the file was edited or damaged by hand.
                logger.warning("skipping unreadable audit line %d", number)
        return entries

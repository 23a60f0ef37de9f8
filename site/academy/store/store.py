"""The only code that touches TinyDB: plain dataclasses in, plain dataclasses out.

Everything that grows with the number of learners is partitioned: each learner
has a small database file of their own (account, sessions, progress, attempts,
replies, certificates), and eligibility records live in buckets of their own
(see eligibility.py). A write therefore rewrites one small file, whatever the
size of the platform. Lookups that cross learners (email, session, certificate
id, the review queue) are answered from indexes built in memory when the store
opens and kept current on every write. The learners used lately are kept
decoded (see learners.py), sessions are indexed by their token (sessions.py),
and the audit log is a file of its own (audit.py).

TinyDB is not safe with two writers, so the store takes an exclusive lock on
its folder and the server runs as one process; within it, one lock per file
serialises the worker threads.

A damaged file (one that is not JSON, is empty, or is a folder) raises
DataError naming it, when the store opens or when it is next read; the store
never repairs anything itself.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

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
from academy.store.audit import AuditLog
from academy.store.codec import from_doc, to_doc
from academy.store.eligibility import ELIGIBILITY, EligibilityBuckets
from academy.store.errors import DataError, damaged
from academy.store.files import Files
from academy.store.keys import LEARNER_ID
from academy.store.keys import email_key as email_key  # part of this API
from academy.store.learners import KeptLearner, RecentLearners, decode
from academy.store.learners import LearnerData as LearnerData  # part of this API
from academy.store.lock import DataFolderLock
from academy.store.sessions import Sessions
from academy.store.storage import (
    TMP,
    WriteThroughStorage,
    rows,
)
from academy.store.upsert import upsert

logger = logging.getLogger(__name__)
# Called by Store.open with each learner and their eligibility record, if any.
LearnerVisitor = Callable[["LearnerData", Eligibility | None], None]
LEARNERS = "learners"
COHORTS = "cohorts"
RECENT_LEARNERS = 1000  # learners kept decoded in memory (see Store.learner)


@dataclass(frozen=True)
class PendingReply:
    user_id: str
    key: str
    submitted_at: datetime


class Store(Files):
    """Durable storage in a folder, or in memory when `folder` is None."""

    def __init__(self, folder: Path | None) -> None:
        super().__init__(folder)
        self._folder_lock = (
            DataFolderLock(self.folder) if self.folder is not None else None
        )
        self._index_lock = threading.RLock()
        self._emails: dict[str, str] = {}
        # Accounts are read on every request; they are small, so all are kept.
        self._users: dict[str, User] = {}
        # The modules each learner completed: a module page needs only this.
        self._completed: dict[str, frozenset[str]] = {}
        self._cohorts: list[Cohort] | None = None
        self._sessions = Sessions(self._learner_file, self._index_lock)
        self._certificates: dict[str, str] = {}
        self._pending: dict[tuple[str, str], datetime] = {}
        self._audit = AuditLog(self.folder, self.lock("audit"))
        self._eligibility = EligibilityBuckets(
            self, self.folder, self._memory, self._index_lock
        )
        # Learners read or written lately (see learner()).
        self._recent = RecentLearners(RECENT_LEARNERS)

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
            known = self._eligibility.load()
            self._audit.load()
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
            self._sessions.index(uid, raw)

    # -- learner files -------------------------------------------------

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
            upsert(db.table("user"), to_doc(user), Query().id == user.id)
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
        self._sessions.add(user_id, token_hash, at, forget_before)

    def session_user(
        self, token_hash: str, started_after: datetime | None = None
    ) -> str | None:
        """The session's user, unless it started before `started_after`."""
        return self._sessions.user(token_hash, started_after)

    def remove_sessions(self, user_id: str, token_hash: str | None = None) -> None:
        """End one session, or every session of the user when no hash is given."""
        self._sessions.remove(user_id, token_hash)

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
            upsert(db.table("replies"), doc, Query().key == reply.key)
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
            upsert(db.table("certificates"), to_doc(cert), Query().id == cert.id)
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

    # -- cohorts and tokens --------------------------------------------------------

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

    def eligibility(self, email: str) -> Eligibility | None:
        """The email's record: from memory, unless a failed save left it unknown."""
        return self._eligibility.get(email)

    def save_eligibility(self, records: list[Eligibility]) -> None:
        """Write many records: all of them, or, if this raises, none.

        Each bucket touched is rewritten once. A save that touches one bucket
        is one atomic file replace; one that touches several is staged and
        committed through journal.py, so that a crash or an interrupt at any
        moment leaves every bucket as it was or every bucket changed (a
        commit a crash cut short is finished when the store next opens).
        Readers may see a partly applied save only during the final renames.
        """
        self._eligibility.save(records)

    def all_eligibility(self) -> list[Eligibility]:
        """Every record, by email; from memory, as read at open and saved since."""
        return self._eligibility.all()

    # -- audit ---------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit log; durable when this returns."""
        self._audit.append(entry)

    def audit(self) -> list[AuditEntry]:
        return self._audit.entries()

"""The only code that touches TinyDB: plain dataclasses in, plain dataclasses out.

Everything that grows with the number of learners is partitioned: each learner
has a small database file of their own (account, sessions, progress, attempts,
replies, certificates), and eligibility records live in 256 buckets keyed by a
hash of the email address. A write therefore rewrites one small file, whatever
the size of the platform. Lookups that cross learners (email, session,
certificate id, the review queue) are answered from indexes built in memory
when the store opens and kept current on every write.

TinyDB is not safe with two writers, so the store takes an exclusive lock on
its folder and the server runs as one process; within it, one lock per file
serialises the worker threads.
"""

import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.queries import QueryLike
from tinydb.table import Table

from academy.domain.certificate import Certificate
from academy.domain.errors import Conflict
from academy.domain.records import (
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
from academy.store.codec import from_doc, to_doc
from academy.store.lock import DataFolderLock
from academy.store.storage import (
    DurableJSONStorage,
    MemoryFiles,
    MemoryStorage,
    atomic_write,
    fsync_dir,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
LEARNERS = "learners"
RECENT_LEARNERS = 1000  # learners kept parsed in memory (see Store.learner)


# Learner ids become file names: an id from a form ("../x", a NUL) that is not
# a plain name is nobody's and must never reach the file system.
LEARNER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def email_key(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    return email.strip().casefold()


@dataclass
class LearnerData:
    """Everything stored about one learner, read in one go."""

    user: User
    completions: dict[str, ModuleCompletion] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    replies: dict[str, PracticeReply] = field(default_factory=dict)
    certificates: list[Certificate] = field(default_factory=list)


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


def _rows(raw: dict[str, Any] | None, table: str) -> list[dict[str, Any]]:
    docs = (raw or {}).get(table, {})
    return [docs[k] for k in sorted(docs, key=int)]


def _copy(data: LearnerData) -> LearnerData:
    return LearnerData(
        user=data.user,
        completions=dict(data.completions),
        attempts=list(data.attempts),
        replies=dict(data.replies),
        certificates=list(data.certificates),
    )


def _learner_data(raw: dict[str, Any] | None) -> LearnerData | None:
    users = _rows(raw, "user")
    if not users:
        return None
    replies = [from_doc(PracticeReply, r) for r in _rows(raw, "replies")]
    completions = [from_doc(ModuleCompletion, r) for r in _rows(raw, "completions")]
    return LearnerData(
        user=from_doc(User, users[0]),
        completions={c.module_slug: c for c in completions},
        attempts=[from_doc(Attempt, r) for r in _rows(raw, "attempts")],
        replies={r.key: r for r in replies},
        certificates=[from_doc(Certificate, r) for r in _rows(raw, "certificates")],
    )


class Store:
    """Durable storage in a folder, or in memory when `folder` is None."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory = MemoryFiles() if folder is None else None
        self._folder_lock = DataFolderLock(folder) if folder is not None else None
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
        # Learners read lately (see learner()), and a count of writes to each
        # learner's file, so that a read overtaken by a write is not kept.
        self._recent: OrderedDict[str, LearnerData] = OrderedDict()
        self._changes: dict[str, int] = {}
        self._blobs: dict[str, bytes] = {}

    # -- lifecycle -------------------------------------------------------

    def open(self) -> "Store":
        """Lock the folder and build the in-memory indexes."""
        if self._folder_lock is not None:
            self._folder_lock.acquire()
        for user_id in self.user_ids():
            raw = self._raw(f"{LEARNERS}/{user_id}")
            data = _learner_data(raw)
            if data is not None:
                self._index(data, raw)
        self._audit = self._read_audit()
        logger.info("store opened: %d accounts", len(self._emails))
        return self

    def close(self) -> None:
        if self._folder_lock is not None:
            self._folder_lock.release()

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
            for row in _rows(raw, "sessions"):
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
        """The learner's database, to change under their lock; forgets the copy."""
        if not LEARNER_ID.match(user_id):
            raise ValueError(f"not a learner id: {user_id[:40]!r}")
        with self.learner_lock(user_id), self._open(f"{LEARNERS}/{user_id}") as db:
            try:
                yield db
            finally:
                # After the write: a read that began before it cannot be kept.
                with self._index_lock:
                    self._changes[user_id] = self._changes.get(user_id, 0) + 1
                    self._recent.pop(user_id, None)

    def _db(self, name: str, batch: bool = False) -> TinyDB:
        if self._memory is not None:
            return TinyDB(name, self._memory, storage=MemoryStorage)
        assert self.folder is not None
        path = self.folder / f"{name}.json"
        if batch:
            middleware = CachingMiddleware(DurableJSONStorage)  # type: ignore[no-untyped-call]
            middleware.WRITE_CACHE_SIZE = 1_000_000
            return TinyDB(path, storage=middleware)
        return TinyDB(path, storage=DurableJSONStorage)

    @contextmanager
    def _open(self, name: str, batch: bool = False) -> Iterator[TinyDB]:
        db = self._db(name, batch)
        try:
            yield db
        finally:
            db.close()

    def _raw(self, name: str) -> dict[str, Any] | None:
        if self._memory is not None:
            return MemoryStorage(name, self._memory).read()
        assert self.folder is not None
        return DurableJSONStorage(self.folder / f"{name}.json").read()

    def _names(self, prefix: str) -> list[str]:
        if self._memory is not None:
            return [n.removeprefix(prefix) for n in self._memory.names(prefix)]
        assert self.folder is not None
        folder = self.folder / prefix
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json"))

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

        Recently read learners are kept until their file next changes, so the
        several reads one request makes (grade, summarise, check for a
        certificate) parse the file once. Each caller gets its own lists and
        dicts; the records in them are frozen.
        """
        if not LEARNER_ID.match(user_id):
            return None
        with self._index_lock:
            kept = self._recent.get(user_id)
            if kept is not None:
                self._recent.move_to_end(user_id)
                return _copy(kept)
            seen = self._changes.get(user_id, 0)
        data = _learner_data(self._raw(f"{LEARNERS}/{user_id}"))
        if data is None:
            return None
        with self._index_lock:
            # Keep it only if no write happened while the file was being read.
            if self._changes.get(user_id, 0) == seen:
                self._recent[user_id] = data
                if len(self._recent) > RECENT_LEARNERS:
                    self._recent.popitem(last=False)
        return _copy(data)

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
        return [from_doc(cls, row) for row in _rows(self._raw(name), table)]

    def _put(self, name: str, table: str, doc: dict[str, Any]) -> None:
        with self.lock(name), self._open(name) as db:
            _upsert(db.table(table), doc, Query().id == doc["id"])

    def cohorts(self) -> list[Cohort]:
        """Every cohort; read on every page, so kept in memory after the first read."""
        with self.lock("cohorts"):
            if self._cohorts is None:
                self._cohorts = self._all("cohorts", "cohorts", Cohort)
            return list(self._cohorts)

    def save_cohort(self, cohort: Cohort) -> None:
        with self.lock("cohorts"):
            self._put("cohorts", "cohorts", to_doc(cohort))
            self._cohorts = None

    def tokens(self) -> list[ApiToken]:
        return self._all("tokens", "tokens", ApiToken)

    def save_token(self, token: ApiToken) -> None:
        self._put("tokens", "tokens", to_doc(token))

    # -- eligibility ------------------------------------------------------------------

    @staticmethod
    def _bucket(email: str) -> str:
        digest = hashlib.sha256(email_key(email).encode()).hexdigest()
        return f"eligibility/{digest[:2]}"

    def eligibility(self, email: str) -> Eligibility | None:
        key = email_key(email)
        for row in _rows(self._raw(self._bucket(email)), "records"):
            if row["email"] == key:
                return from_doc(Eligibility, row)
        return None

    def save_eligibility(self, records: list[Eligibility]) -> None:
        """Write many records with one durable write per bucket touched."""
        buckets: dict[str, list[Eligibility]] = {}
        for record in records:
            buckets.setdefault(self._bucket(record.email), []).append(record)
        q = Query()
        for name, group in sorted(buckets.items()):
            with self.lock(name), self._open(name, batch=True) as db:
                table = db.table("records")
                for record in group:
                    doc = {**to_doc(record), "email": email_key(record.email)}
                    _upsert(table, doc, q.email == doc["email"])

    def all_eligibility(self) -> list[Eligibility]:
        result = []
        for name in self._names("eligibility/"):
            result.extend(self._all(f"eligibility/{name}", "records", Eligibility))
        return sorted(result, key=lambda e: e.email)

    # -- audit ---------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        """Append one entry to the audit log; durable when this returns."""
        line = json.dumps(to_doc(entry), ensure_ascii=False) + "\n"
        with self.lock("audit"):
            if self.folder is not None:
                path = self.folder / "audit.jsonl"
                new = not path.exists()
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
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
        if not path.exists():
            return []
        entries = []
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            try:
                entries.append(from_doc(AuditEntry, json.loads(line)))
            except (ValueError, TypeError, KeyError):
                # Only a crash mid-append leaves a broken line, and only the last.
                logger.warning("skipping unreadable audit line %d", number)
        return entries

"""Sign-in sessions: kept in each learner's file, looked up from memory.

Every request names its session by the hash of its token, and the file it
lives in is not known until the session is found; so every session is indexed
by that hash when the store opens and the index is kept current by each
change, which is made to the learner's file under the learner's lock.
"""

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from tinydb import Query, TinyDB

from academy.store.storage import rows

# Opens one learner's file to change under their lock (Store._learner_file).
LearnerFile = Callable[[str], AbstractContextManager[TinyDB]]


class Sessions:
    """Every session by token hash: the learner it is for and when it began."""

    def __init__(self, learner_file: LearnerFile, index_lock: threading.RLock) -> None:
        self._learner_file = learner_file
        self._index_lock = index_lock
        self._started: dict[str, tuple[str, datetime]] = {}

    def index(self, user_id: str, raw: dict[str, Any] | None) -> None:
        """Index the sessions in a learner's file as it stands."""
        with self._index_lock:
            for row in rows(raw, "sessions"):
                started = datetime.fromisoformat(row["created_at"])
                self._started[row["token_hash"]] = (user_id, started)

    def add(
        self,
        user_id: str,
        token_hash: str,
        at: datetime,
        forget_before: datetime | None,
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
                self._started.pop(old, None)
            self._started[token_hash] = (user_id, at)

    def user(self, token_hash: str, started_after: datetime | None) -> str | None:
        """The session's user, unless it started before `started_after`."""
        with self._index_lock:
            found = self._started.get(token_hash)
        if found is None:
            return None
        user_id, started = found
        if started_after is not None and started < started_after:
            return None
        return user_id

    def remove(self, user_id: str, token_hash: str | None) -> None:
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
                self._started.pop(h, None)

"""One learner's records, decoded from their file, and the learners kept in memory.

Pages and quiz submissions read the same few learners over and over, so the
store keeps the last RECENT_LEARNERS of them: the tables of their file and the
records decoded from it, and after a write the bytes of each document. A
write keeps what it wrote, so neither the next read nor TinyDB's read before
the next write opens the file again, and the next write encodes only what it
changes. That costs about two and a half times the memory of the records
alone: some 63 KB instead of 26 KB for a learner with 14 attempts, so 63 MB
for a thousand.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from academy.domain.certificate import Certificate
from academy.domain.records import Attempt, ModuleCompletion, PracticeReply, User
from academy.store.codec import from_doc
from academy.store.storage import Encoded, Tables

# The tables of a learner's file that become records (sessions are indexed only).
RECORDS: dict[str, type] = {
    "user": User,
    "completions": ModuleCompletion,
    "attempts": Attempt,
    "replies": PracticeReply,
    "certificates": Certificate,
}


@dataclass
class LearnerData:
    """Everything stored about one learner, read in one go."""

    user: User
    completions: dict[str, ModuleCompletion] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    replies: dict[str, PracticeReply] = field(default_factory=dict)
    certificates: list[Certificate] = field(default_factory=list)

    def copy(self) -> "LearnerData":
        """Its own lists and dicts, for a caller to change; the records are frozen."""
        return LearnerData(
            user=self.user,
            completions=dict(self.completions),
            attempts=list(self.attempts),
            replies=dict(self.replies),
            certificates=list(self.certificates),
        )


@dataclass(frozen=True)
class KeptLearner:
    """A learner's file as last read or written, and the records decoded from it.

    `tables` is never handed to TinyDB or to a caller, only copies of it, so it
    stays what the file holds. `records` maps each table's document ids to
    their records, so that a write decodes only the documents it changed;
    `encoded` does the same for their bytes (empty until the first write).
    """

    tables: Tables
    records: dict[str, dict[str, Any]]
    data: LearnerData
    encoded: Encoded = field(default_factory=dict)


def decode(
    tables: Tables | None,
    before: KeptLearner | None = None,
    encoded: Encoded | None = None,
) -> KeptLearner | None:
    """The learner in `tables` (whose documents' bytes are `encoded`, if known),
    or None if they hold no account.

    A document equal to the one `before` was decoded from gets the record
    decoded then: equal documents decode to equal records.
    """
    tables = tables or {}
    records: dict[str, dict[str, Any]] = {}
    for name, cls in RECORDS.items():
        docs = tables.get(name, {})
        old_docs = before.tables.get(name, {}) if before else {}
        old = before.records[name] if before else {}
        records[name] = {
            key: old[key]
            if key in old and old_docs[key] == docs[key]
            else from_doc(cls, docs[key])
            for key in sorted(docs, key=int)
        }
    if not records["user"]:
        return None
    data = LearnerData(
        user=next(iter(records["user"].values())),
        completions={c.module_slug: c for c in records["completions"].values()},
        attempts=list(records["attempts"].values()),
        replies={r.key: r for r in records["replies"].values()},
        certificates=list(records["certificates"].values()),
    )
    return KeptLearner(tables, records, data, encoded or {})


class RecentLearners:
    """The learners read or written lately, least recently used dropped first.

    Each learner's writes are counted, so that a read the file gave before a
    write finished is not kept over what the write kept.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, KeptLearner] = OrderedDict()
        self._writes: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> KeptLearner | None:
        """The kept learner, now the most recently used; None if not kept."""
        with self._lock:
            kept = self._kept.get(user_id)
            if kept is not None:
                self._kept.move_to_end(user_id)
            return kept

    def peek(self, user_id: str) -> KeptLearner | None:
        """The kept learner, without counting this as a use."""
        with self._lock:
            return self._kept.get(user_id)

    def writes(self, user_id: str) -> int:
        """How many writes to the learner's file have finished, to pass to keep_read."""
        with self._lock:
            return self._writes.get(user_id, 0)

    def keep_read(self, user_id: str, writes: int, kept: KeptLearner) -> None:
        """Keep what a read found, unless a write finished since `writes` was taken."""
        with self._lock:
            if self._writes.get(user_id, 0) == writes:
                self._keep(user_id, kept)

    def written(self, user_id: str, kept: KeptLearner | None) -> None:
        """After a write: keep what the file now holds, or forget it if unknown."""
        with self._lock:
            self._writes[user_id] = self._writes.get(user_id, 0) + 1
            if kept is None:
                self._kept.pop(user_id, None)
            else:
                self._keep(user_id, kept)

    def clear(self) -> None:
        """Forget every learner: the next reads go to the files."""
        with self._lock:
            self._kept.clear()

    def _keep(self, user_id: str, kept: KeptLearner) -> None:
        self._kept[user_id] = kept
        self._kept.move_to_end(user_id)
        if len(self._kept) > self.limit:
            self._kept.popitem(last=False)

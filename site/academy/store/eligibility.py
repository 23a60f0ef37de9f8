"""Eligibility records, in 256 bucket files keyed by a hash of the email address.

Records arrive by the thousand from the course platform, so they are spread
over buckets: a save rewrites only the buckets it touches, whatever the number
of records. An import must land whole or not at all, so a save of several
buckets is staged and committed through journal.py. Every record is also kept
in memory from the moment the store opens, and kept current by each save: the
manager's console pages through all of them, and each learner's summary and
dashboard look theirs up.
"""

import hashlib
import threading
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from tinydb import Query, TinyDB

from academy.domain.records import Eligibility
from academy.store import journal
from academy.store.codec import from_doc, to_doc
from academy.store.files import Files
from academy.store.keys import email_key
from academy.store.storage import (
    MemoryFiles,
    StagedStorage,
    Tables,
    atomic_write,
    encode,
    rows,
)
from academy.store.upsert import upsert

ELIGIBILITY = "eligibility"


def bucket(email: str) -> str:
    """The name of the file that holds the email's record."""
    digest = hashlib.sha256(email_key(email).encode()).hexdigest()
    return f"{ELIGIBILITY}/{digest[:2]}"


def _by_email(records: dict[str, Eligibility]) -> list[Eligibility]:
    return sorted(records.values(), key=lambda e: e.email)


class EligibilityBuckets:
    """The buckets of one store, and every record in them kept in memory.

    `index_lock` is the store's lock over its in-memory indexes, which guards
    the records kept here too.
    """

    def __init__(
        self,
        files: Files,
        folder: Path | None,
        memory: MemoryFiles | None,
        index_lock: threading.RLock,
    ) -> None:
        self._files = files
        self._folder = folder
        self._memory = memory
        self._index_lock = index_lock
        # Every record by email key, read at open and kept current by save;
        # None after a failed save, until read again.
        self._records: dict[str, Eligibility] | None = None
        self._sorted: list[Eligibility] | None = None
        self._saves = 0  # so a read overtaken by a save is not kept
        # A multi-file save failed after its commit point (see _settle).
        self._unsettled = False

    def load(self) -> dict[str, Eligibility]:
        """Read every bucket and keep the records; returns them by email key."""
        known = self._records = self._read()
        return known

    def get(self, email: str) -> Eligibility | None:
        """The email's record: from memory, unless a failed save left it unknown."""
        key = email_key(email)
        with self._index_lock:
            if self._records is not None:
                return self._records.get(key)
        self._settle()
        name = bucket(email)
        raw = self._files._raw(name)
        found = [r for r in rows(raw, "records") if r.get("email") == key]
        if not found:
            return None
        return self._files._decoded(name, lambda: from_doc(Eligibility, found[0]))

    def save(self, records: list[Eligibility]) -> None:
        """Write many records: all of them, or, if this raises, none."""
        buckets: dict[str, list[Eligibility]] = {}
        for record in records:
            buckets.setdefault(bucket(record.email), []).append(record)
        with ExitStack() as held:
            # In name order, so two saves that share buckets cannot deadlock.
            for name in sorted(buckets):
                held.enter_context(self._files.lock(name))
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
                    self._records = self._sorted = None
                    self._saves += 1
                raise
            self._saved(records)

    def _saved(self, records: list[Eligibility]) -> None:
        """Bring the records kept in memory up to date with a finished save."""
        with self._index_lock:
            self._saves += 1
            if self._records is not None:
                for record in records:
                    key = email_key(record.email)
                    self._records[key] = replace(record, email=key)
                self._sorted = None

    def _staged_records(self, name: str, group: list[Eligibility]) -> Tables | None:
        """The bucket's tables with `group` upserted (None if TinyDB wrote none)."""
        staged = StagedStorage(self._files._storage(name))
        table = TinyDB(storage=lambda: staged).table("records")
        q = Query()
        for record in group:
            doc = {**to_doc(record), "email": email_key(record.email)}
            upsert(table, doc, q.email == doc["email"])
        return staged.tables if staged.changed else None

    def _commit(self, changed: dict[str, Tables]) -> None:
        """Replace the named files together (see Store.save_eligibility)."""
        if self._memory is not None:
            self._memory.write_all(changed)
            return
        assert self._folder is not None
        folder = self._folder
        files = {folder / f"{name}.json": encode(t) for name, t in changed.items()}
        if not files:
            return
        if len(files) == 1:
            path, data = next(iter(files.items()))
            atomic_write(path, data)
            return
        try:
            journal.replace_together(folder, files)
        except BaseException:
            self._unsettled = journal.pending(folder)
            raise

    def _settle(self) -> None:
        """Finish a save that failed past its commit point before touching buckets.

        Until then its renames may be half done, and a later write to one of
        its buckets would be overwritten when the journal is finally applied.
        """
        if not self._unsettled:
            return
        with self._files.lock("journal"):
            if self._unsettled:
                assert self._folder is not None
                journal.recover(self._folder)
                self._unsettled = False

    def all(self) -> list[Eligibility]:
        """Every record, by email; from memory, as read at open and saved since."""
        with self._index_lock:
            if self._records is not None:
                if self._sorted is None:
                    self._sorted = _by_email(self._records)
                return list(self._sorted)
            seen = self._saves
        # Only after a failed save: read the buckets again.
        self._settle()
        known = self._read()
        with self._index_lock:
            if self._saves == seen:
                self._records = known
        return _by_email(known)

    def _read(self) -> dict[str, Eligibility]:
        """Every record in the buckets, by email key."""
        known: dict[str, Eligibility] = {}
        for name in self._files._names(f"{ELIGIBILITY}/"):
            bucket_name = f"{ELIGIBILITY}/{name}"
            for record in self._files._all(bucket_name, "records", Eligibility):
                known[email_key(record.email)] = record
        return known

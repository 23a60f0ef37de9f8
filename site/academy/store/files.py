"""The store's files: where each one lives, the lock over it, and reading it.

A file is named without its folder or suffix ("learners/u_1", "cohorts"), and
lives in the data folder or, for tests and the demo, in memory; everything
above this class reads and writes both the same way. Every read of a file
goes through `_raw`, so a read can be counted or failed in one place.
Rendered certificates (PDFs, previews) are plain files beside them, in files/.
"""

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tinydb import Query, TinyDB

from academy.store.codec import from_doc
from academy.store.errors import damaged, unreadable
from academy.store.storage import (
    DurableJSONStorage,
    MemoryFiles,
    MemoryStorage,
    Tables,
    atomic_write,
    rows,
)
from academy.store.upsert import upsert

T = TypeVar("T")


class Files:
    """Named files in `folder`, or in memory when `folder` is None."""

    def __init__(self, folder: Path | None) -> None:
        # Absolute, so temporary files and the journal name the same paths
        # whatever the working folder ("var" is the default data folder).
        self.folder = folder.absolute() if folder is not None else None
        self._memory = MemoryFiles() if folder is None else None
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._blobs: dict[str, bytes] = {}

    def lock(self, name: str) -> threading.RLock:
        """The lock that serialises every change to one file."""
        with self._locks_guard:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = threading.RLock()
            return lock

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

    def _all(self, name: str, table: str, cls: type[T]) -> list[T]:
        raw = self._raw(name)
        return self._decoded(name, lambda: [from_doc(cls, r) for r in rows(raw, table)])

    def _put(self, name: str, table: str, doc: dict[str, Any]) -> None:
        with self.lock(name), self._open(name) as db:
            upsert(db.table(table), doc, Query().id == doc["id"])

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

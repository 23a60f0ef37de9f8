"""An exclusive lock on the data folder: one server per folder."""

import fcntl
import os
from pathlib import Path
from typing import IO


class DataFolderLocked(Exception):
    """Another process holds the data folder."""


class DataFolderLock:
    """Held for the life of the process; the OS releases it if the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "academy.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataFolderLocked(
                f"The data folder {self.path.parent} is in use by another Mentor "
                f"Academy process (pid {holder}). Stop it first, or use --data to "
                "choose another folder."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

"""An exclusive lock on the data folder: one server per folder."""

import fcntl
import os
from pathlib import Path
from typing import IO

from academy.store.errors import DataError, folder_is_file


class DataFolderLocked(Exception):
    """Another process holds the data folder."""


class DataFolderLock:
    """Held for the life of the process; the OS releases it if the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "academy.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, creating the folder if need be.

        Raises DataFolderLocked while another process holds it, and DataError
        when the folder is a file or cannot be created or written.
        """
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")  # noqa: SIM115 - held until release()
        except OSError as error:
            raise _unusable(folder, error) from None
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


def _unusable(folder: Path, error: OSError) -> DataError:
    if folder.exists() and not folder.is_dir():
        return folder_is_file(folder)
    if isinstance(error, FileExistsError | NotADirectoryError):
        return DataError(
            f"The data folder {folder} cannot be created: part of its path is a "
            "file, not a folder."
        )
    place = error.filename or folder
    reason = error.strerror or type(error).__name__
    return DataError(
        f"The data folder {folder} cannot be used: {place}: {reason}. Check the "
        "path and its permissions, or use --data to choose another folder."
    )

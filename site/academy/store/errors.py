"""The one error a damaged or unusable data folder becomes."""

from pathlib import Path

RESTORE = "restore it from a backup or move it aside"


class DataError(Exception):
    """A data file or folder the store cannot use.

    The message is one line for an operator: which file, what is wrong with it,
    and what to do. The store never repairs damage itself.
    """


def damaged(path: Path | str, problem: str, advice: str = RESTORE) -> DataError:
    """A DataError saying that `path` `problem`; `advice` ends the sentence."""
    return DataError(f"{path} {problem}; {advice}.")


def unreadable(
    path: Path | str, error: OSError, advice: str = "check it, or " + RESTORE
) -> DataError:
    """A DataError for a file the operating system would not let us read."""
    path = Path(path)
    if isinstance(error, IsADirectoryError):
        return damaged(path, "is a folder where a data file should be")
    if isinstance(error, NotADirectoryError):
        file = next((p for p in (path, *path.parents) if p.is_file()), path)
        if file == path:
            return damaged(path, "is a file where a folder should be", advice)
        return damaged(path, f"cannot be read: {file} is a file, not a folder", advice)
    reason = error.strerror or type(error).__name__
    return damaged(path, f"cannot be read ({reason})", advice)


def folder_is_file(folder: Path) -> DataError:
    """The data folder given is a file."""
    return DataError(f"The data folder {folder} is a file, not a folder.")

"""Replacing several files as one change: after a crash, all of them or none.

A save that changes several files (an eligibility import touching many
buckets) goes in three steps:

1. Stage. Each file's new content goes to a temporary file beside it and is
   fsynced, then the folders are fsynced so the new names last. A failure or
   an interrupt here removes the temporary files: no data file has changed.
2. Commit. A journal naming every (temporary file, target) pair is written
   atomically into the data folder. Once it is on disk the change is decided.
3. Apply. Each temporary file is renamed over its target, the folders are
   fsynced, and the journal is deleted.

A crash during step 3 leaves the journal behind; `recover`, which the store
calls when it opens and before it reads anything, renames the temporary files
that are still there (a pair whose temporary file is gone was renamed already)
and deletes the journal. The files therefore end all old or all new, whatever
moment the process died. While step 3 runs, a reader that looks at several of
the files may see some old and some new; each single file is always whole.
"""

import contextlib
import json
import logging
import os
from pathlib import Path

from academy.store.errors import damaged, unreadable
from academy.store.storage import atomic_write, fsync_dir, write_temp

logger = logging.getLogger(__name__)

JOURNAL = ".commit-journal.json"  # a dot file: backups leave it out

Staged = list[tuple[Path, Path]]  # (temporary file, target)


def replace_together(root: Path, files: dict[Path, bytes], mode: int = 0o600) -> None:
    """Replace every file in `files` (each under `root`): all of them, or none.

    If this raises before the commit point, nothing changed. If it raises
    after (an interrupt, a failing disk), it first tries to finish; what it
    cannot finish, `recover` finishes. The caller holds the locks that keep
    other writers off these files, and the data folder lock that makes this
    process the only one writing under `root`.
    """
    staged = _stage(files, mode)
    journal = root / JOURNAL
    try:
        _write_journal(root, staged)
    except BaseException:
        if journal.exists():
            _finish_despite(root, staged)
        else:
            _discard(staged)
        raise
    try:
        _apply(root, staged)
    except BaseException:
        _finish_despite(root, staged)
        raise


def pending(root: Path) -> bool:
    """Whether a change was committed under `root` and not yet fully applied."""
    return (root / JOURNAL).exists()


def recover(root: Path) -> int:
    """Finish a change that a crash interrupted; how many files it covered (0: none).

    Call it only while no other writer can touch `root`.
    """
    journal = root / JOURNAL
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise unreadable(journal, error) from None
    staged = _parse(root, journal, data)
    _apply(root, staged)
    logger.warning("finished an interrupted change to %d files", len(staged))
    return len(staged)


def _stage(files: dict[Path, bytes], mode: int) -> Staged:
    staged: Staged = []
    try:
        for target, data in files.items():
            staged.append((write_temp(target, data, mode), target))
        for folder in _folders(staged):
            fsync_dir(folder)
    except BaseException:
        _discard(staged)
        raise
    return staged


def _write_journal(root: Path, staged: Staged) -> None:
    pairs = [[str(t.relative_to(root)), str(f.relative_to(root))] for t, f in staged]
    atomic_write(root / JOURNAL, json.dumps({"replace": pairs}).encode())


def _apply(root: Path, staged: Staged) -> None:
    for tmp, target in staged:
        with contextlib.suppress(FileNotFoundError):  # renamed by an earlier try
            os.replace(tmp, target)
    for folder in _folders(staged):
        fsync_dir(folder)
    (root / JOURNAL).unlink(missing_ok=True)
    fsync_dir(root)


def _finish_despite(root: Path, staged: Staged) -> None:
    """Past the commit point something failed: finish now if the disk allows."""
    try:
        fsync_dir(root)  # the journal first, so that a crash from here is recovered
        _apply(root, staged)
    except Exception:
        logger.warning(
            "could not finish replacing %d files; the store finishes when it opens",
            len(staged),
            exc_info=True,
        )


def _discard(staged: Staged) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def _folders(staged: Staged) -> list[Path]:
    return sorted({target.parent for _, target in staged})


def _parse(root: Path, journal: Path, data: bytes) -> Staged:
    try:
        pairs = json.loads(data)["replace"]
    except (ValueError, TypeError, KeyError):
        pairs = None
    if not isinstance(pairs, list) or not all(_pair(p) for p in pairs):
        raise damaged(
            journal,
            "is not a journal the academy wrote",
            "restore the whole data folder from a backup",
        )
    return [(root / tmp, root / target) for tmp, target in pairs]


def _pair(pair: object) -> bool:
    """Two relative paths that stay inside the data folder."""
    if not isinstance(pair, list) or len(pair) != 2:
        return False
    return all(
        isinstance(name, str)
        and name
        and not Path(name).is_absolute()
        and ".." not in Path(name).parts
        for name in pair
    )

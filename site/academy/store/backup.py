"""Copying the data folder: while the server runs (backup), and back (restore).

Every data file is replaced atomically by the server, so each file read is a
whole version of itself; the audit log only grows, and a torn last line is
skipped on reading. The backup runs in another process than the server, so it
cannot take the server's locks; it is made one instant across files instead by
checking after the copy: every file is looked at again (its inode, size and
modification time), and any that changed, appeared or went since it was read
is copied again, until a check finds nothing changed. The copy then equals the
data folder at the moment between the last read and that check, so a change
that spans several files (an eligibility import through the journal) is in
it whole or not at all.

A backup that fails (a full disk, a folder it may not write) removes what it
wrote and raises BackupError. A restore never deletes data: what it replaces is
moved to a new folder beside the data folder, named by the time of the restore.
"""

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from academy.store import journal
from academy.store.lock import DataFolderLock
from academy.store.storage import TMP, atomic_write, fsync_dir

logger = logging.getLogger(__name__)

MANIFEST = "backup-manifest.json"
SKIP_SUFFIXES = (TMP,)
SKIP_NAMES = {"academy.lock"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message is one line."""


@dataclass(frozen=True)
class BackupReport:
    files: int
    bytes: int
    folder: Path
    # restore only: the new folder holding the data the restore replaced
    kept: Path | None = None


def _data_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name not in SKIP_NAMES
        and p.name != MANIFEST
        and not p.name.endswith(SKIP_SUFFIXES)
        and not p.name.startswith(".")
    )


def backup(data: Path, target: Path) -> BackupReport:
    """Copy every data file into `target`, which must be empty or absent.

    Raises BackupError, having removed every file and folder it made, when
    the copy cannot be completed.
    """
    if not data.is_dir():
        raise BackupError(f"{data} is not a data folder")
    if target.exists() and not target.is_dir():
        raise BackupError(f"{target} is a file; choose a new folder for the backup")
    if target.is_dir() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for the backup")
    if target.resolve().is_relative_to(data.resolve()):
        raise BackupError("the backup folder must not be inside the data folder")
    made: list[Path] = []  # files and folders this backup created, in order
    try:
        return _copy(data, target, made)
    except OSError as error:
        _remove(made)
        where = error.filename or target
        reason = error.strerror or type(error).__name__
        removed = "; the partial copy was removed" if made else ""
        raise BackupError(
            f"could not back up to {target}: {where}: {reason}{removed}"
        ) from None
    except BaseException:
        _remove(made)
        raise


# How many times the copy is checked and topped up before giving up: each
# round copies only what changed during the one before, a few files at most.
ROUNDS = 50

Stamp = tuple[int, int, int]  # inode, size, modification time (ns)


def _stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _copy(data: Path, target: Path, made: list[Path]) -> BackupReport:
    copied: dict[Path, tuple[Stamp, int]] = {}  # relative path: (stamp, size)
    for _ in range(ROUNDS):
        current = {p.relative_to(data): _stamp(p) for p in _data_files(data)}
        changed = [
            relative
            for relative, stamp in current.items()
            if stamp is not None and copied.get(relative, (None, 0))[0] != stamp
        ]
        gone = [r for r in copied if current.get(r) is None]
        if journal.pending(data):
            # A change to several files is being applied: its files are part
            # old and part new until the journal goes, so wait for that.
            time.sleep(0.05)
            continue
        if not changed and not gone:
            break
        for relative in gone:
            (target / relative).unlink(missing_ok=True)
            del copied[relative]
        for relative in changed:
            # Stamped before the read: a replace in between shows as a change.
            stamp = _stamp(data / relative)
            try:
                content = (data / relative).read_bytes()
            except FileNotFoundError:
                copied.pop(relative, None)
                (target / relative).unlink(missing_ok=True)
                continue  # renamed away: the next round sees what replaced it
            assert stamp is not None
            _write(target / relative, content, _mode(relative), made)
            copied[relative] = (stamp, len(content))
    else:
        if journal.pending(data):
            raise BackupError(
                f"{data} holds a change to several files that is not finished; "
                "start the server once (it finishes the change) and back up again"
            )
        raise BackupError(
            f"the data in {data} kept changing during {ROUNDS} rounds of copying; "
            "try again when the site is less busy"
        )
    total = sum(size for _, size in copied.values())
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "files": len(copied),
        "bytes": total,
    }
    _write(target / MANIFEST, json.dumps(manifest).encode(), 0o600, made)
    logger.info("backup of %s written to %s: %d files", data, target, len(copied))
    return BackupReport(len(copied), total, target)


def _mode(relative: Path) -> int:
    secret = relative.parts[0] in ("keys",) or relative.name == "secret_key"
    return 0o600 if secret else 0o644


def _write(path: Path, content: bytes, mode: int, made: list[Path]) -> None:
    """atomic_write, noting in `made` each folder and the file it creates."""
    missing = [p for p in reversed(path.parents) if not p.exists()]
    for folder in missing:
        folder.mkdir()
        made.append(folder)
    made.append(path)
    atomic_write(path, content, mode)


def _remove(made: list[Path]) -> None:
    """Undo a failed backup: what it made, newest first, and nothing else."""
    for path in reversed(made):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()  # only if empty: a stranger's file keeps its folder
            else:
                path.unlink(missing_ok=True)
        except OSError:
            logger.warning("could not remove %s after a failed backup", path)


def restore(source: Path, data: Path) -> BackupReport:
    """Replace the data folder with a backup; refuses while a server holds it.

    The data it replaces is moved, never deleted, to a new folder beside it
    (`.<name>.before-restore-<UTC time>`), returned as the report's `kept`.
    """
    if not source.exists():
        raise BackupError(f"{source} does not exist; give the folder of a backup")
    if not (source / MANIFEST).is_file():
        raise BackupError(f"{source} is not a Mentor Academy backup (no {MANIFEST})")
    lock = DataFolderLock(data)
    lock.acquire()  # raises DataFolderLocked while a server runs on it
    try:
        staging = data.parent / f".{data.name}.restoring"
        shutil.rmtree(staging, ignore_errors=True)  # an interrupted restore's copy
        try:
            report = backup(source, staging)
        except BackupError as error:
            raise BackupError(f"nothing was restored: {error}") from None
        (staging / MANIFEST).unlink()
        old = _kept_folder(data)
        for entry in data.iterdir():
            if entry.name != "academy.lock":
                os.replace(entry, old / entry.name)
        for entry in staging.iterdir():
            os.replace(entry, data / entry.name)
        fsync_dir(old)
        fsync_dir(data)
        staging.rmdir()
        logger.info(
            "restored %s from %s; the previous data is in %s", data, source, old
        )
        return BackupReport(report.files, report.bytes, data, kept=old)
    finally:
        lock.release()


def _kept_folder(data: Path) -> Path:
    """A new, empty folder for the data a restore replaces; never an old one."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = data.parent / f".{data.name}.before-restore-{stamp}"
    candidate, number = base, 1
    while True:
        try:
            candidate.mkdir()
        except FileExistsError:
            number += 1
            candidate = base.with_name(f"{base.name}-{number}")
            continue
        return candidate

"""Copying the data folder: while the server runs (backup), and back (restore).

Every data file is replaced atomically by the server, so each file read is a
whole version of itself; the audit log only grows, and a torn last line is
skipped on reading. A backup is therefore a set of complete files that opens
cleanly. It is not one instant across files: a write that lands during the copy
may be in it or not, file by file.

A backup that fails (a full disk, a folder it may not write) removes what it
wrote and raises BackupError. A restore never deletes data: what it replaces is
moved to a new folder beside the data folder, named by the time of the restore.
"""

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


def _copy(data: Path, target: Path, made: list[Path]) -> BackupReport:
    total = 0
    files = _data_files(data)
    for path in files:
        relative = path.relative_to(data)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue  # renamed away between listing and reading: a newer copy exists
        mode = (
            0o600
            if relative.parts[0] in ("keys",) or path.name == "secret_key"
            else 0o644
        )
        _write(target / relative, content, mode, made)
        total += len(content)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "files": len(files),
        "bytes": total,
    }
    _write(target / MANIFEST, json.dumps(manifest).encode(), 0o600, made)
    logger.info("backup of %s written to %s: %d files", data, target, len(files))
    return BackupReport(len(files), total, target)


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

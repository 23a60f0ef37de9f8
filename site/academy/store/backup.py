"""Copying the data folder: while the server runs (backup), and back (restore).

Every data file is replaced atomically by the server, so each file read is a
whole version of itself; the audit log only grows, and a torn last line is
skipped on reading. A backup is therefore a set of complete files that opens
cleanly. It is not one instant across files: a write that lands during the copy
may be in it or not, file by file.
"""

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from academy.store.lock import DataFolderLock
from academy.store.storage import atomic_write, fsync_dir

logger = logging.getLogger(__name__)

MANIFEST = "backup-manifest.json"
SKIP_SUFFIXES = (".tmp",)
SKIP_NAMES = {"academy.lock"}


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupReport:
    files: int
    bytes: int
    folder: Path


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
    """Copy every data file into `target`, which must be empty or absent."""
    if not data.is_dir():
        raise BackupError(f"{data} is not a data folder")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for the backup")
    if target.resolve().is_relative_to(data.resolve()):
        raise BackupError("the backup folder must not be inside the data folder")
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
        atomic_write(target / relative, content, mode)
        total += len(content)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "files": len(files),
        "bytes": total,
    }
    atomic_write(target / MANIFEST, json.dumps(manifest).encode())
    logger.info("backup of %s written to %s: %d files", data, target, len(files))
    return BackupReport(len(files), total, target)


def restore(source: Path, data: Path) -> BackupReport:
    """Replace the data folder with a backup; refuses while a server holds it."""
    if not (source / MANIFEST).is_file():
        raise BackupError(f"{source} is not a Mentor Academy backup (no {MANIFEST})")
    data.mkdir(parents=True, exist_ok=True)
    lock = DataFolderLock(data)
    lock.acquire()  # raises DataFolderLocked while a server runs on it
    try:
        staging = data.parent / f".{data.name}.restoring"
        shutil.rmtree(staging, ignore_errors=True)
        report = backup(source, staging)
        (staging / MANIFEST).unlink()
        old = data.parent / f".{data.name}.before-restore"
        shutil.rmtree(old, ignore_errors=True)
        old.mkdir()
        for entry in data.iterdir():
            if entry.name != "academy.lock":
                os.replace(entry, old / entry.name)
        for entry in staging.iterdir():
            os.replace(entry, data / entry.name)
        fsync_dir(data)
        staging.rmdir()
        logger.info(
            "restored %s from %s; the previous data is in %s", data, source, old
        )
        return BackupReport(report.files, report.bytes, data)
    finally:
        lock.release()

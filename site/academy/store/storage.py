"""TinyDB storages: one that never leaves a half-written file, one in memory."""

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from tinydb.storages import Storage


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file in the same folder, are fsynced, then
    renamed over the target; the folder is fsynced so the rename itself lasts.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DurableJSONStorage(Storage):
    """A JSON file rewritten atomically and durably on every write.

    TinyDB's stock JSONStorage truncates and rewrites the file in place, so a
    crash halfway through leaves it corrupt; this one cannot.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not text:
            return None
        data: dict[str, dict[str, Any]] = json.loads(text)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        atomic_write(self.path, encoded.encode("utf-8"))

    def close(self) -> None:
        pass


class MemoryFiles:
    """A set of named in-memory 'files', for the store's memory backend."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.lock = threading.Lock()

    def names(self, prefix: str) -> list[str]:
        with self.lock:
            return sorted(n for n in self.files if n.startswith(prefix))


class MemoryStorage(Storage):
    """Keeps the JSON text in memory; serialising keeps copies independent."""

    def __init__(self, name: str, files: MemoryFiles) -> None:
        self.name = name
        self.files = files

    def read(self) -> dict[str, dict[str, Any]] | None:
        with self.files.lock:
            text = self.files.files.get(self.name)
        if text is None:
            return None
        data: dict[str, dict[str, Any]] = json.loads(text)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, ensure_ascii=False)
        with self.files.lock:
            self.files.files[self.name] = text

    def close(self) -> None:
        pass

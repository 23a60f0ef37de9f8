"""TinyDB storages: one that never leaves a half-written file, one in memory,
and one that remembers what it last read or wrote."""

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from academy.store.errors import damaged, unreadable

Tables = dict[str, dict[str, Any]]
# The bytes of each document in a file, by table and document id.
Encoded = dict[str, dict[str, bytes]]
TMP = ".tmp"  # the suffix of every temporary file; backups skip them
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file in the same folder, are fsynced, then
    renamed over the target; the folder is fsynced so the rename itself lasts.
    """
    tmp = write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_temp(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """A durable temporary file beside `path` holding `data`, for renaming onto it.

    Nothing is left behind if this raises. The new name in the folder is not
    yet durable: fsync the folder before relying on the file surviving a crash.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rows(tables: Tables | None, table: str) -> list[dict[str, Any]]:
    """A table's documents in the order TinyDB inserted them."""
    docs = (tables or {}).get(table, {})
    return [docs[k] for k in sorted(docs, key=int)]


def copy_tables(tables: Tables) -> Tables:
    """A copy TinyDB may change without changing `tables`.

    TinyDB replaces whole tables and updates documents in place, but never
    changes a value inside a document (nor does the store change a row it
    reads), so copying two levels deep is enough.
    """
    return {name: {k: dict(doc) for k, doc in t.items()} for name, t in tables.items()}


def encode(tables: Tables) -> bytes:
    """The bytes of a database file, as DurableJSONStorage writes them."""
    return _JSON.encode(tables).encode()


def encode_reusing(
    tables: Tables, before: Tables | None, encoded: Encoded
) -> tuple[bytes, Encoded]:
    """encode(tables), and the bytes of each document in it.

    `encoded` holds the bytes of documents in `before`: each one still equal
    is not encoded again. A write that adds one attempt encodes one attempt.
    """
    before = before or {}
    pieces: Encoded = {}
    for name, docs in tables.items():
        old_docs, old = before.get(name, {}), encoded.get(name, {})
        pieces[name] = {
            key: old[key]
            if key in old and old_docs.get(key) == doc
            else _JSON.encode(doc).encode()
            for key, doc in docs.items()
        }
    body = b",".join(
        _key(name) + b":{" + b",".join(_key(k) + b":" + v for k, v in t.items()) + b"}"
        for name, t in pieces.items()
    )
    return b"{" + body + b"}", pieces


def _key(text: str) -> bytes:
    return _JSON.encode(text).encode()


def decode(path: Path | str, data: bytes | str) -> Tables:
    """The tables in a database file; DataError, naming `path`, if it holds none.

    A file of no bytes is damage too: atomic_write never leaves one.
    """
    if not data:
        raise damaged(path, "is empty (0 bytes), which no write of the academy leaves")
    try:
        tables = json.loads(data)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise damaged(path, f"is not valid JSON ({where})") from None
    except UnicodeDecodeError:
        raise damaged(path, "is not UTF-8 text") from None
    if not isinstance(tables, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in tables.values()
    ):
        raise damaged(path, "is JSON but not a database of tables of records")
    return tables


class DurableJSONStorage(Storage):
    """A JSON file rewritten atomically and durably on every write.

    TinyDB's stock JSONStorage truncates and rewrites the file in place, so a
    crash halfway through leaves it corrupt; this one cannot. Reading a file
    that is damaged raises DataError naming it; a missing file is an empty
    database.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> Tables | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise unreadable(self.path, error) from None
        return decode(self.path, data)

    def write(self, data: Tables) -> None:
        self.write_encoded(encode(data))

    def write_encoded(self, data: bytes) -> None:
        """Write what encode() makes of the tables (or encode_reusing)."""
        atomic_write(self.path, data)

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

    def write_all(self, tables: dict[str, Tables]) -> None:
        """Replace several files in one step: a reader sees all of them or none."""
        texts = {name: json.dumps(t, ensure_ascii=False) for name, t in tables.items()}
        with self.lock:
            self.files.update(texts)


class MemoryStorage(Storage):
    """Keeps the JSON text in memory; serialising keeps copies independent."""

    def __init__(self, name: str, files: MemoryFiles) -> None:
        self.name = name
        self.files = files

    def read(self) -> Tables | None:
        with self.files.lock:
            text = self.files.files.get(self.name)
        if text is None:
            return None
        return decode(self.name, text)

    def write(self, data: Tables) -> None:
        self.write_encoded(encode(data))

    def write_encoded(self, data: bytes) -> None:
        """Write what encode() makes of the tables (or encode_reusing)."""
        text = data.decode()
        with self.files.lock:
            self.files.files[self.name] = text

    def close(self) -> None:
        pass


class StagedStorage(Storage):
    """One file's tables held in memory: TinyDB's writes stay here until committed.

    Built from the storage of the real file, which it reads once; the store
    then commits `tables` of every staged file together (see journal.py).
    """

    def __init__(self, source: Storage) -> None:
        self.tables: Tables | None = source.read()
        self.changed = False

    def read(self) -> Tables | None:
        return self.tables

    def write(self, data: Tables) -> None:
        self.tables = data
        self.changed = True

    def close(self) -> None:
        pass


class WriteThroughStorage(Storage):
    """Another storage, read at most once: later reads copy what was last read
    or written.

    TinyDB reads the whole file before every write, and twice for an insert.
    Given `tables` (what the file is known to hold), it reads nothing at all;
    given `encoded` too (the bytes of its documents), a write encodes only the
    documents that changed. After a write fails, the file may hold the old
    tables or the new: the next read goes to it again, and `failed` says so.
    """

    def __init__(
        self,
        source: "DurableJSONStorage | MemoryStorage",
        tables: Tables | None = None,
        encoded: Encoded | None = None,
    ) -> None:
        self.source = source
        self.tables = tables  # never handed out, so never changed by TinyDB
        self.encoded: Encoded = encoded or {}
        self.known = tables is not None
        self.written = False
        self.failed = False

    def read(self) -> Tables | None:
        if not self.known:
            self.tables, self.encoded = self.source.read(), {}
            self.known = True
        return None if self.tables is None else copy_tables(self.tables)

    def write(self, data: Tables) -> None:
        try:
            encoded, pieces = encode_reusing(data, self.tables, self.encoded)
            self.source.write_encoded(encoded)
        except BaseException:
            self.failed = True
            self.tables, self.encoded, self.known = None, {}, False
            raise
        # TinyDB keeps no reference to what it wrote, so it can be kept as is.
        self.tables, self.encoded = data, pieces
        self.known = self.written = True

    def close(self) -> None:
        self.source.close()

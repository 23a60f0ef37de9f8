"""The audit log: one JSON line per event an operator may need to account for.

It only ever grows, so entries are appended to one file rather than kept in a
TinyDB table that each write would rewrite whole. Each append is fsynced
before it returns. A crash mid-append can tear the last line; that line is
skipped when the log is read, and the next entry starts a line of its own.
"""

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from academy.domain.records import AuditEntry
from academy.store.codec import from_doc, to_doc
from academy.store.errors import unreadable
from academy.store.storage import fsync_dir

logger = logging.getLogger(__name__)
AUDIT_FILE = "audit.jsonl"


def _audit_line(doc: dict[str, Any]) -> str:
    """One JSON line, readable as it stands unless only escapes can carry it.

    A lone surrogate (which a JSON request may hold as \\ud800) cannot be
    written as UTF-8; escaped, it reads back as it was sent.
    """
    line = json.dumps(doc, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(doc)
    return line + "\n"


class AuditLog:
    """The log in `folder`, or in memory only when `folder` is None."""

    def __init__(self, folder: Path | None, lock: threading.RLock) -> None:
        self.folder = folder
        self._lock = lock
        self._entries: list[AuditEntry] = []
        self._torn = False  # the file ends in a torn line

    def load(self) -> None:
        """Read every entry in the file (in memory, keep those appended so far)."""
        self._entries = self._read()

    def append(self, entry: AuditEntry) -> None:
        """Append one entry; durable when this returns."""
        line = _audit_line(to_doc(entry))
        with self._lock:
            if self.folder is not None:
                path = self.folder / AUDIT_FILE
                new = not path.exists()
                # After a torn last line, the next entry starts a line of its
                # own; joined to the torn one, both would be unreadable.
                start = "\n" if self._torn else ""
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write(start + line)
                    handle.flush()
                    os.fsync(handle.fileno())
                self._torn = False
                if new:
                    fsync_dir(self.folder)
            self._entries.append(entry)

    def entries(self) -> list[AuditEntry]:
        with self._lock:
            return list(self._entries)

    def _read(self) -> list[AuditEntry]:
        if self.folder is None:
            return list(self._entries)
        path = self.folder / AUDIT_FILE
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as error:
            raise unreadable(path, error) from None
        self._torn = bool(text) and not text.endswith("\n")
        entries = []
        # Split on "\n" alone: entries are written with ensure_ascii=False, so a
        # reason may hold U+2028, U+2029 or U+0085, which splitlines() breaks on.
        for number, line in enumerate(text.split("\n"), 1):
            if not line:
                continue
            try:
                entries.append(from_doc(AuditEntry, json.loads(line)))
            except (ValueError, TypeError, KeyError):
                # A crash mid-append tears the last line; any other unreadable
                # line means the file was edited or damaged by hand.
                logger.warning("skipping unreadable audit line %d", number)
        return entries

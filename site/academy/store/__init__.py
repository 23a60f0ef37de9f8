"""Storage: TinyDB behind a small interface of plain dataclasses."""

from academy.store.errors import DataError
from academy.store.lock import DataFolderLocked
from academy.store.store import LearnerData, PendingReply, Store, email_key

__all__ = [
    "DataError",
    "DataFolderLocked",
    "LearnerData",
    "PendingReply",
    "Store",
    "email_key",
]

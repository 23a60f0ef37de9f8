"""Encoding a file again from the bytes of the documents that did not change."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from academy.store import storage
from academy.store.storage import Tables, copy_tables, encode, encode_reusing


def _tables() -> Tables:
    return {
        "user": {"1": {"id": "u_1", "name": "Zoë Ångström", "at": "2026-03-02"}},
        "attempts": {
            "1": {"id": "a1", "answers": {"q1": ["b", "c"]}, "percent": 50.0},
            "2": {"id": "a2", "answers": {}, "percent": 0.0, "late": True},
        },
    }


def _insert(t: Tables) -> None:
    t["attempts"]["3"] = {"id": "a3", "answers": {"q1": ["a"]}, "percent": 100.0}


def _update(t: Tables) -> None:
    t["attempts"]["1"]["percent"] = 75.5


def _remove(t: Tables) -> None:
    del t["attempts"]["1"]


def _new_table(t: Tables) -> None:
    t["sessions"] = {"1": {"token_hash": "h", "created_at": "2026-03-02T10:00"}}


def _truncate(t: Tables) -> None:
    t["attempts"] = {}


CHANGES: dict[str, Callable[[Tables], None]] = {
    "insert": _insert,
    "update": _update,
    "remove": _remove,
    "new-table": _new_table,
    "truncate": _truncate,
    "none": lambda t: None,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_storage_encode_reusing_gives_the_bytes_encode_gives(
    change: Callable[[Tables], None],
) -> None:
    before = _tables()
    _, encoded = encode_reusing(before, None, {})
    after = copy_tables(before)
    change(after)

    data, pieces = encode_reusing(after, before, encoded)

    assert data == encode(after)
    assert json.loads(data) == after
    assert encode_reusing(after, None, {}) == (data, pieces)


def test_storage_encode_reusing_encodes_only_changed_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _tables()
    _, encoded = encode_reusing(before, None, {})
    after = copy_tables(before)
    _insert(after)
    _update(after)
    encoded_now: list[Any] = []
    real = storage._JSON

    class Counting:
        def encode(self, value: Any) -> str:
            if isinstance(value, dict):
                encoded_now.append(value)
            return real.encode(value)

    monkeypatch.setattr(storage, "_JSON", Counting())
    encode_reusing(after, before, encoded)

    assert [doc["id"] for doc in encoded_now] == ["a1", "a3"]

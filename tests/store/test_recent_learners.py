"""The learners kept in memory: what a write keeps, and what it must not."""

import copy
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from academy.domain.records import (
    Attempt,
    Eligibility,
    ModuleCompletion,
    PracticeReply,
    ReplyVersion,
)
from academy.store import DataError, Store
from academy.store.learners import decode
from academy.store.storage import DurableJSONStorage, MemoryStorage, Tables, encode
from tests.store.test_store import AT, user


@pytest.fixture(params=["memory", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = Store(None if request.param == "memory" else tmp_path / "data").open()
    s.add_user(user())
    yield s
    s.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read from now on, on either backend."""
    names: list[str] = []
    for cls in (DurableJSONStorage, MemoryStorage):
        original = cls.read

        def counting(self: object, original: object = original) -> Tables | None:
            names.append(str(getattr(self, "path", getattr(self, "name", ""))))
            return original(self)  # type: ignore[operator]

        monkeypatch.setattr(cls, "read", counting)
    return names


def attempt(n: int) -> Attempt:
    return Attempt(
        f"a{n}", "u_1", "q1", n, AT, {"x": ("a",)}, {"x": 0.0}, 0.0, False, False
    )


def test_recent_write_is_read_back_without_the_file(
    store: Store, reads: list[str]
) -> None:
    store.add_attempt(attempt(1))
    store.add_attempt(attempt(2))
    store.save_reply(PracticeReply("u_1", "q1", "r", (ReplyVersion("Hi", AT, False),)))

    data = store.learner("u_1")

    assert data is not None
    assert [a.id for a in data.attempts] == ["a1", "a2"]
    assert list(data.replies) == ["q1/r"]
    assert reads == []  # neither TinyDB's reads before writing nor this one


def test_recent_write_keeps_what_a_fresh_store_reads(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    store.add_user(user())
    store.add_completion("u_1", ModuleCompletion("m1", AT, False))
    store.add_attempt(attempt(1))
    store.save_user(replace(user(), name="Ana Lima"))
    store.add_session("u_1", "t1", AT)
    kept = store.learner("u_1")
    store.close()
    # Written from the bytes of unchanged documents, yet as a whole encoding.
    written = (folder / "learners" / "u_1.json").read_bytes()
    assert written == encode(json.loads(written))

    again = Store(folder).open()
    try:
        assert again.learner("u_1") == kept
    finally:
        again.close()


def test_recent_caller_changing_its_copy_changes_nothing_kept(store: Store) -> None:
    store.add_attempt(attempt(1))
    first = store.learner("u_1")
    assert first is not None

    first.attempts.clear()
    first.completions["m9"] = ModuleCompletion("m9", AT, False)
    first.replies.clear()

    again = store.learner("u_1")
    assert again is not None
    assert [a.id for a in again.attempts] == ["a1"] and not again.completions


def test_recent_tinydb_changes_only_its_own_copy_of_the_tables(store: Store) -> None:
    store.add_attempt(attempt(1))
    kept = store._recent.peek("u_1")
    assert kept is not None
    before = copy.deepcopy(kept.tables)

    # An update changes a document in place; a removal, a whole table.
    store.save_user(replace(user(), name="Ana Lima"))
    store.remove_attempt("u_1", "a1")
    store.add_session("u_1", "t1", AT)
    store.remove_sessions("u_1")

    assert kept.tables == before
    data = store.learner("u_1")
    assert data is not None and data.user.name == "Ana Lima" and not data.attempts


def _fail_folder_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is renamed into place, but the rename is never made durable."""
    original = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError("disk gone")
        original(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def _fail_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize(
    ("fail", "attempts"),
    [(_fail_rename, 1), (_fail_folder_fsync, 2)],
    ids=["before-rename", "after-rename"],
)
def test_recent_failed_write_keeps_nothing_the_file_may_not_hold(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reads: list[str],
    fail: Callable[[pytest.MonkeyPatch], None],
    attempts: int,
) -> None:
    store = Store(tmp_path / "data").open()
    try:
        store.add_user(user())
        store.add_attempt(attempt(1))
        with monkeypatch.context() as failing:
            fail(failing)
            with pytest.raises(OSError, match="disk gone"):
                store.add_attempt(attempt(2))
        reads.clear()

        assert store._recent.peek("u_1") is None
        data = store.learner("u_1")
        # The file holds the old attempts or the new; the read shows which.
        assert data is not None and len(data.attempts) == attempts
        assert reads == [str(tmp_path / "data" / "learners" / "u_1.json")]
    finally:
        store.close()


def test_recent_read_overtaken_by_a_write_is_not_kept(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store._recent.clear()
    original = Store._raw
    overtaken = []

    def raw_then_write(self: Store, name: str) -> Tables | None:
        tables = original(self, name)
        if not overtaken:  # the write finishes while this read is decoding
            overtaken.append(name)
            self.add_attempt(attempt(1))
        return tables

    monkeypatch.setattr(Store, "_raw", raw_then_write)
    stale = store.learner("u_1")

    assert stale is not None and stale.attempts == []
    fresh = store.learner("u_1")
    assert fresh is not None and [a.id for a in fresh.attempts] == ["a1"]


def test_recent_learners_are_bounded(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store._recent, "limit", 2)
    for uid in ("u_2", "u_3"):
        store.add_user(user(uid, f"{uid}@example.org"))
    store.learner("u_1")

    assert store._recent.peek("u_2") is None  # least recently used
    assert all(store._recent.peek(uid) for uid in ("u_1", "u_3"))


def test_recent_write_decodes_only_the_documents_it_changed() -> None:
    tables: Tables = {
        "user": {"1": _doc(user())},
        "attempts": {"1": _doc(attempt(1)), "2": _doc(attempt(2))},
    }
    before = decode(tables)
    assert before is not None
    after = copy.deepcopy(tables)
    after["attempts"]["3"] = _doc(attempt(3))
    after["attempts"]["2"]["percent"] = 50.0

    kept = decode(after, before)

    assert kept is not None
    old, new = before.data.attempts, kept.data.attempts
    assert new[0] is old[0]  # unchanged: decoded once
    assert new[1] is not old[1] and new[1].percent == 50.0
    assert [a.id for a in new] == ["a1", "a2", "a3"]


def _doc(record: object) -> dict[str, object]:
    from academy.store.codec import to_doc

    doc: dict[str, object] = to_doc(record)
    return doc


def test_recent_write_that_cannot_be_decoded_is_reported_on_the_next_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "data").open()
    try:
        store.add_user(user())

        def broken(tables: Tables | None, before: object = None) -> None:
            raise ValueError("no such field")

        with monkeypatch.context() as patched:
            patched.setattr("academy.store.store.decode", broken)
            store.add_attempt(attempt(1))  # the write itself succeeded

            assert store._recent.peek("u_1") is None
            with pytest.raises(DataError, match="u_1.json holds a record"):
                store.learner("u_1")
        data = store.learner("u_1")
        assert data is not None and len(data.attempts) == 1
    finally:
        store.close()


def test_recent_eligibility_lookups_read_no_bucket(
    store: Store, reads: list[str]
) -> None:
    record = Eligibility("ana@example.org")
    store.save_eligibility([record])
    reads.clear()

    assert store.eligibility(" Ana@Example.org ") == record
    assert store.eligibility("nobody@example.org") is None
    assert reads == []

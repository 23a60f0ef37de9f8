"""Backups taken beside a running store, and restored."""

import errno
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from academy.store import DataFolderLocked, Store, journal
from academy.store.backup import BackupError, backup, restore
from tests.store.test_store import AT, user


def test_backup_round_trip_while_store_is_open(tmp_path: Path) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    store = Store(data).open()
    store.add_user(user())
    store.add_session("u_1", "h1", AT)
    report = backup(data, copy)
    assert report.files >= 1
    store.add_user(user("u_2", "later@example.org"))
    store.close()

    restored = restore(copy, data)
    again = Store(data).open()
    assert again.user_by_email("ana@example.org") is not None
    assert again.user_by_email("later@example.org") is None
    assert again.session_user("h1") == "u_1"
    again.close()
    assert restored.kept is not None
    assert (restored.kept / "learners" / "u_2.json").exists()


def test_restore_refuses_while_server_holds_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data).open()
    store.add_user(user())
    backup(data, tmp_path / "copy")
    with pytest.raises(DataFolderLocked):
        restore(tmp_path / "copy", data)
    store.close()


@pytest.mark.parametrize("case", ["not-empty", "inside", "not-a-backup"])
def test_backup_refuses_bad_targets(tmp_path: Path, case: str) -> None:
    data = tmp_path / "data"
    Store(data).open().close()
    if case == "not-empty":
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "x").write_text("x")
        with pytest.raises(BackupError, match="not empty"):
            backup(data, tmp_path / "full")
    elif case == "inside":
        with pytest.raises(BackupError, match="inside"):
            backup(data, data / "b")
    else:
        (tmp_path / "random").mkdir()
        with pytest.raises(BackupError, match="not a Mentor Academy backup"):
            restore(tmp_path / "random", data)


def _backup_command(data: Path, target: Path) -> subprocess.CompletedProcess[str]:
    """`academy backup` run as a user runs it, in a process of its own."""
    command = [sys.executable, "-m", "academy", "--data", str(data), "backup"]
    return subprocess.run([*command, str(target)], capture_output=True, text=True)


def test_backup_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data).open()
    store.add_user(user())
    result = _backup_command(data, tmp_path / "b")
    store.close()
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    assert (tmp_path / "b" / "learners" / "u_1.json").exists()


def _add(data: Path, uid: str) -> None:
    store = Store(data).open()
    store.add_user(user(uid, f"{uid}@example.org"))
    store.close()


def test_restore_twice_keeps_every_replaced_copy(tmp_path: Path) -> None:
    data, good = tmp_path / "data", tmp_path / "good"
    _add(data, "u_1")
    backup(data, good)

    _add(data, "u_2")
    first = restore(good, data)
    _add(data, "u_3")
    second = restore(good, data)

    assert first.kept is not None and second.kept is not None
    assert first.kept != second.kept
    for kept in (first.kept, second.kept):
        assert re.fullmatch(r"\.data\.before-restore-\d{8}T\d{6}Z(-\d+)?", kept.name)
    assert (first.kept / "learners" / "u_2.json").exists()
    assert (second.kept / "learners" / "u_3.json").exists()
    assert not (second.kept / "learners" / "u_2.json").exists()


def test_restore_kept_name_taken_gets_a_counter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import academy.store.backup as module

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> "Frozen":
            return cls(2026, 12, 4, 2, 15, 0, tzinfo=UTC)

    monkeypatch.setattr(module, "datetime", Frozen)
    data, good = tmp_path / "data", tmp_path / "good"
    _add(data, "u_1")
    backup(data, good)
    taken = tmp_path / ".data.before-restore-20261204T021500Z"
    taken.mkdir()
    (taken / "earlier").write_text("kept from before")

    report = restore(good, data)

    assert report.kept == tmp_path / ".data.before-restore-20261204T021500Z-2"
    assert (taken / "earlier").read_text() == "kept from before"
    assert (report.kept / "learners" / "u_1.json").exists()


@pytest.mark.parametrize("case", ["new", "empty", "nested"])
def test_backup_disk_full_removes_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    import academy.store.backup as module

    data = tmp_path / "data"
    for uid in ("u_1", "u_2", "u_3"):
        _add(data, uid)
    target = tmp_path / ("a/b/c" if case == "nested" else "b")
    if case == "empty":
        target.mkdir()
    calls = [0]
    original = module.atomic_write

    def filling(path: Path, content: bytes, mode: int = 0o600) -> None:
        calls[0] += 1
        if calls[0] == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        original(path, content, mode)

    monkeypatch.setattr(module, "atomic_write", filling)
    with pytest.raises(BackupError, match="No space left on device") as raised:
        backup(data, target)

    assert "\n" not in str(raised.value)
    if case == "empty":
        assert target.is_dir() and not any(target.iterdir())
    else:
        assert not (tmp_path / ("a" if case == "nested" else "b")).exists()
    monkeypatch.undo()
    assert backup(data, target).files >= 3  # not "not empty" on the second try


@pytest.mark.parametrize("case", ["file", "under-file", "proc", "sys"])
def test_backup_unwritable_target_is_one_line(tmp_path: Path, case: str) -> None:
    data = tmp_path / "data"
    _add(data, "u_1")
    (tmp_path / "f").write_text("x")
    target = {
        "file": tmp_path / "f",
        "under-file": tmp_path / "f" / "b",
        "proc": Path("/proc/academy-backup-test/b"),
        "sys": Path("/sys/academy-backup-test"),
    }[case]
    with pytest.raises(BackupError) as raised:
        backup(data, target)
    assert "\n" not in str(raised.value) and str(target) in str(raised.value)
    assert (tmp_path / "f").read_text() == "x"


def test_restore_from_missing_folder_does_not_exist(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _add(data, "u_1")
    with pytest.raises(BackupError, match="does not exist"):
        restore(tmp_path / "no-such-backup", data)
    assert (data / "learners" / "u_1.json").exists()


def test_backup_command_to_a_file_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _add(data, "u_1")
    (tmp_path / "f").write_text("x")
    result = _backup_command(data, tmp_path / "f")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "is a file" in result.stderr


def test_backup_is_one_instant_when_a_change_spans_files_during_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    store = Store(data).open()
    store.add_user(user())
    store.add_user(user("u_2", "later@example.org"))
    store.close()
    first, second = sorted((data / "learners").glob("*.json"))
    real_read = Path.read_bytes
    changes = []

    def read_and_change(path: Path) -> bytes:
        content = real_read(path)
        if path == first and not changes:
            # One change to two files lands just after the first was read.
            for changed in (first, second):
                staged = changed.with_suffix(".next")
                staged.write_bytes(real_read(changed).replace(b"Ana", b"Bea"))
                os.replace(staged, changed)
            changes.append(path)
        return content

    monkeypatch.setattr(Path, "read_bytes", read_and_change)
    backup(data, copy)
    monkeypatch.undo()

    assert changes
    for original in (first, second):
        assert (copy / "learners" / original.name).read_bytes() == original.read_bytes()


def test_backup_waits_out_and_then_refuses_an_unfinished_multi_file_change(
    tmp_path: Path,
) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    store = Store(data).open()
    store.add_user(user())
    store.close()
    # A change committed through the journal whose renames never finished.
    (data / journal.JOURNAL).write_text('{"replace": []}')

    with pytest.raises(BackupError, match="not finished"):
        backup(data, copy)
    assert not copy.exists() or not any(copy.iterdir())

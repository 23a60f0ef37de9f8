"""Backups taken beside a running store, and restored."""

import subprocess
import sys
from pathlib import Path

import pytest

from academy.store import DataFolderLocked, Store
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

    restore(copy, data)
    again = Store(data).open()
    assert again.user_by_email("ana@example.org") is not None
    assert again.user_by_email("later@example.org") is None
    assert again.session_user("h1") == "u_1"
    again.close()
    assert (tmp_path / ".data.before-restore" / "learners" / "u_2.json").exists()


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


def test_backup_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data).open()
    store.add_user(user())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "academy",
            "--data",
            str(data),
            "backup",
            str(tmp_path / "b"),
        ],
        capture_output=True,
        text=True,
    )
    store.close()
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    assert (tmp_path / "b" / "learners" / "u_1.json").exists()

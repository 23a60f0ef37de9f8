"""A damaged data folder is refused with one line naming the file, never repaired."""

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from academy.credentials.keys import KEY_PATH, load_or_create_signing_key
from academy.domain.records import Cohort, Eligibility
from academy.store import DataError, Store
from tests.store.test_store import AT, user

RESTORE = "restore it from a backup or move it aside"


def _site(folder: Path) -> None:
    """A small data folder with a learner, a cohort, a token file and a bucket."""
    store = Store(folder).open()
    store.add_user(user())
    store.save_cohort(Cohort("open", "Open", "UTC", AT))
    store.save_eligibility([Eligibility("ana@example.org")])
    store.close()


def _bucket(folder: Path) -> Path:
    return next((folder / "eligibility").glob("*.json"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:20])


def _folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None], str]] = {
    # case: (the file, what happens to it, what the message says)
    "learner-truncated": (
        lambda f: f / "learners/u_1.json",
        _truncate,
        r"is not valid JSON \(line 1, column \d+\)",
    ),
    "learner-empty": (
        lambda f: f / "learners/u_1.json",
        lambda p: p.write_bytes(b""),
        "is empty",
    ),
    "learner-folder": (
        lambda f: f / "learners/u_dir.json",
        lambda p: p.mkdir(),
        "is a folder where a data file should be",
    ),
    "learner-bad-record": (
        lambda f: f / "learners/u_1.json",
        lambda p: p.write_text('{"user": {"1": {"id": "u_1"}}}'),
        "holds a record the academy cannot read",
    ),
    "learner-not-utf8": (
        lambda f: f / "learners/u_1.json",
        lambda p: p.write_bytes(b'{"user": "\xff"}'),
        "is not UTF-8 text",
    ),
    "learners-file": (
        lambda f: f / "learners",
        lambda p: (shutil.rmtree(p), p.write_text("{}")),
        "is a file where a folder should be",
    ),
    "bucket-parent-file": (
        lambda f: f / "eligibility",
        lambda p: (shutil.rmtree(p), p.write_text("{}")),
        "is a file where a folder should be",
    ),
    "bucket-junk": (_bucket, lambda p: p.write_text("{{{"), "is not valid JSON"),
    "cohorts-junk": (
        lambda f: f / "cohorts.json",
        lambda p: p.write_text("[1,2"),
        r"is not valid JSON \(line 1, column 5\)",
    ),
    "cohorts-not-tables": (
        lambda f: f / "cohorts.json",
        lambda p: p.write_text("[1, 2]"),
        "is JSON but not a database",
    ),
    "cohorts-folder": (
        lambda f: f / "cohorts.json",
        _folder_instead,
        "is a folder where a data file should be",
    ),
    "tokens-junk": (
        lambda f: f / "tokens.json",
        lambda p: p.write_text('{"tokens": '),
        "is not valid JSON",
    ),
    "audit-folder": (
        lambda f: f / "audit.jsonl",
        lambda p: p.mkdir(),
        "is a folder where a data file should be",
    ),
    "journal-junk": (
        lambda f: f / ".commit-journal.json",
        lambda p: p.write_text('{"replace": [["../../etc/passwd", "x"]]}'),
        "is not a journal the academy wrote",
    ),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_damage_refused_on_open_naming_the_file(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "data"
    _site(folder)
    locate, damage, problem = DAMAGE[case]
    path = locate(folder)
    damage(path)
    before = sorted((p, p.is_dir() or p.read_bytes()) for p in folder.rglob("*"))

    with pytest.raises(DataError, match=problem) as raised:
        Store(folder).open()

    message = str(raised.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "restore" in message
    if not case.startswith("journal"):
        assert RESTORE in message
    # Nothing repaired, nothing moved, and the folder is not left locked.
    assert sorted((p, p.is_dir() or p.read_bytes()) for p in folder.rglob("*")) == (
        before
    )
    with pytest.raises(DataError):
        Store(folder).open()


def test_damage_read_after_open_is_a_data_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _site(folder)
    store = Store(folder).open()
    try:
        _bucket(folder).write_text("{{{")
        # Lookups are answered from memory; the next save to the bucket reads it.
        assert store.eligibility("ana@example.org") == Eligibility("ana@example.org")
        with pytest.raises(DataError, match="is not valid JSON"):
            store.save_eligibility([Eligibility("ana@example.org")])
    finally:
        store.close()


def test_damage_missing_cohorts_with_dated_learners_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    store.save_cohort(Cohort("c_spring", "Spring", "UTC", AT, date(2026, 4, 1)))
    store.add_user(user())
    store.add_user(replace(user("u_2", "bo@example.org"), cohort_id="c_spring"))
    store.close()
    (folder / "cohorts.json").unlink()

    with pytest.raises(DataError, match="cohorts.json is missing") as raised:
        Store(folder).open()
    assert "u_2" in str(raised.value) and "c_spring" in str(raised.value)
    assert not (folder / "cohorts.json").exists()  # not re-created empty


def test_damage_missing_cohorts_with_open_learners_opens(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _site(folder)
    (folder / "cohorts.json").unlink()
    store = Store(folder).open()
    assert store.user("u_1") is not None
    store.close()


@pytest.mark.parametrize("existing", [False, True], ids=["absent", "empty"])
def test_damage_new_empty_folder_opens(tmp_path: Path, existing: bool) -> None:
    folder = tmp_path / "new"
    if existing:
        folder.mkdir()
    store = Store(folder).open()
    assert store.user_ids() == [] and store.cohorts() == []
    store.close()


def test_damage_data_folder_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.touch()
    with pytest.raises(DataError) as raised:
        Store(path).open()
    assert str(raised.value) == f"The data folder {path} is a file, not a folder."


def test_damage_data_folder_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    with pytest.raises(DataError, match="part of its path is a file"):
        Store(tmp_path / "f" / "data").open()


def test_damage_lock_file_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "data" / "academy.lock").mkdir(parents=True)
    with pytest.raises(DataError, match="academy.lock: Is a directory"):
        Store(tmp_path / "data").open()


@pytest.mark.parametrize(
    "damage",
    [lambda p: p.write_text("junk"), lambda p: p.mkdir()],
    ids=["junk", "folder"],
)
def test_damage_signing_key_refused(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    path = tmp_path / KEY_PATH
    path.parent.mkdir(mode=0o700)
    damage(path)
    with pytest.raises(DataError) as raised:
        load_or_create_signing_key(tmp_path)
    message = str(raised.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "restore it from a backup" in message and "http" not in message


def test_damage_signing_key_in_a_data_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    with pytest.raises(DataError) as raised:
        load_or_create_signing_key(tmp_path / "f")
    assert (
        str(raised.value)
        == f"The data folder {tmp_path / 'f'} is a file, not a folder."
    )


def test_damage_message_leaves_out_the_bad_bytes(tmp_path: Path) -> None:
    """The message says where the damage is, not what it contains."""
    folder = tmp_path / "data"
    _site(folder)
    (folder / "learners" / "u_1.json").write_text(json.dumps({"user": 1}) + "<script>")
    with pytest.raises(DataError) as raised:
        Store(folder).open()
    assert "<script>" not in str(raised.value)

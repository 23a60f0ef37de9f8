"""The store on both backends: memory and durable files."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from academy.domain.certificate import Certificate
from academy.domain.errors import Conflict
from academy.domain.records import (
    Attempt,
    AuditEntry,
    Cohort,
    CourseRecord,
    Eligibility,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
    ReplyVersion,
    Role,
    User,
)
from academy.store import DataFolderLocked, Store
from academy.store.eligibility import bucket

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "files"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = Store(None if request.param == "memory" else tmp_path / "data").open()
    yield s
    s.close()


def user(uid: str = "u_1", email: str = "Ana@Example.org") -> User:
    return User(uid, email, "Ana", "hash", Role.LEARNER, AT, "open", date(2026, 3, 2))


def test_store_user_round_trip_and_email_lookup_ignores_case(store: Store) -> None:
    store.add_user(user())
    assert store.user("u_1") == user()
    found = store.user_by_email("  ana@EXAMPLE.org ")
    assert found is not None and found.id == "u_1"


def test_store_refuses_duplicate_email(store: Store) -> None:
    store.add_user(user())
    with pytest.raises(Conflict):
        store.add_user(user("u_2", "ana@example.org"))
    assert store.user("u_2") is None


def test_store_learner_data_round_trip(store: Store) -> None:
    store.add_user(user())
    assert store.add_completion("u_1", ModuleCompletion("m1", AT, False))
    assert not store.add_completion("u_1", ModuleCompletion("m1", AT, True))
    attempt = Attempt(
        "a1", "u_1", "q1", 1, AT, {"x": ("a", "b")}, {"x": 1.0}, 100.0, True, False
    )
    store.add_attempt(attempt)
    reply = PracticeReply("u_1", "q1", "r", (ReplyVersion("Hello", AT, False),))
    store.save_reply(reply)
    data = store.learner("u_1")
    assert data is not None
    assert data.completions["m1"].late is False
    assert data.attempts == [attempt]
    assert data.replies["q1/r"] == reply


def test_store_pending_replies_oldest_first_and_cleared_on_review(store: Store) -> None:
    for i, hour in enumerate([12, 9, 15]):
        uid = f"u_{i}"
        store.add_user(user(uid, f"p{i}@example.org"))
        at = AT.replace(hour=hour)
        store.save_reply(PracticeReply(uid, "q1", "r", (ReplyVersion("t", at, False),)))
    assert [p.user_id for p in store.pending_replies()] == ["u_1", "u_0", "u_2"]
    data = store.learner("u_1")
    assert data is not None
    store.save_reply(data.replies["q1/r"].reviewed(ReplyState.APPROVED, "m", AT, "ok"))
    assert [p.user_id for p in store.pending_replies()] == ["u_0", "u_2"]


def test_store_sessions_end_on_server(store: Store) -> None:
    store.add_user(user())
    store.add_session("u_1", "h1", AT)
    store.add_session("u_1", "h2", AT)
    assert store.session_user("h1") == "u_1"
    store.remove_sessions("u_1", "h1")
    assert store.session_user("h1") is None and store.session_user("h2") == "u_1"
    store.remove_sessions("u_1")
    assert store.session_user("h2") is None


def test_store_certificates_by_id(store: Store) -> None:
    store.add_user(user())
    cert = Certificate("c" * 32, "u_1", "Ana", "ana@example.org", AT, "salt")
    store.save_certificate(cert)
    store.save_certificate(cert.revoked(AT, "mistake"))
    found = store.certificate("c" * 32)
    assert found is not None and found.revocation_reason == "mistake"
    assert store.certificate("nope") is None


def test_store_eligibility_batch_and_lookup(store: Store) -> None:
    records = [
        Eligibility(
            f"l{i}@example.org",
            (CourseRecord(f"l{i}@example.org", "L", "c", "C", 90.0, 10, 5, 0, AT),),
        )
        for i in range(300)
    ]
    store.save_eligibility(records)
    assert store.eligibility("L7@example.org") == records[7]
    assert len(store.all_eligibility()) == 300


def test_store_cohorts_and_audit(store: Store) -> None:
    cohort = Cohort("c1", "Spring", "Europe/Paris", AT, date(2026, 4, 1))
    store.save_cohort(cohort)
    assert cohort in store.cohorts()
    store.append_audit(
        AuditEntry(
            AT, "m1", "eligibility.override", "a@example.org", "eligible", "checked"
        )
    )
    assert store.audit()[-1].reason == "checked"


def test_store_files_survive_reopen(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = Store(folder).open()
    first.add_user(user())
    first.add_session("u_1", "h1", AT)
    first.append_audit(AuditEntry(AT, "m", "x", "u_1"))
    first.close()
    again = Store(folder).open()
    assert again.user_by_email("ana@example.org") is not None
    assert again.session_user("h1") == "u_1"
    assert len(again.audit()) == 1
    again.close()


def test_store_second_process_refused(tmp_path: Path) -> None:
    first = Store(tmp_path / "data").open()
    with pytest.raises(DataFolderLocked, match="in use by another"):
        Store(tmp_path / "data").open()
    first.close()


def test_store_write_touches_only_one_learner_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    for i in range(20):
        store.add_user(user(f"u_{i}", f"x{i}@example.org"))
    before = {p.name: p.stat().st_mtime_ns for p in (folder / "learners").iterdir()}
    store.add_completion("u_3", ModuleCompletion("m1", AT, False))
    after = {p.name: p.stat().st_mtime_ns for p in (folder / "learners").iterdir()}
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["u_3.json"]
    store.close()


def test_store_files_are_valid_json_without_temp_leftovers(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    store.add_user(user())
    store.close()
    assert not list(folder.rglob("*.tmp"))
    json.loads((folder / "learners" / "u_1.json").read_text())


def test_store_skips_torn_last_audit_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    store.append_audit(AuditEntry(AT, "m", "x", "u_1"))
    store.close()
    with open(folder / "audit.jsonl", "a") as handle:
        handle.write('{"at": "2026-')
    again = Store(folder).open()
    assert len(again.audit()) == 1
    again.close()


def test_store_parallel_writes_to_one_learner_lose_nothing(store: Store) -> None:
    store.add_user(user())

    def write(n: int) -> None:
        store.add_attempt(
            Attempt(f"a{n}", "u_1", "q", n, AT, {}, {}, 0.0, False, False)
        )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = store.learner("u_1")
    assert data is not None and len(data.attempts) == 20


def test_store_new_record_costs_one_durable_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from academy.store.storage import DurableJSONStorage

    store = Store(tmp_path / "data").open()
    writes: list[dict[str, object]] = []
    original = DurableJSONStorage.write_encoded

    def counting(self: DurableJSONStorage, data: bytes) -> None:
        writes.append(json.loads(data))
        original(self, data)

    monkeypatch.setattr(DurableJSONStorage, "write_encoded", counting)
    store.add_user(user())
    assert len(writes) == 1 and writes[0]["user"]
    store.save_reply(PracticeReply("u_1", "q1", "r", (ReplyVersion("t", AT, False),)))
    assert len(writes) == 2
    store.close()


@pytest.mark.parametrize(
    "user_id",
    ["../cohorts", "../../evil", "u_1\x00", "", "a/b", "x" * 65],
    ids=["parent", "outside", "nul", "empty", "slash", "long"],
)
def test_store_learner_id_that_is_no_file_name_is_nobody(
    tmp_path: Path, user_id: str
) -> None:
    store = Store(tmp_path / "data").open()
    (tmp_path / "evil.json").write_text("[1, 2]")
    try:
        assert store.learner(user_id) is None
        with pytest.raises(ValueError, match="not a learner id"):
            store.save_user(user(user_id))
    finally:
        store.close()


def test_store_new_session_forgets_expired_ones(store: Store) -> None:
    from datetime import timedelta

    store.add_user(user())
    store.add_session("u_1", "old", AT)
    store.add_session("u_1", "recent", AT + timedelta(days=20))

    later = AT + timedelta(days=31)
    store.add_session("u_1", "new", later, forget_before=later - timedelta(days=30))

    assert store.session_user("old") is None
    assert store.session_user("recent") == "u_1"
    assert store.session_user("new") == "u_1"
    raw = store._raw("learners/u_1")
    assert raw is not None
    assert sorted(r["token_hash"] for r in raw["sessions"].values()) == [
        "new",
        "recent",
    ]


# -- a save over many eligibility buckets: all of them, or none ---------------

EMAILS = [f"bulk{i}@example.org" for i in range(6)]


def _records(grade: float) -> list[Eligibility]:
    return [
        Eligibility(e, (CourseRecord(e, "B", "c", "C", grade, 1, 0, 0, AT),))
        for e in EMAILS
    ]


def _grades(store: Store) -> set[float]:
    """The grades on file for EMAILS: one value if the buckets agree."""
    found = [store.eligibility(e) for e in EMAILS]
    return {r.courses[0].grade_percent if r else -1.0 for r in found}


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, not even cleanup."""


def _fail_on(
    monkeypatch: pytest.MonkeyPatch, name: str, n: int, error: type[BaseException]
) -> list[int]:
    """Make os.<name> raise `error` on its nth call (a Crash: on every call from
    the nth on, as nothing runs after a crash). Returns the call counter."""
    import os

    original = getattr(os, name)
    calls = [0]

    def failing(*args: object) -> object:
        calls[0] += 1
        if calls[0] == n or (error is Crash and calls[0] > n):
            raise error()
        return original(*args)

    monkeypatch.setattr(os, name, failing)
    return calls


def _bulk_store(folder: Path) -> Store:
    store = Store(folder).open()
    assert len({bucket(e) for e in EMAILS}) == len(EMAILS)
    store.save_eligibility(_records(50.0))
    return store


# A save of 6 buckets makes 11 fsyncs (the 6 files and their folder, the journal
# and the data folder, both folders again after the renames) and 7 renames (the
# journal's, then the 6 buckets'): every one of them is made to fail in turn.
@pytest.mark.parametrize("n", range(1, 12), ids=lambda n: f"fsync-{n}")
def test_store_eligibility_save_interrupted_while_staging_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    _fail_on(monkeypatch, "fsync", n, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        store.save_eligibility(_records(90.0))
    monkeypatch.undo()

    assert _grades(store) in ({50.0}, {90.0})
    assert not list(folder.rglob("*.tmp"))
    store.close()
    again = Store(folder).open()
    assert _grades(again) in ({50.0}, {90.0})
    again.close()


@pytest.mark.parametrize("n", range(1, 8), ids=lambda n: f"rename-{n}")
def test_store_eligibility_save_interrupted_while_renaming_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    _fail_on(monkeypatch, "replace", n, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        store.save_eligibility(_records(90.0))
    monkeypatch.undo()

    # The first rename is the journal's: before it, nothing; after, everything.
    assert _grades(store) == ({50.0} if n == 1 else {90.0})
    assert not list(folder.rglob("*.tmp"))
    assert not (folder / ".commit-journal.json").exists()
    store.close()


@pytest.mark.parametrize("n", range(1, 8), ids=lambda n: f"rename-{n}")
def test_store_eligibility_save_cut_by_crash_is_finished_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    _fail_on(monkeypatch, "replace", n, Crash)
    with pytest.raises(Crash):
        store.save_eligibility(_records(90.0))
    monkeypatch.undo()
    if n > 1:  # committed: the journal survives the crash, to be finished
        assert (folder / ".commit-journal.json").exists()
    store.close()

    again = Store(folder).open()
    assert _grades(again) == ({50.0} if n == 1 else {90.0})
    assert not list(folder.rglob("*.tmp"))
    assert not (folder / ".commit-journal.json").exists()
    again.close()


def test_store_eligibility_save_after_unfinished_commit_finishes_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    _fail_on(monkeypatch, "replace", 3, Crash)  # the disk fails mid-commit
    with pytest.raises(Crash):
        store.save_eligibility(_records(90.0))
    monkeypatch.undo()

    # The server lives on: reads see the whole commit, and a later write to
    # one of its buckets is not undone when the journal is applied.
    assert _grades(store) == {90.0}
    store.save_eligibility(_records(70.0)[:1])
    store.close()
    again = Store(folder).open()
    first = again.eligibility(EMAILS[0])
    assert first is not None and first.courses[0].grade_percent == 70.0
    second = again.eligibility(EMAILS[1])
    assert second is not None and second.courses[0].grade_percent == 90.0
    again.close()


def test_store_eligibility_save_failing_midway_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import academy.store.eligibility as module

    store.save_eligibility(_records(50.0))
    calls = [0]
    original = module.to_doc

    def failing(value: object) -> object:
        calls[0] += 1
        if calls[0] == 4:
            raise KeyboardInterrupt
        return original(value)

    monkeypatch.setattr(module, "to_doc", failing)
    with pytest.raises(KeyboardInterrupt):
        store.save_eligibility(_records(90.0))
    assert _grades(store) == {50.0}


def test_store_eligibility_save_rewrites_only_buckets_it_changes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    buckets = sorted(folder / f"{bucket(e)}.json" for e in EMAILS[2:4])
    # Each file is renamed into place, so a rewritten file has a new inode.
    before = {p: p.stat().st_ino for p in (folder / "eligibility").iterdir()}
    store.save_eligibility(_records(90.0)[2:4])
    after = {p: p.stat().st_ino for p in (folder / "eligibility").iterdir()}
    assert sorted(p for p in before if before[p] != after[p]) == buckets
    assert _grades(store) == {50.0, 90.0}
    store.close()


def test_store_open_removes_temporary_files_a_crash_left(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = _bulk_store(folder)
    store.close()
    leftover = folder / "eligibility" / ".0a.json.x1y2z3.tmp"
    leftover.write_text('{"records": {}}')
    Store(folder).open().close()
    assert not leftover.exists()


def test_store_audit_entry_after_torn_line_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store(folder).open()
    store.append_audit(AuditEntry(AT, "m", "x", "u_1"))
    store.close()
    with open(folder / "audit.jsonl", "a") as handle:
        handle.write('{"at": "2026-')  # a crash mid-append
    again = Store(folder).open()
    again.append_audit(AuditEntry(AT, "m", "y", "u_2"))
    again.close()
    third = Store(folder).open()
    assert [e.action for e in third.audit()] == ["x", "y"]
    third.close()


def test_store_in_a_relative_folder_saves_several_buckets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `var`, relative to the working folder, is the default data folder.
    monkeypatch.chdir(tmp_path)
    store = _bulk_store(Path("var"))
    store.save_eligibility(_records(90.0))
    assert _grades(store) == {90.0}
    store.close()
    again = Store(Path("var")).open()
    assert _grades(again) == {90.0}
    again.close()


def test_store_all_eligibility_from_memory_and_current_after_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _bulk_store(tmp_path / "data")
    read = []
    original = store._raw
    monkeypatch.setattr(store, "_raw", lambda name: read.append(name) or original(name))
    store.save_eligibility(_records(90.0)[:1])
    listed = {r.email: r.courses[0].grade_percent for r in store.all_eligibility()}
    assert listed == {e: 90.0 if e == EMAILS[0] else 50.0 for e in EMAILS}
    assert not [name for name in read if name not in {bucket(EMAILS[0])}]
    store.close()


@pytest.mark.parametrize(
    ("n", "grade"), [(1, 50.0), (4, 90.0)], ids=["before", "after"]
)
def test_store_all_eligibility_after_a_save_interrupted_while_renaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, grade: float
) -> None:
    # The first rename is the journal's: the save is committed after it.
    store = _bulk_store(tmp_path / "data")
    _fail_on(monkeypatch, "replace", n, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        store.save_eligibility(_records(90.0))
    monkeypatch.undo()
    listed = {r.email: r.courses[0].grade_percent for r in store.all_eligibility()}
    assert listed == dict.fromkeys(EMAILS, grade)
    store.close()

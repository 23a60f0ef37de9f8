"""Simultaneous requests never break the rules that the domain keeps."""

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from argon2 import PasswordHasher, Type

from academy.clock import FrozenClock
from academy.domain.errors import QuizClosed
from academy.services.academy import Academy
from academy.store.learners import decode
from tests.factories import learner


def test_simultaneous_submissions_never_exceed_max_attempts(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    clock.advance(timedelta(hours=1))
    results: list[str] = []
    barrier = threading.Barrier(8)

    def submit() -> None:
        barrier.wait()
        try:
            academy.learning.submit_attempt(user, "mentor-role", {})
            results.append("ok")
        except QuizClosed:
            results.append("closed")

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = academy.store.learner(user.id)
    assert data is not None
    assert len(data.attempts) == 3 == results.count("ok")
    assert sorted(a.number for a in data.attempts) == [1, 2, 3]


def test_reads_racing_submissions_keep_what_the_file_holds(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    clock.advance(timedelta(days=13, hours=1))
    quizzes = [q.slug for q in academy.ctx.content.curriculum.ordered_quizzes][:4]
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            # Forgotten each time, so every read goes to the file mid-write.
            academy.store._recent.clear()
            academy.store.learner(user.id)

    def submit(slug: str) -> None:
        for _ in range(3):
            academy.learning.submit_attempt(user, slug, {})

    readers = [threading.Thread(target=read) for _ in range(3)]
    writers = [threading.Thread(target=submit, args=(slug,)) for slug in quizzes]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in readers:
        t.join()

    on_file = decode(academy.store._raw(f"learners/{user.id}"))
    assert on_file is not None and len(on_file.data.attempts) == 12
    assert academy.store.learner(user.id) == on_file.data


def test_simultaneous_completions_record_one(academy: Academy) -> None:
    user = learner(academy)
    threads = [
        threading.Thread(
            target=academy.learning.complete_module, args=(user, "mentor-role")
        )
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = academy.store.learner(user.id)
    assert data is not None and list(data.completions) == ["mentor-role"]


def test_rehash_on_sign_in_keeps_a_change_saved_meanwhile(
    academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = learner(academy)
    accounts = academy.accounts
    # Stronger parameters than the stored hash's, so signing in rehashes.
    accounts.hasher = PasswordHasher(
        time_cost=accounts.hasher.time_cost + 1,
        memory_cost=accounts.hasher.memory_cost,
        parallelism=1,
        type=Type.ID,
    )
    real_hash = accounts._hash

    def hash_while_renamed(password: str) -> str:
        # Another request saves a change while the slow hash runs.
        current = academy.store.user(user.id)
        assert current is not None
        academy.store.save_user(replace(current, name="Ana Renamed"))
        return real_hash(password)

    monkeypatch.setattr(accounts, "_hash", hash_while_renamed)
    signed_in = accounts.authenticate(user.email, "correct horse battery", "c")

    stored = academy.store.user(user.id)
    assert stored is not None and stored.name == "Ana Renamed"
    assert stored.password_hash != user.password_hash
    assert signed_in == stored

"""Simultaneous requests never break the rules that the domain keeps."""

import threading
from datetime import timedelta

from academy.clock import FrozenClock
from academy.domain.errors import QuizClosed
from academy.services.academy import Academy
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

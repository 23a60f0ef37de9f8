"""The cohort overview is kept until a learner changes or the minute turns.

Its inputs, the summaries and the quiz results, are built at start-up.
"""

from datetime import timedelta

import pytest

from academy.clock import FrozenClock
from academy.domain.records import OPEN_COHORT_ID
from academy.services.academy import Academy
from academy.services.demo_answers import correct_answers
from academy.settings import Settings
from academy.store import Store
from tests.factories import learner


def test_overview_cached_until_a_learner_changes(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    first = academy.manage.overview(OPEN_COHORT_ID, {})
    assert academy.manage.overview(OPEN_COHORT_ID, {}) is first
    academy.learning.complete_module(user, "mentor-role")
    second = academy.manage.overview(OPEN_COHORT_ID, {})
    assert second is not first
    assert second.rows.items[0][0].modules_done == 1


def test_overview_rebuilt_when_the_minute_turns(
    academy: Academy, clock: FrozenClock
) -> None:
    learner(academy)
    first = academy.manage.overview(OPEN_COHORT_ID, {})
    clock.advance(timedelta(minutes=1))
    assert academy.manage.overview(OPEN_COHORT_ID, {}) is not first


def test_overview_cache_keys_on_the_filter(academy: Academy) -> None:
    learner(academy)
    everyone = academy.manage.overview(OPEN_COHORT_ID, {})
    searched = academy.manage.overview(OPEN_COHORT_ID, {"q": "nobody-matches"})
    assert searched is not everyone and searched.rows.items == ()


def _reopened(academy: Academy, settings: Settings, clock: FrozenClock) -> Academy:
    """An academy over the same data folder, not yet opened."""
    academy.close()
    return Academy(settings, clock)


def test_start_reads_each_learner_once_and_builds_quiz_results(
    academy: Academy,
    settings: Settings,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = [learner(academy, f"l{i}@example.org", f"Learner {i}") for i in range(3)]
    for user in users[:2]:
        academy.learning.submit_attempt(
            user,
            "mentor-role",
            correct_answers(academy.ctx.content.curriculum.quizzes["mentor-role"]),
        )
    again = _reopened(academy, settings, clock)
    reads: list[str] = []
    original = Store._raw

    def counting(store: Store, name: str) -> object:
        reads.append(name)
        return original(store, name)

    monkeypatch.setattr(Store, "_raw", counting)
    again.open()
    learner_reads = sorted(n for n in reads if n.startswith("learners/"))
    assert learner_reads == sorted(f"learners/{u.id}" for u in users)

    reads.clear()
    overview = again.manage.overview(OPEN_COHORT_ID, {})
    report = again.quiz_results.report("mentor-role")
    assert reads == []  # the first page after a start reads no file
    assert len(overview.rows.items) == 3
    assert report.learners == 2
    again.close()

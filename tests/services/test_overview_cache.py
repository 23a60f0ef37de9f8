"""The cohort overview is kept until a learner changes or the minute turns."""

from datetime import timedelta

from academy.clock import FrozenClock
from academy.domain.records import OPEN_COHORT_ID
from academy.services.academy import Academy
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

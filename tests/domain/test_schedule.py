from datetime import UTC, date, datetime

import pytest

from academy.domain.schedule import Schedule


@pytest.mark.parametrize(
    ("timezone", "day", "expected"),
    [
        ("UTC", 1, datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
        ("UTC", 5, datetime(2026, 3, 6, 0, 0, tzinfo=UTC)),
        ("Asia/Tokyo", 1, datetime(2026, 3, 1, 15, 0, tzinfo=UTC)),
        ("America/New_York", 14, datetime(2026, 3, 15, 4, 0, tzinfo=UTC)),
    ],
    ids=["utc-day-1", "utc-day-5", "tokyo-day-1", "new-york-after-dst-change"],
)
def test_schedule_opens_at_local_midnight(
    timezone: str, day: int, expected: datetime
) -> None:
    schedule = Schedule(date(2026, 3, 2), timezone)
    assert schedule.opens_at(day) == expected


def test_schedule_due_at_end_of_day_14() -> None:
    schedule = Schedule(date(2026, 3, 2), "UTC")
    assert schedule.due_at == datetime(2026, 3, 16, tzinfo=UTC)
    assert not schedule.is_late(datetime(2026, 3, 15, 23, 59, tzinfo=UTC))
    assert schedule.is_late(datetime(2026, 3, 16, 0, 0, tzinfo=UTC))


def test_schedule_extension_moves_due_date_only() -> None:
    plain = Schedule(date(2026, 3, 2), "UTC")
    extended = Schedule(date(2026, 3, 2), "UTC", extension_days=5)
    assert extended.due_at == datetime(2026, 3, 21, tzinfo=UTC)
    assert extended.opens_at(7) == plain.opens_at(7)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), 0),
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), 1),
        (datetime(2026, 3, 15, 12, 0, tzinfo=UTC), 14),
        (datetime(2026, 3, 20, 12, 0, tzinfo=UTC), 19),
    ],
    ids=["before-start", "first-moment", "last-day", "after-due"],
)
def test_schedule_day_number(moment: datetime, day: int) -> None:
    assert Schedule(date(2026, 3, 2), "UTC").day_number(moment) == day


def test_schedule_is_open_only_from_its_day() -> None:
    schedule = Schedule(date(2026, 3, 2), "UTC")
    assert not schedule.is_open(3, datetime(2026, 3, 3, 23, 59, tzinfo=UTC))
    assert schedule.is_open(3, datetime(2026, 3, 4, 0, 0, tzinfo=UTC))

"""When each day of the training opens, and when the training is due."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TRAINING_DAYS = 14
# A cohort starting further from today than this is a typing mistake (2062
# for 2026); dates near the years 1 or 9999 would also overflow the schedule.
START_EARLIEST = timedelta(days=366)
START_LATEST = timedelta(days=731)
MAX_TIMEZONE = 64


def is_timezone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    if not name or len(name) > MAX_TIMEZONE:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError, RecursionError):
        # Not found is a KeyError; odd keys raise the others.
        return False
    return True


def start_date_problem(start: date, today: date) -> str | None:
    """Why a cohort may not start on `start`, or None if it may."""
    earliest, latest = today - START_EARLIEST, today + START_LATEST
    if not earliest <= start <= latest:
        return f"Choose a start date from {earliest} to {latest}."
    return None


@dataclass(frozen=True)
class Schedule:
    """A learner's calendar: day 1 starts at local midnight of `start_date`."""

    start_date: date
    timezone: str
    extension_days: int = 0

    def _local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(self.timezone))

    def opens_at(self, day: int) -> datetime:
        """The moment (UTC) day `day` of the training begins."""
        start = self.start_date + timedelta(days=day - 1)
        return self._local_midnight(start).astimezone(UTC)

    @property
    def due_at(self) -> datetime:
        """The end of day 14, pushed back by any extension."""
        last = self.start_date + timedelta(days=TRAINING_DAYS + self.extension_days)
        return self._local_midnight(last).astimezone(UTC)

    def is_open(self, day: int, now: datetime) -> bool:
        return now >= self.opens_at(day)

    def is_late(self, moment: datetime) -> bool:
        return moment >= self.due_at

    def day_number(self, now: datetime) -> int:
        """Which training day `now` falls on; 0 or less before the start."""
        local = now.astimezone(ZoneInfo(self.timezone)).date()
        return (local - self.start_date).days + 1

    def calendar(self) -> tuple[date, ...]:
        """The local dates of days 1 to 14."""
        return tuple(self.start_date + timedelta(days=i) for i in range(TRAINING_DAYS))

"""When each day of the training opens, and when the training is due."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TRAINING_DAYS = 14


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

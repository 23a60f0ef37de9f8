"""One line per learner, kept in memory, for overviews across thousands."""

import threading
from dataclasses import dataclass
from datetime import datetime

from academy.domain.certificate import CertificateStatus
from academy.domain.eligibility import decide
from academy.domain.progress import Progress, Status, compute_progress, judge_status
from academy.domain.records import Eligibility, Role
from academy.domain.schedule import TRAINING_DAYS
from academy.services.context import Context
from academy.store import LearnerData


@dataclass(frozen=True)
class LearnerSummary:
    user_id: str
    name: str
    email: str
    cohort_id: str
    modules_done: int
    quizzes_passed: int
    replies_approved: int
    replies_pending: int
    items_done: int
    items_total: int
    percent: int
    completed_at: datetime | None
    due_at: datetime
    behind_after: datetime | None  # when an unfinished, open item becomes overdue
    last_active_at: datetime | None
    eligible: bool
    certified: bool
    extension_days: int
    days_done: int = 0  # days 1..N, counted from day 1, whose work is all done

    def status(self, now: datetime) -> Status:
        """Progress.status's rule, from the summary's fields.

        `behind_after` is empty exactly when no work is the learner's to do.
        """
        owes = self.behind_after
        return judge_status(
            certified=self.certified,
            complete=self.completed_at is not None,
            owes_work=owes is not None,
            overdue=owes is not None and now >= owes,
            past_due=now >= self.due_at,
        )


def summarise(
    ctx: Context, data: LearnerData, progress: Progress, record: Eligibility | None
) -> LearnerSummary:
    """The learner's line; `record` is their eligibility record, if any."""
    user = data.user
    now = ctx.now()
    schedule = ctx.schedule(user)
    # A module left undone becomes "behind" at the start of the day after it opened.
    undone_days = [m.module.day for m in progress.modules if not m.done]
    behind_after = schedule.opens_at(min(undone_days) + 1) if undone_days else None
    days_done = min(undone_days) - 1 if undone_days else TRAINING_DAYS
    activity = [c.completed_at for c in data.completions.values()]
    activity += [a.submitted_at for a in data.attempts]
    activity += [r.latest.submitted_at for r in data.replies.values()]
    decision = decide(record, ctx.content.program.thresholds)
    return LearnerSummary(
        user_id=user.id,
        name=user.name,
        email=user.email,
        cohort_id=user.cohort_id,
        modules_done=progress.modules_done,
        quizzes_passed=progress.quizzes_passed,
        replies_approved=progress.replies_approved,
        replies_pending=sum(1 for r in progress.replies if r.state == "pending"),
        items_done=progress.items_done,
        items_total=progress.items_total,
        percent=progress.percent,
        completed_at=progress.completed_at,
        due_at=progress.due_at,
        behind_after=behind_after,
        last_active_at=max(activity, default=user.last_active_at),
        eligible=decision.eligible,
        certified=any(
            c.status(now) is CertificateStatus.VALID for c in data.certificates
        ),
        extension_days=user.extension_days,
        days_done=days_done,
    )


def progress_of(ctx: Context, data: LearnerData) -> Progress:
    return compute_progress(
        ctx.content.curriculum,
        ctx.schedule(data.user),
        data.completions,
        data.attempts,
        data.replies,
        ctx.now(),
    )


class SummaryIndex:
    """Summaries of every learner, refreshed after each change to one of them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._items: dict[str, LearnerSummary] = {}
        self._lock = threading.Lock()
        # Bumped on every change, so views built from summaries can be cached.
        self.version = 0

    def build(self) -> None:
        """Read every learner again (after data was written behind the index)."""
        for user_id in self.ctx.store.user_ids():
            self.refresh(user_id)

    def refresh(self, user_id: str) -> LearnerSummary | None:
        """Summarise one learner again from their file; None for a manager."""
        data = self.ctx.store.learner(user_id)
        if data is None:
            self._forget(user_id)
            return None
        return self.add(data, self.ctx.store.eligibility(data.user.email))

    def add(
        self, data: LearnerData, record: Eligibility | None
    ) -> LearnerSummary | None:
        """Summarise a learner already read, with their eligibility record."""
        if data.user.role is Role.MANAGER:
            self._forget(data.user.id)
            return None
        summary = summarise(self.ctx, data, progress_of(self.ctx, data), record)
        with self._lock:
            self._items[data.user.id] = summary
            self.version += 1
        return summary

    def _forget(self, user_id: str) -> None:
        with self._lock:
            if self._items.pop(user_id, None) is not None:
                self.version += 1

    def all(self) -> list[LearnerSummary]:
        with self._lock:
            return list(self._items.values())

    def get(self, user_id: str) -> LearnerSummary | None:
        with self._lock:
            return self._items.get(user_id)

"""Cohorts for the manager: the list with counts, one cohort's overview, new ones.

Overviews across learners work from the in-memory summaries and quiz results,
never from one file read per row, so they stay fast with thousands of
learners.
"""

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime

from academy.domain.errors import Invalid, NotFound
from academy.domain.itemstats import score_histogram
from academy.domain.progress import Status
from academy.domain.records import Cohort
from academy.domain.schedule import (
    TRAINING_DAYS,
    Schedule,
    is_timezone,
    start_date_problem,
)
from academy.services.certificates import Certificates
from academy.services.charts import BarChart, bar_chart
from academy.services.console_views import CohortOverview, CohortRow, Home
from academy.services.context import Context, new_id
from academy.services.listing import STATUS_ORDER, LearnerFilter, paginate
from academy.services.quiz_results import HISTOGRAM_BINS, QuizResults
from academy.services.quiz_statistics import score_chart
from academy.services.summaries import LearnerSummary, SummaryIndex

MAX_COHORT_NAME = 100
OVERVIEW_CACHE = 64


class Cohorts:
    """The cohorts a manager runs, and the console's home page over them."""

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        certificates: Certificates,
        quiz_results: QuizResults,
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.certificates = certificates
        self.quiz_results = quiz_results
        # Overviews of big cohorts take a while to build; they are kept until a
        # learner changes (summaries.version) or the minute turns (statuses
        # depend on the time).
        self._overviews: OrderedDict[Hashable, CohortOverview] = OrderedDict()
        self._overviews_lock = threading.Lock()

    def home(self) -> Home:
        """Cohorts with their counts, the review queue and certificates due."""
        pending = self.ctx.store.pending_replies()
        return Home(
            cohorts=tuple(self.cohort_rows()),
            learners=len(self.summaries.all()),
            review_queue=len(pending),
            oldest_review=pending[0].submitted_at if pending else None,
            certificates_due=len(self.certificates.ready()),
        )

    def cohort_rows(self) -> list[CohortRow]:
        """Dated cohorts, newest start first, then the open cohort."""
        now = self.ctx.now()
        counts: dict[str, Counter[Status]] = {}
        for s in self.summaries.all():
            counts.setdefault(s.cohort_id, Counter())[s.status(now)] += 1
        cohorts = sorted(
            self.ctx.store.cohorts(),
            key=lambda c: (c.is_open, -(c.start_date or date.min).toordinal()),
        )
        return [
            CohortRow(
                cohort=c,
                total=sum(counts.get(c.id, Counter()).values()),
                counts={s: counts.get(c.id, Counter())[s] for s in STATUS_ORDER},
            )
            for c in cohorts
        ]

    def cohort(self, cohort_id: str) -> Cohort:
        """The cohort with this id; NotFound otherwise."""
        cohort = self.ctx.cohort(cohort_id)
        if cohort is None:
            raise NotFound("There is no such cohort.")
        return cohort

    def dated_cohorts(self) -> tuple[Cohort, ...]:
        """Cohorts with a shared start date, latest start first."""
        cohorts = [c for c in self.ctx.store.cohorts() if not c.is_open]
        return tuple(
            sorted(cohorts, key=lambda c: c.start_date or date.min, reverse=True)
        )

    def create_cohort(
        self, name: str, start_date: str, timezone: str, actor: str
    ) -> Cohort:
        """A dated cohort; Invalid names each field that is wrong."""
        errors: dict[str, str] = {}
        name = " ".join(name.split())
        if not name or len(name) > MAX_COHORT_NAME:
            errors["name"] = f"Name the cohort (1 to {MAX_COHORT_NAME} characters)."
        elif any(
            c.name.casefold() == name.casefold() for c in self.ctx.store.cohorts()
        ):
            errors["name"] = "A cohort with this name exists; choose another name."
        try:
            start = date.fromisoformat(start_date.strip())
        except ValueError:
            errors["start_date"] = "Give the start date as YYYY-MM-DD."
        else:
            problem = start_date_problem(start, self.ctx.now().date())
            if problem:
                errors["start_date"] = problem
        timezone = timezone.strip()
        if not is_timezone(timezone):
            errors["timezone"] = (
                "Give an IANA time zone such as Europe/Berlin or America/New_York."
            )
        if errors:
            raise Invalid("The cohort could not be created.", errors)

        cohort = Cohort(new_id("c"), name, timezone, self.ctx.now(), start)
        self.ctx.store.save_cohort(cohort)
        self.ctx.audit(
            actor, "cohort.create", cohort.id, f"{name}, day 1 on {start} ({timezone})"
        )
        return cohort

    def overview(self, cohort_id: str, params: Mapping[str, str]) -> CohortOverview:
        """Every learner of a cohort, filtered, sorted and paged, with two charts."""
        cohort = self.cohort(cohort_id)
        now = self.ctx.now()
        key = (
            cohort,
            LearnerFilter.parse(params),
            self.summaries.version,
            now.replace(second=0, microsecond=0),
        )
        with self._overviews_lock:
            cached = self._overviews.get(key)
            if cached is not None:
                self._overviews.move_to_end(key)
                return cached
        overview = self._build_overview(cohort, params, now)
        with self._overviews_lock:
            self._overviews[key] = overview
            while len(self._overviews) > OVERVIEW_CACHE:
                self._overviews.popitem(last=False)
        return overview

    def _build_overview(
        self, cohort: Cohort, params: Mapping[str, str], now: datetime
    ) -> CohortOverview:
        members = [s for s in self.summaries.all() if s.cohort_id == cohort.id]
        chosen = LearnerFilter.parse(params)
        statuses = Counter(s.status(now) for s in members)
        day = None
        if cohort.start_date is not None:
            day = Schedule(cohort.start_date, cohort.timezone).day_number(now)
        return CohortOverview(
            cohort=cohort,
            filter=chosen,
            rows=paginate(chosen.apply(members, now), chosen.page),
            counts={s: statuses[s] for s in STATUS_ORDER},
            total=len(members),
            day=day,
            progress_chart=self._progress_chart(members, day),
            quiz_charts=self._quiz_charts(members),
        )

    def _progress_chart(
        self, members: Sequence[LearnerSummary], day: int | None
    ) -> BarChart:
        total = len(members)
        shares = [
            100.0 * sum(1 for s in members if s.days_done >= d) / total
            if total
            else 0.0
            for d in range(1, TRAINING_DAYS + 1)
        ]
        finished = shares[-1]
        if total:
            description = (
                f"Of {total} learners, {shares[0]:.0f}% have done their part of "
                f"day 1 and {finished:.0f}% their part of every day (practice "
                "replies sent count as done while they wait for review)."
            )
        else:
            description = "No learners are enrolled in this cohort yet."
        if day is not None and 1 <= day <= TRAINING_DAYS:
            description += f" Today is day {day}."
        return bar_chart(
            id="progress",
            title="How far the cohort has got",
            description=description,
            labels=[str(d) for d in range(1, TRAINING_DAYS + 1)],
            values=shares,
            value_labels=[f"{v:.0f}%" for v in shares],
            x_title="Day of the training",
            y_title="Learners who finished it, %",
            headers=("Day", "Learners who finished all work up to that day"),
            maximum=100.0,
            tick_format="{:.0f}%",
            highlight=day - 1
            if day is not None and 1 <= day <= TRAINING_DAYS
            else None,
            width=1080.0,
            height=280.0,
        )

    def _quiz_charts(self, members: Sequence[LearnerSummary]) -> tuple[BarChart, ...]:
        user_ids = [s.user_id for s in members]
        charts = []
        for quiz in self.ctx.content.curriculum.ordered_quizzes:
            best = self.quiz_results.best_percents(quiz.slug, user_ids)
            passed = sum(1 for p in best if p >= quiz.pass_percent)
            description = (
                f"Best scores of the {len(best)} learners who attempted it; "
                f"{passed} reached the pass mark of {quiz.pass_percent}%."
                if best
                else "Nobody in this cohort has attempted this quiz yet."
            )
            counts = score_histogram(best, HISTOGRAM_BINS)
            charts.append(
                score_chart(f"quiz-{quiz.slug}", quiz.title, description, counts)
            )
        return tuple(charts)

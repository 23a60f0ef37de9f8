"""The community manager's use cases: cohorts, learners, reviews, the audit log.

Overviews across learners work from the in-memory summaries and quiz results,
never from one file read per row, so they stay fast with thousands of
learners. Every change a manager makes is written to the audit log, here or in
the service that makes it.
"""

import logging
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TypeVar

from academy.domain.certificate import CertificateStatus
from academy.domain.curriculum import Module, Option, Question, QuestionKind, Quiz
from academy.domain.eligibility import Decision, decide
from academy.domain.errors import Conflict, Invalid, NotFound
from academy.domain.itemstats import score_histogram
from academy.domain.progress import Status
from academy.domain.records import (
    Attempt,
    AuditEntry,
    Cohort,
    PracticeReply,
    ReplyState,
    User,
)
from academy.domain.schedule import (
    TRAINING_DAYS,
    Schedule,
    is_timezone,
    start_date_problem,
)
from academy.services.certificates import Certificates, require_reason
from academy.services.charts import (
    BarChart,
    bar_chart,
    histogram_edges,
    histogram_labels,
)
from academy.services.console_views import (
    AnswerView,
    AttemptView,
    AuditPage,
    CertificateView,
    CohortOverview,
    CohortRow,
    EligibilityRow,
    Home,
    LearnerRecord,
    QuizHistory,
    QuizPage,
    ReplyView,
    ReviewItem,
)
from academy.services.context import Context, new_id
from academy.services.eligibility import EligibilityService, ImportReport
from academy.services.listing import (
    NEVER,
    STATUS_ORDER,
    AuditFilter,
    LearnerFilter,
    Page,
    matches,
    page_number,
    paginate,
    search_text,
)
from academy.services.reports import HISTOGRAM_BINS, QuizReport, QuizResults
from academy.services.summaries import LearnerSummary, SummaryIndex, progress_of
from academy.store import LearnerData, email_key

logger = logging.getLogger(__name__)
T = TypeVar("T")

REVIEWS_PER_PAGE = 10
MAX_EXTENSION_DAYS = 60
MAX_COHORT_NAME = 100
MAX_COMMENT = 2000

# Ids come from URLs and forms; only this shape may name a learner's file.
USER_ID = re.compile(r"^u_[0-9a-f]{16}$")


OVERRIDES: dict[str, bool | None] = {
    "eligible": True,
    "not-eligible": False,
    "clear": None,
}


OVERVIEW_CACHE = 64


class Manage:
    """Use cases of the manager's console, over the academy's other services."""

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        certificates: Certificates,
        eligibility: EligibilityService,
        quiz_results: QuizResults,
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.certificates = certificates
        self.eligibility = eligibility
        self.quiz_results = quiz_results
        # Overviews of big cohorts take a while to build; they are kept until a
        # learner changes (summaries.version) or the minute turns (statuses
        # depend on the time).
        self._overviews: OrderedDict[Hashable, CohortOverview] = OrderedDict()
        self._overviews_lock = threading.Lock()

    # -- home and cohorts ---------------------------------------------------

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
                f"Of {total} learners, {shares[0]:.0f}% have finished all the work of "
                f"day 1 and {finished:.0f}% have finished the whole training."
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
                _score_chart(f"quiz-{quiz.slug}", quiz.title, description, counts)
            )
        return tuple(charts)

    def find_learners(
        self, params: Mapping[str, str]
    ) -> Page[tuple[LearnerSummary, Status]]:
        """Learners of every cohort, searched by name or email."""
        chosen = LearnerFilter.parse(params)
        if not chosen.search and chosen.status is None:
            return paginate([], 1)
        return paginate(chosen.apply(self.summaries.all(), self.ctx.now()), chosen.page)

    # -- quizzes --------------------------------------------------------------

    def quiz_reports(self) -> list[QuizReport]:
        """Every quiz's results, in schedule order."""
        return self.quiz_results.reports()

    def quiz_page(self, slug: str) -> QuizPage:
        """One quiz's statistics, with its score distribution drawn."""
        report = self.quiz_results.report(slug)
        passed = report.passed
        description = (
            f"Best scores of the {report.learners} learners who attempted it; "
            f"{passed} passed (pass mark {report.quiz.pass_percent}%)."
            if report.learners
            else "Nobody has attempted this quiz yet."
        )
        chart = _score_chart(
            "scores", "Best scores", description, list(report.histogram), 1080.0, 260.0
        )
        return QuizPage(report, chart)

    # -- one learner ------------------------------------------------------------

    def learner(self, user_id: str) -> LearnerRecord:
        """Everything about one learner, and everything done to their record."""
        data = self._data(user_id)
        user, now = data.user, self.ctx.now()
        curriculum = self.ctx.content.curriculum
        progress = progress_of(self.ctx, data)
        # Newest first; a replacement comes before what it replaced, even in a tie.
        certs = sorted(
            data.certificates,
            key=lambda c: (c.issued_at, c.superseded_by is None),
            reverse=True,
        )
        certified = any(c.status(now) is CertificateStatus.VALID for c in certs)

        quizzes = []
        for quiz, quiz_progress in zip(
            curriculum.ordered_quizzes, progress.quizzes, strict=True
        ):
            attempts = sorted(
                (a for a in data.attempts if a.quiz_slug == quiz.slug),
                key=lambda a: a.number,
            )
            views = tuple(AttemptView(a, _answers(quiz, a)) for a in attempts)
            quizzes.append(QuizHistory(quiz, quiz_progress, views))
        replies = tuple(
            ReplyView(quiz, q, data.replies.get(f"{quiz.slug}/{q.id}"))
            for quiz in curriculum.ordered_quizzes
            for q in quiz.practice_questions
        )
        subjects = {user.id, email_key(user.email)}
        audit = [e for e in self.ctx.store.audit() if e.subject in subjects]
        people = [e.actor_id for e in audit] + [
            v.reviewer_id
            for r in data.replies.values()
            for v in r.versions
            if v.reviewer_id
        ]
        return LearnerRecord(
            user=user,
            cohort=self.ctx.cohort(user.cohort_id),
            schedule=self.ctx.schedule(user),
            progress=progress,
            status=progress.status(now, certified),
            quizzes=tuple(quizzes),
            replies=replies,
            decision=self.eligibility.decision(user.email),
            eligibility=self.ctx.store.eligibility(user.email),
            certificates=tuple(CertificateView(c, c.status(now)) for c in certs),
            audit=tuple(reversed(audit)),
            dated_cohorts=self.dated_cohorts(),
            names=self.names(people),
        )

    def _data(self, user_id: str) -> LearnerData:
        data = self.ctx.store.learner(user_id) if USER_ID.match(user_id) else None
        if data is None:
            raise NotFound("There is no learner with this id.")
        return data

    def _user(self, user_id: str) -> User:
        return self._data(user_id).user

    def grant_extension(self, user_id: str, days: str, reason: str, actor: str) -> User:
        """Set a learner's extension to 1-60 days past the usual due date."""
        errors: dict[str, str] = {}
        digits = days.strip()
        # int() would also take "١٠" and "1_0"; a count is plain digits.
        count = int(digits) if digits.isascii() and digits.isdigit() else 0
        if not 1 <= count <= MAX_EXTENSION_DAYS:
            errors["days"] = (
                f"Give a whole number of days from 1 to {MAX_EXTENSION_DAYS}."
            )
        try:
            reason = require_reason(reason)
        except Invalid as problem:
            errors.update(problem.fields)
        if errors:
            raise Invalid("The extension was not saved.", errors)
        with self.ctx.store.learner_lock(user_id):
            user = self._user(user_id)
            updated = replace(user, extension_days=count)
            self.ctx.store.save_user(updated)
            self.ctx.audit(
                actor,
                "learner.extension",
                user.id,
                f"{user.extension_days} → {count} days",
                reason,
            )
        self.summaries.refresh(user_id)
        return updated

    def reset_attempt(
        self, user_id: str, attempt_id: str, reason: str, actor: str
    ) -> Attempt:
        """Remove a learner's latest attempt at a quiz, so they can try again.

        Only the latest can go: attempt numbers count up from the attempts
        kept, so removing an earlier one would give two attempts one number.
        """
        reason = require_reason(reason)
        with self.ctx.store.learner_lock(user_id):
            data = self._data(user_id)
            attempt = next((a for a in data.attempts if a.id == attempt_id), None)
            if attempt is None:
                raise NotFound("This learner has no such attempt.")
            latest = max(
                a.number for a in data.attempts if a.quiz_slug == attempt.quiz_slug
            )
            if attempt.number != latest:
                raise Conflict("Only the latest attempt at a quiz can be removed.")
            self.ctx.store.remove_attempt(user_id, attempt.id)
            result = "passed" if attempt.passed else "not passed"
            self.ctx.audit(
                actor,
                "attempt.reset",
                user_id,
                f"{attempt.quiz_slug} attempt {attempt.number} "
                f"({attempt.percent:g}%, {result})",
                reason,
            )
            self.quiz_results.learner_changed(user_id)
        self.summaries.refresh(user_id)
        return attempt

    def move_to_cohort(
        self, user_id: str, cohort_id: str, actor: str, reason: str = ""
    ) -> User:
        """Put a learner on a dated cohort's schedule (its start date and zone)."""
        cohort = self.ctx.cohort(cohort_id)
        if cohort is None or cohort.start_date is None:
            raise Invalid(
                "The learner was not moved.", {"cohort_id": "Choose a dated cohort."}
            )
        with self.ctx.store.learner_lock(user_id):
            user = self._user(user_id)
            if user.is_manager:
                raise Invalid("Managers are not enrolled in cohorts.")
            if user.cohort_id == cohort.id:
                message = f"{user.name} is already in {cohort.name}."
                raise Invalid("The learner was not moved.", {"cohort_id": message})
            before = self.ctx.cohort(user.cohort_id)
            moved = replace(user, cohort_id=cohort.id, start_date=cohort.start_date)
            self.ctx.store.save_user(moved)
            self.ctx.audit(
                actor,
                "learner.move",
                user.id,
                f"{before.name if before else user.cohort_id} → {cohort.name}",
                reason.strip(),
            )
        self.summaries.refresh(user_id)
        return moved

    def enrol(self, cohort_id: str, email: str, actor: str) -> User:
        """Move the account with this email address into a dated cohort."""
        cohort = self.ctx.cohort(cohort_id)
        if cohort is None or cohort.start_date is None:
            message = (
                "Learners join the open cohort by registering; enrol them into a "
                "dated cohort instead."
            )
            raise Invalid("Nobody was enrolled.", {"email": message})
        user = self.ctx.store.user_by_email(email) if email.strip() else None
        if user is None:
            message = "No account uses this email address."
            raise Invalid("Nobody was enrolled.", {"email": message})
        if user.cohort_id == cohort_id:
            message = f"{user.name} is already in this cohort."
            raise Invalid("Nobody was enrolled.", {"email": message})
        return self.move_to_cohort(user.id, cohort_id, actor)

    def enrol_course(self, cohort_id: str, course_id: str, actor: str) -> int:
        """Move every learner with a record of this course into the cohort."""
        cohort = self.cohort(cohort_id)
        course_id = course_id.strip()
        if not course_id:
            message = "Give the course id used in the eligibility import."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        if cohort.start_date is None:
            message = "Choose a dated cohort; the open cohort takes no enrolments."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        records = [
            r
            for r in self.ctx.store.all_eligibility()
            if any(c.course_id == course_id for c in r.courses)
        ]
        if not records:
            message = f"No eligibility record names the course {course_id[:60]!r}."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        moved = 0
        for record in records:
            user = self.ctx.store.user_by_email(record.email)
            if user is None or user.is_manager or user.cohort_id == cohort.id:
                continue
            self.move_to_cohort(user.id, cohort.id, actor, f"imported for {course_id}")
            moved += 1
        if not moved:
            message = (
                f"All {len(records)} learner(s) with this course are already in the "
                "cohort or have not registered yet."
            )
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        self.ctx.audit(
            actor, "cohort.enrol-course", cohort.id, f"{course_id}: {moved} moved"
        )
        return moved

    def override(self, user_id: str, choice: str, reason: str, actor: str) -> Decision:
        """Mark a learner eligible or not, or clear that; the service audits it."""
        user = self._user(user_id)
        if choice not in OVERRIDES:
            message = "Choose eligible, not eligible, or clear."
            raise Invalid("The decision was not saved.", {"decision": message})
        return self.eligibility.override(user.email, OVERRIDES[choice], reason, actor)

    # -- practice replies --------------------------------------------------------

    def review_queue(self, number: int) -> Page[ReviewItem]:
        """Replies waiting for review, oldest first; files are read for one page."""
        pending = paginate(self.ctx.store.pending_replies(), number, REVIEWS_PER_PAGE)
        items = []
        for entry in pending.items:
            data = self.ctx.store.learner(entry.user_id)
            reply = data.replies.get(entry.key) if data else None
            found = self._question(entry.key)
            if data is None or reply is None or found is None:
                continue
            quiz, module, question = found
            items.append(ReviewItem(data.user, quiz, module, question, reply))
        return Page(tuple(items), pending.number, pending.size, pending.total)

    def _question(self, key: str) -> tuple[Quiz, Module, Question] | None:
        quiz_slug, _, question_id = key.partition("/")
        curriculum = self.ctx.content.curriculum
        quiz = curriculum.quizzes.get(quiz_slug)
        module = curriculum.module_for_quiz(quiz_slug)
        question = quiz.question(question_id) if quiz else None
        if quiz is None or module is None or question is None:
            return None
        return quiz, module, question

    def review(
        self,
        user_id: str,
        key: str,
        version: str,
        approve: bool,
        comment: str,
        actor: str,
    ) -> PracticeReply:
        """Approve or return one reply version; Conflict if it was reviewed already.

        The check and the write happen under the learner's lock, so of two
        managers reviewing at once exactly one succeeds. Approving the last
        missing item issues the certificate straight away.
        """
        comment = comment.strip()
        if not approve and not comment:
            message = "Say what to improve; the learner sees this comment."
            raise Invalid("The reply was not returned.", {"comment": message})
        if len(comment) > MAX_COMMENT:
            message = f"Keep the comment under {MAX_COMMENT} characters."
            raise Invalid("The review was not saved.", {"comment": message})
        if self._question(key) is None:
            raise NotFound("There is no such practice question.")

        with self.ctx.store.learner_lock(user_id):
            reply = self._data(user_id).replies.get(key)
            if reply is None:
                raise NotFound("This learner has no reply to that question.")
            if (
                str(len(reply.versions)) != version
                or reply.state is not ReplyState.PENDING
            ):
                raise Conflict(
                    "This reply was reviewed by someone else, or the learner sent a "
                    "new version, while you were reading it. Open the queue again."
                )
            state = ReplyState.APPROVED if approve else ReplyState.RETURNED
            reviewed = reply.reviewed(state, actor, self.ctx.now(), comment)
            self.ctx.store.save_reply(reviewed)
            self.ctx.audit(
                actor,
                "reply.approve" if approve else "reply.return",
                user_id,
                f"{key} version {version}",
                comment,
            )
        self.summaries.refresh(user_id)
        self.certificates.issue_if_due(user_id)
        return reviewed

    # -- certificates --------------------------------------------------------------

    def certificate_list(self, params: Mapping[str, str]) -> Page[CertificateView]:
        """Every certificate, newest first, searched by id, name or email.

        This reads the file of each certificate holder; the certificate index
        holds ids only. Fine for thousands, the list to index next if it grows.
        """
        needle = search_text(params.get("q"))
        now = self.ctx.now()
        views = [
            CertificateView(c, c.status(now))
            for c in self.certificates.all()
            if not needle or matches(needle, c.id, c.recipient_name, c.recipient_email)
        ]
        return paginate(views, page_number(params.get("page")))

    def certificates_due(self) -> list[LearnerSummary]:
        """Learners complete and eligible but without a certificate, oldest first."""
        due = (self.summaries.get(user_id) for user_id in self.certificates.ready())
        return sorted((s for s in due if s), key=lambda s: s.completed_at or NEVER)

    def issue(self, user_ids: Sequence[str] | None, actor: str) -> int:
        """Issue now to these learners, or to everyone due; how many were issued."""
        targets = self.certificates.ready() if user_ids is None else list(user_ids)
        issued = sum(
            1 for u in targets if self.certificates.issue_if_due(u, actor) is not None
        )
        if user_ids is not None and not issued:
            raise Conflict("No certificate is due for this learner.")
        return issued

    # -- eligibility --------------------------------------------------------------

    def eligibility_list(self, params: Mapping[str, str]) -> Page[EligibilityRow]:
        """Eligibility records, searched by email, name or course."""
        needle = search_text(params.get("q"))
        thresholds = self.ctx.content.program.thresholds
        registered = {email_key(s.email) for s in self.summaries.all()}
        rows = [
            EligibilityRow(
                record, decide(record, thresholds), record.email in registered
            )
            for record in self.ctx.store.all_eligibility()
            if not needle
            or matches(
                needle,
                record.email,
                *(c.name for c in record.courses),
                *(c.course_id for c in record.courses),
                *(c.course_name for c in record.courses),
            )
        ]
        return paginate(rows, page_number(params.get("page")))

    def import_eligibility(
        self, data: bytes, filename: str, actor: str, dry_run: bool
    ) -> ImportReport:
        """Import a CSV; every attempt is audited, including refused and dry runs."""
        if not data:
            message = "Choose a CSV file to upload."
            raise Invalid("Nothing was imported.", {"file": message})
        source = " ".join(filename.replace("\\", "/").split("/")[-1].split())[:100]
        source = source or "upload.csv"
        report = self.eligibility.import_csv(data, actor, dry_run, source)
        # The service audits only imports that changed something.
        if not report.ok or dry_run or not (report.added or report.updated):
            outcome = (
                "refused" if not report.ok else "dry run" if dry_run else "no change"
            )
            self.ctx.audit(
                actor,
                "eligibility.import",
                source,
                f"{outcome}: {report.summary()}",
                rows=str(report.rows),
                errors=str(len(report.errors)),
            )
        return report

    # -- audit log ------------------------------------------------------------------

    def audit_entries(self, chosen: AuditFilter) -> list[AuditEntry]:
        """Entries the filter keeps, newest first."""
        return [e for e in reversed(self.ctx.store.audit()) if chosen.keeps(e)]

    def audit_page(self, chosen: AuditFilter) -> AuditPage:
        """One page of the filtered log, with names for the people in it."""
        entries = paginate(self.audit_entries(chosen), chosen.page)
        people = [e.actor_id for e in entries.items] + [
            e.subject for e in entries.items
        ]
        actions = sorted({e.action for e in self.ctx.store.audit()})
        return AuditPage(entries, actions, self.names(people))

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        """Display names for the user ids among `ids` (actors, subjects)."""
        names = {}
        for user_id in set(ids):
            summary = self.summaries.get(user_id)
            if summary is not None:
                names[user_id] = summary.name
                continue
            user = self.ctx.store.user(user_id) if USER_ID.match(user_id) else None
            if user is not None:
                names[user_id] = user.name
        return names


def _score_chart(
    chart_id: str,
    title: str,
    description: str,
    counts: Sequence[int],
    width: float = 540.0,
    height: float = 220.0,
) -> BarChart:
    """A histogram of best scores in equal bins from 0 to 100%."""
    return bar_chart(
        id=chart_id,
        title=title,
        description=description,
        labels=histogram_labels(len(counts)),
        edge_labels=histogram_edges(len(counts)),
        values=[float(c) for c in counts],
        value_labels=[str(c) for c in counts],
        x_title="Best score, %",
        y_title="Learners",
        headers=("Best score, %", "Learners"),
        width=width,
        height=height,
    )


def _answers(quiz: Quiz, attempt: Attempt) -> tuple[AnswerView, ...]:
    """Each graded question with the answer given in one attempt."""
    views = []
    for number, question in enumerate(quiz.graded_questions, start=1):
        given = attempt.answers.get(question.id, ())
        options: tuple[Option, ...] = ()
        text = ""
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = tuple(o for o in question.options if o.id in given)
            unknown = [g for g in given if g not in {o.id for o in question.options}]
            text = ", ".join(unknown)
        elif question.kind is QuestionKind.TRUE_FALSE:
            text = (
                {"true": "True", "false": "False"}.get(given[0], given[0])
                if given
                else ""
            )
        else:
            text = given[0] if given else ""
        views.append(
            AnswerView(number, question, options, text, attempt.marks.get(question.id))
        )
    return tuple(views)

"""One learner as the manager sees them: the search, the record, its changes.

A learner's file is read only when one learner is asked for; the search works
from the in-memory summaries.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from academy.domain.certificate import CertificateStatus
from academy.domain.curriculum import Option, QuestionKind, Quiz
from academy.domain.eligibility import Decision
from academy.domain.errors import Conflict, Invalid, NotFound
from academy.domain.progress import Status
from academy.domain.records import Attempt, User
from academy.services.certificates import require_reason
from academy.services.cohorts import Cohorts
from academy.services.console_views import (
    AnswerView,
    AttemptView,
    CertificateView,
    LearnerRecord,
    QuizHistory,
    ReplyView,
)
from academy.services.context import Context
from academy.services.eligibility import EligibilityService
from academy.services.listing import LearnerFilter, Page, paginate
from academy.services.quiz_results import QuizResults
from academy.services.summaries import LearnerSummary, SummaryIndex, progress_of
from academy.store import LearnerData, email_key

MAX_EXTENSION_DAYS = 60

# Ids come from URLs and forms; only this shape may name a learner's file.
USER_ID = re.compile(r"^u_[0-9a-f]{16}$")


OVERRIDES: dict[str, bool | None] = {
    "eligible": True,
    "not-eligible": False,
    "clear": None,
}


class Learners:
    """Finding learners, reading their records, and the changes made to them."""

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        eligibility: EligibilityService,
        quiz_results: QuizResults,
        cohorts: Cohorts,
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.eligibility = eligibility
        self.quiz_results = quiz_results
        self.cohorts = cohorts

    def find_learners(
        self, params: Mapping[str, str]
    ) -> Page[tuple[LearnerSummary, Status]]:
        """Learners of every cohort, searched by name or email."""
        chosen = LearnerFilter.parse(params)
        if not chosen.search and chosen.status is None:
            return paginate([], 1)
        return paginate(chosen.apply(self.summaries.all(), self.ctx.now()), chosen.page)

    def learner(self, user_id: str) -> LearnerRecord:
        """Everything about one learner, and everything done to their record."""
        data = self.data(user_id)
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
            dated_cohorts=self.cohorts.dated_cohorts(),
            names=self.names(people),
        )

    def last_seen(self, user: User) -> datetime | None:
        """The learner's latest activity, as the cohort overview shows it."""
        summary = self.summaries.get(user.id)
        return summary.last_active_at if summary else user.last_active_at

    def data(self, user_id: str) -> LearnerData:
        """The learner's file; NotFound unless the id names a learner."""
        data = self.ctx.store.learner(user_id) if USER_ID.match(user_id) else None
        if data is None:
            raise NotFound("There is no learner with this id.")
        return data

    def user(self, user_id: str) -> User:
        """The learner's account; NotFound unless the id names a learner."""
        return self.data(user_id).user

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
            user = self.user(user_id)
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
        A passed attempt stays: the pass is part of the learner's record (and
        may have issued a certificate), and there is nothing left to retry.
        """
        reason = require_reason(reason)
        with self.ctx.store.learner_lock(user_id):
            data = self.data(user_id)
            attempt = next((a for a in data.attempts if a.id == attempt_id), None)
            if attempt is None:
                raise NotFound("This learner has no such attempt.")
            latest = max(
                a.number for a in data.attempts if a.quiz_slug == attempt.quiz_slug
            )
            if attempt.number != latest:
                raise Conflict("Only the latest attempt at a quiz can be removed.")
            if attempt.passed:
                raise Conflict(
                    "This attempt passed the quiz; a passed attempt is not removed."
                )
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

    def override(self, user_id: str, choice: str, reason: str, actor: str) -> Decision:
        """Mark a learner eligible or not, or clear that; the service audits it."""
        user = self.user(user_id)
        if choice not in OVERRIDES:
            message = "Choose eligible, not eligible, or clear."
            raise Invalid("The decision was not saved.", {"decision": message})
        return self.eligibility.override(user.email, OVERRIDES[choice], reason, actor)


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

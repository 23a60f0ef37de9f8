"""Where a learner stands: what is done, what is open, what is missing."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from academy.domain.curriculum import Curriculum, Module, Quiz
from academy.domain.records import (
    Attempt,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
)
from academy.domain.schedule import Schedule


class Status(StrEnum):
    ON_TRACK = "on track"
    BEHIND = "behind"
    LATE = "late"
    COMPLETE = "complete"
    CERTIFIED = "certified"


def judge_status(
    *, certified: bool, complete: bool, owes_work: bool, overdue: bool, past_due: bool
) -> Status:
    """Certified and complete first; otherwise late, behind or on track.

    Late and behind judge only the learner's part: `owes_work` is whether
    anything is still theirs to do (a reply waiting for review is not), and
    `overdue` whether some of it opened more than a day ago.
    """
    if certified:
        return Status.CERTIFIED
    if complete:
        return Status.COMPLETE
    if past_due and owes_work:
        return Status.LATE
    return Status.BEHIND if overdue else Status.ON_TRACK


@dataclass(frozen=True)
class QuizProgress:
    slug: str
    title: str
    attempts_used: int
    max_attempts: int
    best_percent: float | None
    pass_percent: int
    passed: bool
    passed_at: datetime | None
    passed_late: bool

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self.attempts_used)

    @property
    def failed_out(self) -> bool:
        """No attempts left and never passed: a manager must reset an attempt."""
        return not self.passed and self.attempts_left == 0


@dataclass(frozen=True)
class ReplyProgress:
    quiz_slug: str
    question_id: str
    state: str  # "missing" or a ReplyState value
    approved_at: datetime | None
    comment: str = ""
    submitted_at: datetime | None = None  # of the latest version
    late: bool = False  # the latest version was sent after the due date

    @property
    def handed_in(self) -> bool:
        """Sent and not returned: what is left is the manager's to do."""
        return self.state in (ReplyState.PENDING, ReplyState.APPROVED)


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    opens_at: datetime
    is_open: bool
    completed_at: datetime | None
    late: bool
    quiz: QuizProgress | None
    replies: tuple[ReplyProgress, ...]

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def done(self) -> bool:
        """The learner's part is done: module read, quiz passed, replies sent.

        A reply waiting for review counts, so a manager's backlog never makes
        a learner behind or late; a returned reply is the learner's to answer
        again. Completing the training still needs every reply approved.
        """
        quiz_ok = self.quiz is None or self.quiz.passed
        return self.completed and quiz_ok and all(r.handed_in for r in self.replies)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str


@dataclass(frozen=True)
class Progress:
    modules: tuple[ModuleProgress, ...]
    items_done: int
    items_total: int
    missing: tuple[str, ...]
    next_step: NextStep | None
    completed_at: datetime | None
    due_at: datetime
    day: int

    @property
    def complete(self) -> bool:
        return self.completed_at is not None

    @property
    def percent(self) -> int:
        return (
            round(100 * self.items_done / self.items_total) if self.items_total else 100
        )

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.completed)

    @property
    def quizzes(self) -> tuple[QuizProgress, ...]:
        return tuple(m.quiz for m in self.modules if m.quiz is not None)

    @property
    def replies(self) -> tuple[ReplyProgress, ...]:
        return tuple(r for m in self.modules for r in m.replies)

    @property
    def quizzes_passed(self) -> int:
        return sum(1 for q in self.quizzes if q.passed)

    @property
    def replies_approved(self) -> int:
        return sum(1 for r in self.replies if r.state == ReplyState.APPROVED)

    def status(self, now: datetime, certified: bool) -> Status:
        """Certified and complete first; otherwise late, behind or on track.

        Late and behind judge only the learner's part (`ModuleProgress.done`):
        someone whose every reply waits for review is on track, even past the
        due date, until a manager approves or returns those replies.
        """
        # Behind: something that opened more than a day ago is still not done.
        overdue = any(
            not m.done and m.is_open and m.module.day < self.day for m in self.modules
        )
        return judge_status(
            certified=certified,
            complete=self.complete,
            owes_work=not all(m.done for m in self.modules),
            overdue=overdue,
            past_due=now >= self.due_at,
        )


def quiz_progress(
    quiz: Quiz, attempts: Iterable[Attempt], schedule: Schedule
) -> QuizProgress:
    """Attempts used, best score and the first passing attempt of one quiz."""
    mine = sorted(
        (a for a in attempts if a.quiz_slug == quiz.slug), key=lambda a: a.number
    )
    first_pass = next((a for a in mine if a.passed), None)
    return QuizProgress(
        slug=quiz.slug,
        title=quiz.title,
        attempts_used=len(mine),
        max_attempts=quiz.max_attempts,
        best_percent=max((a.percent for a in mine), default=None),
        pass_percent=quiz.pass_percent,
        passed=first_pass is not None,
        passed_at=first_pass.submitted_at if first_pass else None,
        passed_late=first_pass.late if first_pass else False,
    )


def _reply_progress(
    quiz: Quiz, replies: Mapping[str, PracticeReply]
) -> tuple[ReplyProgress, ...]:
    result = []
    for question in quiz.practice_questions:
        reply = replies.get(f"{quiz.slug}/{question.id}")
        if reply is None:
            result.append(ReplyProgress(quiz.slug, question.id, "missing", None))
            continue
        latest = reply.latest
        approved_at = (
            latest.reviewed_at if latest.state is ReplyState.APPROVED else None
        )
        result.append(
            ReplyProgress(
                quiz.slug,
                question.id,
                latest.state.value,
                approved_at,
                latest.comment,
                submitted_at=latest.submitted_at,
                late=latest.late,
            )
        )
    return tuple(result)


def all_modules_read(
    curriculum: Curriculum, completions: Mapping[str, ModuleCompletion]
) -> bool:
    """Whether every module is marked read: complete training needs it first.

    A cheap test, so a caller can skip compute_progress for most learners.
    """
    return all(m.slug in completions for m in curriculum.modules)


def compute_progress(
    curriculum: Curriculum,
    schedule: Schedule,
    completions: Mapping[str, ModuleCompletion],
    attempts: Iterable[Attempt],
    replies: Mapping[str, PracticeReply],
    now: datetime,
) -> Progress:
    """Training is complete when every module is read, quiz passed, reply approved."""
    attempts = list(attempts)
    modules: list[ModuleProgress] = []
    for module in curriculum.modules:
        quiz = curriculum.quizzes[module.quiz_slug] if module.quiz_slug else None
        completion = completions.get(module.slug)
        opens_at = schedule.opens_at(module.day)
        modules.append(
            ModuleProgress(
                module=module,
                opens_at=opens_at,
                is_open=now >= opens_at,
                completed_at=completion.completed_at if completion else None,
                late=completion.late if completion else False,
                quiz=quiz_progress(quiz, attempts, schedule) if quiz else None,
                replies=_reply_progress(quiz, replies) if quiz else (),
            )
        )

    done_times: list[datetime | None] = []
    missing: list[str] = []
    for mp in modules:
        title = mp.module.title
        done_times.append(mp.completed_at)
        if not mp.completed:
            missing.append(f"Mark the module “{title}” complete.")
        if mp.quiz is not None:
            done_times.append(mp.quiz.passed_at)
            if not mp.quiz.passed:
                missing.append(f"Pass the quiz “{mp.quiz.title}”.")
        for reply in mp.replies:
            done_times.append(reply.approved_at)
            if reply.state == "missing":
                missing.append(f"Write the practice reply in “{title}”.")
            elif reply.state == ReplyState.PENDING:
                missing.append(
                    f"Wait for a community manager to review your reply in “{title}”."
                )
            elif reply.state == ReplyState.RETURNED:
                missing.append(f"Revise the practice reply returned in “{title}”.")

    finished = [t for t in done_times if t is not None]
    completed_at = max(finished) if len(finished) == len(done_times) else None
    return Progress(
        modules=tuple(modules),
        items_done=len(finished),
        items_total=len(done_times),
        missing=tuple(missing),
        next_step=_next_step(modules),
        completed_at=completed_at,
        due_at=schedule.due_at,
        day=schedule.day_number(now),
    )


def _next_step(modules: list[ModuleProgress]) -> NextStep | None:
    """The first open thing the learner can act on now, in schedule order."""
    for mp in modules:
        if not mp.is_open:
            continue
        slug, title = mp.module.slug, mp.module.title
        if not mp.completed:
            return NextStep(f"Read “{title}”", f"/modules/{slug}")
        if mp.quiz is not None and not mp.quiz.passed and mp.quiz.attempts_left:
            return NextStep(
                f"Take the quiz “{mp.quiz.title}”", f"/quizzes/{mp.quiz.slug}"
            )
        for reply in mp.replies:
            if reply.state in ("missing", ReplyState.RETURNED):
                verb = "Write" if reply.state == "missing" else "Revise"
                return NextStep(
                    f"{verb} your practice reply for “{title}”",
                    f"/quizzes/{reply.quiz_slug}#reply-{reply.question_id}",
                )
    return None

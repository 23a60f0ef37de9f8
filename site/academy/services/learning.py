"""The learner's use cases: progress, modules, quizzes and practice replies."""

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from academy.domain.curriculum import Module, Question, QuestionKind, Quiz
from academy.domain.errors import Invalid, NotFound, QuizClosed
from academy.domain.grading import grade, may_review
from academy.domain.progress import Progress, QuizProgress, quiz_progress
from academy.domain.records import (
    Attempt,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
    ReplyVersion,
    User,
)
from academy.domain.schedule import Schedule
from academy.services.context import Context, new_id
from academy.services.summaries import SummaryIndex, progress_of
from academy.store import LearnerData

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 10_000
MAX_SHORT_CHARS = 200


@dataclass(frozen=True)
class QuizState:
    """What a learner's quiz page needs: the quiz, its schedule and their record."""

    quiz: Quiz
    module: Module
    schedule: Schedule
    progress: QuizProgress
    attempts: tuple[Attempt, ...]
    replies: dict[str, PracticeReply]
    is_open: bool

    @property
    def next_number(self) -> int:
        return self.progress.attempts_used + 1

    @property
    def can_attempt(self) -> bool:
        return (
            self.is_open
            and not self.progress.passed
            and self.progress.attempts_left > 0
        )

    @property
    def may_review(self) -> bool:
        return may_review(self.quiz, self.progress.passed, self.progress.attempts_left)

    def reply_open(self, question_id: str) -> bool:
        """Whether a new reply can be written: none yet, or the last was returned."""
        reply = self.replies.get(f"{self.quiz.slug}/{question_id}")
        return reply is None or reply.state is ReplyState.RETURNED


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    state: QuizState
    replies_saved: tuple[str, ...]


def word_count(text: str) -> int:
    return len(text.split())


class Learning:
    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        on_change: Callable[[str], None],
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        # Called after any change that may complete the training.
        self.on_change = on_change

    def data(self, user: User) -> LearnerData:
        data = self.ctx.store.learner(user.id)
        if data is None:
            raise NotFound("This account no longer exists.")
        return data

    def progress(self, user: User) -> Progress:
        return progress_of(self.ctx, self.data(user))

    def module(self, user: User, slug: str) -> tuple[Module, Schedule, bool]:
        """The module, the learner's schedule, and whether they completed it.

        Answered from memory, without reading the learner's file, so the
        web layer may call it on the event loop.
        """
        module = self.ctx.content.curriculum.module(slug)
        if module is None:
            raise NotFound(f"There is no module called “{slug}”.")
        schedule = self.ctx.schedule(user)
        return module, schedule, slug in self.ctx.store.completed_modules(user.id)

    def complete_module(self, user: User, slug: str) -> ModuleCompletion:
        """Mark a module read; doing it twice keeps the first time."""
        module = self.ctx.content.curriculum.module(slug)
        if module is None:
            raise NotFound(f"There is no module called “{slug}”.")
        schedule = self.ctx.schedule(user)
        now = self.ctx.now()
        if not schedule.is_open(module.day, now):
            raise QuizClosed(
                f"“{module.title}” opens on day {module.day} of your schedule."
            )
        completion = ModuleCompletion(slug, now, schedule.is_late(now))
        with self.ctx.store.learner_lock(user.id):
            self.ctx.store.add_completion(user.id, completion)
            self._changed(user.id)
        return completion

    def quiz_state(self, user: User, slug: str) -> QuizState:
        quiz = self.ctx.content.curriculum.quizzes.get(slug)
        module = self.ctx.content.curriculum.module_for_quiz(slug)
        if quiz is None or module is None:
            raise NotFound(f"There is no quiz called “{slug}”.")
        data = self.data(user)
        schedule = self.ctx.schedule(user)
        attempts = tuple(
            sorted(
                (a for a in data.attempts if a.quiz_slug == slug),
                key=lambda a: a.number,
            )
        )
        return QuizState(
            quiz=quiz,
            module=module,
            schedule=schedule,
            progress=quiz_progress(quiz, attempts, schedule),
            attempts=attempts,
            replies={k: r for k, r in data.replies.items() if r.quiz_slug == slug},
            is_open=schedule.is_open(module.day, self.ctx.now()),
        )

    def submit_attempt(
        self, user: User, slug: str, answers: Mapping[str, Sequence[str]]
    ) -> AttemptResult:
        """Grade and store one attempt, and save any practice replies written in it.

        Raises QuizClosed when the quiz is not open, already passed, or out of
        attempts; the check and the write happen under the learner's lock, so
        simultaneous submissions can never exceed max_attempts.
        """
        with self.ctx.store.learner_lock(user.id):
            state = self.quiz_state(user, slug)
            self._check_can_attempt(state)
            clean = self._clean_answers(state.quiz, answers)
            replies = self._reply_texts(state, answers)

            now = self.ctx.now()
            result = grade(state.quiz, clean)
            attempt = Attempt(
                id=new_id("a"),
                user_id=user.id,
                quiz_slug=slug,
                number=state.next_number,
                submitted_at=now,
                answers={k: tuple(v) for k, v in clean.items()},
                marks=result.marks,
                percent=result.percent,
                passed=result.passed,
                late=state.schedule.is_late(now),
            )
            self.ctx.store.add_attempt(attempt)
            for question_id, text in replies.items():
                self._save_reply(user, state, question_id, text)
            self._changed(user.id)
            logger.debug(
                "attempt %s on %s: %s%% %s",
                attempt.number,
                slug,
                attempt.percent,
                "passed" if attempt.passed else "not passed",
            )
            return AttemptResult(attempt, self.quiz_state(user, slug), tuple(replies))

    def submit_reply(self, user: User, slug: str, question_id: str, text: str) -> None:
        """Send a practice reply on its own (a first reply or a revision)."""
        with self.ctx.store.learner_lock(user.id):
            state = self.quiz_state(user, slug)
            question = state.quiz.question(question_id)
            if question is None or question.kind is not QuestionKind.PRACTICE_REPLY:
                raise NotFound("There is no such practice question in this quiz.")
            if not state.is_open:
                raise QuizClosed(f"“{state.quiz.title}” is not open yet.")
            if not state.reply_open(question_id):
                raise QuizClosed(
                    "This reply is already waiting for review or has been approved."
                )
            problem = self._reply_problem(question, text)
            if problem:
                raise Invalid(problem, {f"q.{question_id}": problem})
            self._save_reply(user, state, question_id, text.strip())
            self._changed(user.id)

    # -- helpers -----------------------------------------------------------

    def _changed(self, user_id: str) -> None:
        self.summaries.refresh(user_id)
        self.on_change(user_id)

    @staticmethod
    def _check_can_attempt(state: QuizState) -> None:
        if not state.is_open:
            opens = state.schedule.opens_at(state.module.day)
            raise QuizClosed(
                f"“{state.quiz.title}” opens on day {state.module.day} "
                f"({opens:%d %B %Y})."
            )
        if state.progress.passed:
            raise QuizClosed(f"You have already passed “{state.quiz.title}”.")
        if state.progress.attempts_left == 0:
            raise QuizClosed(
                f"You have used all {state.quiz.max_attempts} attempts at "
                f"“{state.quiz.title}”. A community manager can give you another."
            )

    @staticmethod
    def _clean_answers(
        quiz: Quiz, answers: Mapping[str, Sequence[str]]
    ) -> dict[str, list[str]]:
        """Keep answers to graded questions only, checking every value sent."""
        clean: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for question in quiz.graded_questions:
            values = [v for v in answers.get(question.id, ()) if v != ""]
            field = f"q.{question.id}"
            if question.kind is QuestionKind.SHORT:
                if len(values) > 1 or any(len(v) > MAX_SHORT_CHARS for v in values):
                    errors[field] = (
                        f"Give one answer of at most {MAX_SHORT_CHARS} characters."
                    )
            elif question.kind is QuestionKind.TRUE_FALSE:
                if len(values) > 1 or any(v not in ("true", "false") for v in values):
                    errors[field] = "Choose True or False."
            else:
                known = {o.id for o in question.options}
                if any(v not in known for v in values):
                    errors[field] = "Choose one of the options shown."
                elif question.kind is QuestionKind.SINGLE and len(values) > 1:
                    errors[field] = "Choose only one option."
                values = sorted(set(values))
            clean[question.id] = values
        if errors:
            raise Invalid("Some answers could not be read; please check them.", errors)
        return clean

    def _reply_texts(
        self, state: QuizState, answers: Mapping[str, Sequence[str]]
    ) -> dict[str, str]:
        """Practice replies written in this attempt, checked; blank ones skipped."""
        texts: dict[str, str] = {}
        errors: dict[str, str] = {}
        for question in state.quiz.practice_questions:
            values = answers.get(question.id, ())
            text = values[0].strip() if values else ""
            if not text or not state.reply_open(question.id):
                continue
            problem = self._reply_problem(question, text)
            if problem:
                errors[f"q.{question.id}"] = problem
            else:
                texts[question.id] = text
        if errors:
            raise Invalid("Your practice reply needs a little more work.", errors)
        return texts

    @staticmethod
    def _reply_problem(question: Question, text: str) -> str | None:
        words = word_count(text)
        if not text.strip():
            return "Write your reply before sending it."
        if len(text) > MAX_REPLY_CHARS:
            return f"Keep your reply under {MAX_REPLY_CHARS:,} characters."
        if words < question.min_words:
            return (
                f"Your reply has {words} words; write at least {question.min_words} "
                "so a reviewer can judge it."
            )
        return None

    def _save_reply(
        self, user: User, state: QuizState, question_id: str, text: str
    ) -> None:
        now = self.ctx.now()
        version = ReplyVersion(
            text=text, submitted_at=now, late=state.schedule.is_late(now)
        )
        existing = state.replies.get(f"{state.quiz.slug}/{question_id}")
        if existing is None:
            reply = PracticeReply(user.id, state.quiz.slug, question_id, (version,))
        else:
            reply = existing.with_version(version)
        self.ctx.store.save_reply(reply)

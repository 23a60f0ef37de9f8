"""Quiz results in memory: each learner's record at each quiz, and statistics.

Statistics follow Moodle and use each learner's first attempt. The records come
from the one read of every learner's file at start-up and are then kept current
one learner at a time, so a console page costs no file reads and a quiz's
statistics are recomputed only after one of its attempts changed.
"""

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from academy.domain.curriculum import Question, QuestionKind, Quiz
from academy.domain.errors import NotFound
from academy.domain.grading import mark_question, normalise_text
from academy.domain.itemstats import (
    ItemStatistics,
    QuizStatistics,
    answer_distribution,
    quiz_statistics,
    score_histogram,
)
from academy.domain.records import Attempt
from academy.services.context import Context
from academy.store import LearnerData

HISTOGRAM_BINS = 10
SHORT_ANSWERS_SHOWN = 5


@dataclass(frozen=True)
class LearnerQuizRecord:
    """One learner at one quiz: enough for every statistic the console shows."""

    attempts: int
    best_percent: float
    passed: bool
    first: Attempt


@dataclass(frozen=True)
class Choice:
    """One answer and how many first attempts gave it.

    `html` is set for content options (already rendered, safe); `text` for
    answers learners typed, which the template escapes.
    """

    text: str
    html: str | None
    correct: bool
    count: int
    percent: float


@dataclass(frozen=True)
class QuestionReport:
    number: int
    question: Question
    item: ItemStatistics
    choices: tuple[Choice, ...]
    other: int  # chose an option the quiz no longer has
    blank: int


@dataclass(frozen=True)
class QuizReport:
    quiz: Quiz
    attempts: int
    learners: int
    passed: int
    first_passed: int
    histogram: tuple[int, ...]  # learners' best scores in HISTOGRAM_BINS bins
    statistics: QuizStatistics
    questions: tuple[QuestionReport, ...]

    @property
    def pass_rate(self) -> float | None:
        """Share of learners who tried the quiz and passed it, in percent."""
        return 100.0 * self.passed / self.learners if self.learners else None

    @property
    def first_pass_rate(self) -> float | None:
        return 100.0 * self.first_passed / self.learners if self.learners else None

    @property
    def flagged(self) -> int:
        return sum(1 for q in self.questions if q.item.needs_review)

    @property
    def standard_error_percent(self) -> float | None:
        return self.statistics.percent_of_max(self.statistics.standard_error)

    @property
    def mean_percent(self) -> float | None:
        return self.statistics.percent_of_max(self.statistics.mean)


def records_of(data: LearnerData) -> dict[str, LearnerQuizRecord]:
    """A learner's record at each quiz they attempted."""
    by_quiz: dict[str, list[Attempt]] = {}
    for attempt in data.attempts:
        by_quiz.setdefault(attempt.quiz_slug, []).append(attempt)
    return {
        slug: LearnerQuizRecord(
            attempts=len(attempts),
            best_percent=max(a.percent for a in attempts),
            passed=any(a.passed for a in attempts),
            first=min(attempts, key=lambda a: a.number),
        )
        for slug, attempts in by_quiz.items()
    }


class QuizResults:
    """Every learner's record at every quiz, in memory, and statistics over them.

    Filled from the read the store makes of every learner at start-up (see
    Academy.open), then kept current by learner_changed.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, LearnerQuizRecord]] = {}
        self._versions: Counter[str] = Counter()
        self._cache: dict[str, tuple[int, QuizReport]] = {}

    def add(self, data: LearnerData) -> None:
        """Take in a learner read at start-up."""
        if data.user.is_manager:
            return
        user_id = data.user.id
        with self._lock:
            for slug, record in records_of(data).items():
                self._records.setdefault(slug, {})[user_id] = record
                self._versions[slug] += 1

    def learner_changed(self, user_id: str) -> None:
        """Re-read one learner after a change to their attempts (cheap: one file)."""
        # Under the learner's lock, so two reloads of one learner apply in order.
        with self.ctx.store.learner_lock(user_id):
            data = self.ctx.store.learner(user_id)
            fresh = {} if data is None or data.user.is_manager else records_of(data)
            with self._lock:
                for slug in self._records.keys() | fresh.keys():
                    by_user = self._records.setdefault(slug, {})
                    if by_user.get(user_id) != fresh.get(slug):
                        if slug in fresh:
                            by_user[user_id] = fresh[slug]
                        else:
                            by_user.pop(user_id, None)
                        self._versions[slug] += 1

    def _snapshot(self, slug: str) -> tuple[int, list[LearnerQuizRecord]]:
        with self._lock:
            return self._versions[slug], list(self._records.get(slug, {}).values())

    def report(self, slug: str) -> QuizReport:
        """One quiz's statistics, recomputed only if an attempt changed since."""
        quiz = self.ctx.content.curriculum.quizzes.get(slug)
        if quiz is None:
            raise NotFound(f"There is no quiz called “{slug}”.")
        version, records = self._snapshot(slug)
        with self._lock:
            cached = self._cache.get(slug)
        if cached is not None and cached[0] == version:
            return cached[1]
        report = build_report(quiz, records)
        with self._lock:
            self._cache[slug] = (version, report)
        return report

    def reports(self) -> list[QuizReport]:
        """Every quiz's report, in the order of the modules."""
        return [
            self.report(q.slug) for q in self.ctx.content.curriculum.ordered_quizzes
        ]

    def best_percents(self, slug: str, user_ids: Iterable[str]) -> list[float]:
        """The best scores at one quiz of the given learners who attempted it."""
        with self._lock:
            by_user = self._records.get(slug, {})
            return [by_user[u].best_percent for u in user_ids if u in by_user]

    def best_by_quiz(self, user_id: str) -> dict[str, float]:
        with self._lock:
            return {
                slug: by_user[user_id].best_percent
                for slug, by_user in self._records.items()
                if user_id in by_user
            }


def build_report(quiz: Quiz, records: Sequence[LearnerQuizRecord]) -> QuizReport:
    """Statistics over first attempts; the score histogram uses best scores."""
    firsts = [r.first for r in records]
    graded = quiz.graded_questions
    statistics = quiz_statistics([a.marks for a in firsts], [q.id for q in graded])
    questions = tuple(
        _question_report(number, question, item, firsts)
        for number, (question, item) in enumerate(
            zip(graded, statistics.items, strict=True), start=1
        )
    )
    return QuizReport(
        quiz=quiz,
        attempts=sum(r.attempts for r in records),
        learners=len(records),
        passed=sum(1 for r in records if r.passed),
        first_passed=sum(1 for a in firsts if a.passed),
        histogram=tuple(
            score_histogram([r.best_percent for r in records], HISTOGRAM_BINS)
        ),
        statistics=statistics,
        questions=questions,
    )


def _question_report(
    number: int, question: Question, item: ItemStatistics, firsts: Sequence[Attempt]
) -> QuestionReport:
    responses = [tuple(a.answers.get(question.id, ())) for a in firsts]
    answered = [r for r in responses if r]
    blank = len(responses) - len(answered)
    total = len(responses) or 1

    if question.kind is QuestionKind.SHORT:
        typed = Counter(normalise_text(r[0]) for r in answered)
        choices = tuple(
            Choice(
                text,
                None,
                mark_question(question, [text]) == 1.0,
                count,
                100.0 * count / total,
            )
            for text, count in typed.most_common(SHORT_ANSWERS_SHOWN)
        )
        return QuestionReport(number, question, item, choices, 0, blank)

    if question.kind is QuestionKind.TRUE_FALSE:
        options = [
            ("true", "True", question.answer is True),
            ("false", "False", question.answer is False),
        ]
        counts = answer_distribution(answered, [o[0] for o in options])
        choices = tuple(
            Choice(text, None, correct, counts[oid], 100.0 * counts[oid] / total)
            for oid, text, correct in options
        )
    else:
        counts = answer_distribution(answered, [o.id for o in question.options])
        choices = tuple(
            Choice(
                o.id, o.text_html, o.correct, counts[o.id], 100.0 * counts[o.id] / total
            )
            for o in question.options
        )
    return QuestionReport(number, question, item, choices, counts["other"], blank)

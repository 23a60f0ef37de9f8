"""Scoring an attempt and ordering options; grading happens only on the server."""

import hashlib
import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from academy.domain.curriculum import (
    Option,
    Question,
    QuestionKind,
    Quiz,
    ReviewPolicy,
)


@dataclass(frozen=True)
class Grade:
    marks: dict[str, float]
    percent: float
    passed: bool

    @property
    def correct_count(self) -> int:
        return sum(1 for m in self.marks.values() if m >= 1)


def normalise_text(text: str) -> str:
    """Fold case, Unicode forms and runs of spaces, so 'Pin ' matches 'pin'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def mark_question(question: Question, chosen: Sequence[str]) -> float:
    """The mark (0 or 1) for one graded question; blank counts as wrong."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return 1.0 if frozenset(chosen) == question.correct_option_ids else 0.0
    if question.kind is QuestionKind.TRUE_FALSE:
        expected = "true" if question.answer else "false"
        return 1.0 if list(chosen) == [expected] else 0.0
    if question.kind is QuestionKind.SHORT:
        if len(chosen) != 1:
            return 0.0
        given = normalise_text(chosen[0])
        return (
            1.0 if any(given == normalise_text(a) for a in question.accepted) else 0.0
        )
    raise ValueError(f"question {question.id!r} is not graded automatically")


def grade(quiz: Quiz, answers: Mapping[str, Sequence[str]]) -> Grade:
    """Score the graded questions; the pass mark applies to that score alone."""
    graded = quiz.graded_questions
    marks = {q.id: mark_question(q, answers.get(q.id, ())) for q in graded}
    percent = round(100 * sum(marks.values()) / len(graded), 1) if graded else 100.0
    return Grade(marks=marks, percent=percent, passed=percent >= quiz.pass_percent)


def option_order(
    quiz: Quiz, question: Question, user_id: str, attempt_number: int
) -> tuple[Option, ...]:
    """The options as this learner sees them in this attempt: stable on reload."""
    if not quiz.shuffle:
        return question.options
    seed = f"{user_id}:{quiz.slug}:{question.id}:{attempt_number}".encode()
    rng = random.Random(hashlib.sha256(seed).digest())
    options = list(question.options)
    rng.shuffle(options)
    return tuple(options)


def may_review(quiz: Quiz, passed: bool, attempts_left: int) -> bool:
    """Whether correctness, feedback and explanations may be shown now."""
    if quiz.review is ReviewPolicy.AFTER_SUBMIT:
        return True
    if quiz.review is ReviewPolicy.AFTER_PASS:
        return passed or attempts_left == 0
    return False

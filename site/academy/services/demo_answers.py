"""How demo learners answer quizzes: right, wrong, or right with a likelihood.

The demo's quiz statistics only say something if learners of different skill
answer differently, and if some questions are harder than others; these
answers give both. Tests also use the right answers, to pass a quiz.
"""

import random
import zlib

from academy.domain.curriculum import Question, QuestionKind, Quiz


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    """The right answer to every graded question of `quiz`."""
    return {q.id: _right(q) for q in quiz.graded_questions}


def _right(q: Question) -> list[str]:
    if q.kind is QuestionKind.TRUE_FALSE:
        return ["true" if q.answer else "false"]
    if q.kind is QuestionKind.SHORT:
        return [q.accepted[0]]
    return sorted(q.correct_option_ids)


def _wrong(q: Question, rng: random.Random) -> list[str]:
    """A mistaken answer; on multiple-answer questions often a partly right one."""
    if q.kind is QuestionKind.TRUE_FALSE:
        return ["false" if q.answer else "true"]
    if q.kind is QuestionKind.SHORT:
        return ["not sure"]
    right = sorted(q.correct_option_ids)
    wrong = [o.id for o in q.options if not o.correct]
    if q.kind is QuestionKind.MULTIPLE and len(right) > 1:
        shape = rng.random()
        if shape < 0.45:  # one right option missed
            return sorted(rng.sample(right, len(right) - 1))
        if shape < 0.8 and wrong:  # every right option, and one wrong one
            return sorted([*right, rng.choice(wrong)])
    return [rng.choice(wrong)]


def _chance(q: Question, skill: float) -> float:
    """How likely a learner of `skill` (0 to 1) is to get `q` right.

    Each question gets a fixed difficulty from its id, so the statistics show
    easy and hard questions; a learner of skill 1 still gets everything right.
    """
    difficulty = (zlib.crc32(q.id.encode()) % 30) / 100
    return 1 - (1 - skill) * (0.5 + 1.5 * difficulty)


def answers_scoring(
    quiz: Quiz, skill: float, rng: random.Random
) -> dict[str, list[str]]:
    """Answers that get each question right with about probability `skill`."""
    return {
        q.id: _right(q) if rng.random() < _chance(q, skill) else _wrong(q, rng)
        for q in quiz.graded_questions
    }

import pytest

from academy.domain.curriculum import Option, Question, QuestionKind, Quiz, ReviewPolicy
from academy.domain.grading import (
    grade,
    mark_question,
    may_review,
    normalise_text,
    option_order,
)


def _options(*correct: bool) -> tuple[Option, ...]:
    return tuple(Option(chr(97 + i), f"option {i}", c) for i, c in enumerate(correct))


SINGLE = Question("s", QuestionKind.SINGLE, "p", options=_options(False, True, False))
MULTIPLE = Question(
    "m", QuestionKind.MULTIPLE, "p", options=_options(True, True, False, False)
)
TRUE_FALSE = Question("t", QuestionKind.TRUE_FALSE, "p", answer=False)
SHORT = Question("x", QuestionKind.SHORT, "p", accepted=("Pin", "pin the thread"))
PRACTICE = Question("r", QuestionKind.PRACTICE_REPLY, "p")


def quiz(
    *questions: Question,
    pass_percent: int = 80,
    review: ReviewPolicy = ReviewPolicy.AFTER_SUBMIT,
) -> Quiz:
    return Quiz("q", "Quiz", pass_percent, 3, True, review, questions)


@pytest.mark.parametrize(
    ("question", "chosen", "mark"),
    [
        (SINGLE, ["b"], 1.0),
        (SINGLE, ["a"], 0.0),
        (SINGLE, [], 0.0),
        (MULTIPLE, ["a", "b"], 1.0),
        (MULTIPLE, ["b", "a"], 1.0),
        (MULTIPLE, ["a"], 0.0),
        (MULTIPLE, ["a", "b", "c"], 0.0),
        (TRUE_FALSE, ["false"], 1.0),
        (TRUE_FALSE, ["true"], 0.0),
        (SHORT, ["  PIN "], 1.0),
        (SHORT, ["pin   the\tthread"], 1.0),
        (SHORT, ["pinned"], 0.0),
        (SHORT, ["pin", "pin"], 0.0),
    ],
    ids=[
        "single-right",
        "single-wrong",
        "single-blank",
        "multiple-exact",
        "multiple-any-order",
        "multiple-missing-one",
        "multiple-extra",
        "tf-right",
        "tf-wrong",
        "short-case-space",
        "short-inner-space",
        "short-wrong",
        "short-two-values",
    ],
)
def test_mark_question(question: Question, chosen: list[str], mark: float) -> None:
    assert mark_question(question, chosen) == mark


def test_mark_question_refuses_practice_reply() -> None:
    with pytest.raises(ValueError, match="not graded"):
        mark_question(PRACTICE, ["text"])


def test_grade_ignores_practice_replies_in_score() -> None:
    result = grade(
        quiz(SINGLE, MULTIPLE, TRUE_FALSE, SHORT, PRACTICE),
        {
            "s": ["b"],
            "m": ["a", "b"],
            "t": ["false"],
            "x": ["nope"],
        },
    )
    assert result.percent == 75.0
    assert result.correct_count == 3
    assert not result.passed
    assert set(result.marks) == {"s", "m", "t", "x"}


def test_grade_pass_mark_is_inclusive() -> None:
    result = grade(
        quiz(SINGLE, MULTIPLE, TRUE_FALSE, SHORT, pass_percent=75),
        {
            "s": ["b"],
            "m": ["a", "b"],
            "t": ["false"],
        },
    )
    assert result.percent == 75.0 and result.passed


def test_option_order_is_stable_per_attempt_and_varies_between() -> None:
    many = Question(
        "big", QuestionKind.SINGLE, "p", options=_options(True, *[False] * 7)
    )
    q = quiz(many)
    first = option_order(q, many, "u1", 1)
    assert first == option_order(q, many, "u1", 1)
    orders = {tuple(o.id for o in option_order(q, many, "u1", n)) for n in range(1, 6)}
    assert len(orders) > 1
    assert sorted(o.id for o in first) == [o.id for o in many.options]


def test_option_order_unshuffled_keeps_file_order() -> None:
    q = Quiz("q", "Quiz", 80, 3, False, ReviewPolicy.AFTER_SUBMIT, (SINGLE,))
    assert option_order(q, SINGLE, "u1", 1) == SINGLE.options


@pytest.mark.parametrize(
    ("policy", "passed", "left", "expected"),
    [
        (ReviewPolicy.AFTER_SUBMIT, False, 2, True),
        (ReviewPolicy.AFTER_PASS, False, 2, False),
        (ReviewPolicy.AFTER_PASS, True, 2, True),
        (ReviewPolicy.AFTER_PASS, False, 0, True),
        (ReviewPolicy.NEVER, True, 0, False),
    ],
    ids=[
        "after-submit",
        "after-pass-not-yet",
        "after-pass-passed",
        "after-pass-out-of-attempts",
        "never",
    ],
)
def test_may_review(
    policy: ReviewPolicy, passed: bool, left: int, expected: bool
) -> None:
    assert may_review(quiz(SINGLE, review=policy), passed, left) is expected


def test_normalise_text_folds_width_and_case() -> None:
    assert normalise_text("ＰＩＮ  It") == "pin it"

from datetime import UTC, datetime

import pytest

from academy.domain.eligibility import decide
from academy.domain.program import Thresholds
from academy.domain.records import CourseRecord, Eligibility, EligibilityOverride

LIMITS = Thresholds(
    min_grade_percent=80, min_forum_posts=10, min_forum_upvotes=5, max_forum_flags=0
)
AT = datetime(2026, 3, 1, tzinfo=UTC)


def record(
    grade: float = 90,
    posts: int = 20,
    upvotes: int = 9,
    flags: int = 0,
    course: str = "c1",
) -> CourseRecord:
    return CourseRecord(
        "a@example.org", "A", course, "Course", grade, posts, upvotes, flags, AT
    )


@pytest.mark.parametrize(
    ("rec", "eligible", "reason_words"),
    [
        (record(), True, []),
        (record(grade=80, posts=10, upvotes=5, flags=0), True, []),
        (record(grade=79.9), False, ["grade"]),
        (record(posts=9), False, ["forum posts"]),
        (record(upvotes=4), False, ["upvotes"]),
        (record(flags=1), False, ["flags"]),
        (
            record(grade=50, posts=1, upvotes=0, flags=3),
            False,
            ["grade", "posts", "upvotes", "flags"],
        ),
    ],
    ids=[
        "clear",
        "exactly-at-thresholds",
        "grade-just-below",
        "too-few-posts",
        "too-few-upvotes",
        "one-flag",
        "everything-missed",
    ],
)
def test_decide_thresholds(
    rec: CourseRecord, eligible: bool, reason_words: list[str]
) -> None:
    decision = decide(Eligibility("a@example.org", (rec,)), LIMITS)
    assert decision.eligible is eligible
    assert len(decision.reasons) == len(reason_words)
    for word, reason in zip(reason_words, decision.reasons, strict=True):
        assert word in reason


def test_decide_without_record_says_so() -> None:
    decision = decide(None, LIMITS)
    assert not decision.eligible
    assert "No course record" in decision.reasons[0]


def test_decide_any_qualifying_course_suffices() -> None:
    both = Eligibility(
        "a@example.org", (record(grade=60, course="c1"), record(course="c2"))
    )
    decision = decide(both, LIMITS)
    assert (
        decision.eligible
        and decision.course is not None
        and decision.course.course_id == "c2"
    )


@pytest.mark.parametrize(
    "verdict", [True, False], ids=["override-eligible", "override-ineligible"]
)
def test_decide_override_wins(verdict: bool) -> None:
    rec = record() if not verdict else record(grade=10)
    override = EligibilityOverride(verdict, "Checked by hand", "m1", AT)
    decision = decide(Eligibility("a@example.org", (rec,), override), LIMITS)
    assert decision.eligible is verdict and decision.overridden
    assert "Checked by hand" in decision.reasons[0]

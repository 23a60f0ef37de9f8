"""Whether a learner may be certified, judged against the program's thresholds."""

from dataclasses import dataclass

from academy.domain.program import Thresholds
from academy.domain.records import CourseRecord, Eligibility


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reasons: tuple[str, ...]
    overridden: bool = False
    course: CourseRecord | None = None


def shortfalls(record: CourseRecord, thresholds: Thresholds) -> tuple[str, ...]:
    """Each threshold one course record misses, in plain words."""
    reasons = []
    if record.grade_percent < thresholds.min_grade_percent:
        reasons.append(
            f"Course grade {record.grade_percent:g}% in {record.course_name} is below "
            f"the required {thresholds.min_grade_percent:g}%."
        )
    if record.forum_posts < thresholds.min_forum_posts:
        reasons.append(
            f"{record.forum_posts} forum posts; at least "
            f"{thresholds.min_forum_posts} are required."
        )
    if record.forum_upvotes < thresholds.min_forum_upvotes:
        reasons.append(
            f"{record.forum_upvotes} upvotes received; at least "
            f"{thresholds.min_forum_upvotes} are required."
        )
    if record.forum_flags > thresholds.max_forum_flags:
        reasons.append(
            f"{record.forum_flags} moderation flags; at most "
            f"{thresholds.max_forum_flags} are allowed."
        )
    return tuple(reasons)


def decide(eligibility: Eligibility | None, thresholds: Thresholds) -> Decision:
    """A manager's override wins; otherwise any one qualifying course suffices."""
    if eligibility is not None and eligibility.override is not None:
        override = eligibility.override
        verdict = "eligible" if override.eligible else "not eligible"
        return Decision(
            eligible=override.eligible,
            reasons=(f"A community manager marked you {verdict}: {override.reason}",),
            overridden=True,
        )
    if eligibility is None or not eligibility.courses:
        return Decision(
            eligible=False,
            reasons=(
                "No course record has reached us for your email address yet. "
                "Course platforms send them after the course ends.",
            ),
        )
    judged = [
        (record, shortfalls(record, thresholds)) for record in eligibility.courses
    ]
    for record, missed in judged:
        if not missed:
            return Decision(eligible=True, reasons=(), course=record)
    record, missed = min(judged, key=lambda pair: len(pair[1]))
    return Decision(eligible=False, reasons=missed, course=record)

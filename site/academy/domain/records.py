"""The records the platform keeps: people, cohorts, learning activity, audit."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

OPEN_COHORT_ID = "open"


class Role(StrEnum):
    LEARNER = "learner"
    MANAGER = "manager"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    password_hash: str
    role: Role
    created_at: datetime
    cohort_id: str
    start_date: date
    extension_days: int = 0
    last_active_at: datetime | None = None

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER


@dataclass(frozen=True)
class Cohort:
    """A group that trains together; the open cohort has no shared start date."""

    id: str
    name: str
    timezone: str
    created_at: datetime
    start_date: date | None = None

    @property
    def is_open(self) -> bool:
        return self.start_date is None


@dataclass(frozen=True)
class ModuleCompletion:
    module_slug: str
    completed_at: datetime
    late: bool


@dataclass(frozen=True)
class Attempt:
    """One submitted attempt; `answers` maps question id to chosen ids or text."""

    id: str
    user_id: str
    quiz_slug: str
    number: int
    submitted_at: datetime
    answers: dict[str, tuple[str, ...]]
    marks: dict[str, float]
    percent: float
    passed: bool
    late: bool


class ReplyState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


@dataclass(frozen=True)
class ReplyVersion:
    text: str
    submitted_at: datetime
    late: bool
    state: ReplyState = ReplyState.PENDING
    reviewer_id: str | None = None
    reviewed_at: datetime | None = None
    comment: str = ""


@dataclass(frozen=True)
class PracticeReply:
    """A learner's reply to one practice question, with every version sent."""

    user_id: str
    quiz_slug: str
    question_id: str
    versions: tuple[ReplyVersion, ...]

    @property
    def key(self) -> str:
        return f"{self.quiz_slug}/{self.question_id}"

    @property
    def latest(self) -> ReplyVersion:
        return self.versions[-1]

    @property
    def state(self) -> ReplyState:
        return self.latest.state

    def with_version(self, version: ReplyVersion) -> "PracticeReply":
        return replace(self, versions=(*self.versions, version))

    def reviewed(
        self, state: ReplyState, reviewer_id: str, at: datetime, comment: str
    ) -> "PracticeReply":
        latest = replace(
            self.latest,
            state=state,
            reviewer_id=reviewer_id,
            reviewed_at=at,
            comment=comment,
        )
        return replace(self, versions=(*self.versions[:-1], latest))


@dataclass(frozen=True)
class EligibilityOverride:
    eligible: bool
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class CourseRecord:
    """What the course platform says about one learner in one course."""

    email: str
    name: str
    course_id: str
    course_name: str
    grade_percent: float
    forum_posts: int
    forum_upvotes: int
    forum_flags: int
    updated_at: datetime

    def same_facts(self, other: "CourseRecord") -> bool:
        """Equal apart from when it was loaded: re-importing it changes nothing."""
        return replace(self, updated_at=other.updated_at) == other


@dataclass(frozen=True)
class Eligibility:
    """Everything known about one email address's eligibility."""

    email: str
    courses: tuple[CourseRecord, ...] = ()
    override: EligibilityOverride | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: str
    action: str
    subject: str
    detail: str = ""
    reason: str = ""
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    token_hash: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None

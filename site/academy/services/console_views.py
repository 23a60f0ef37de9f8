"""What the manager's console pages show: one frozen dataclass per page part."""

from dataclasses import dataclass
from datetime import datetime

from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.curriculum import Module, Option, Question, Quiz
from academy.domain.eligibility import Decision
from academy.domain.progress import Progress, QuizProgress, Status
from academy.domain.records import (
    Attempt,
    AuditEntry,
    Cohort,
    Eligibility,
    PracticeReply,
    User,
)
from academy.domain.schedule import Schedule
from academy.services.charts import (
    BarChart,
)
from academy.services.listing import LearnerFilter, Page
from academy.services.quiz_results import QuizReport
from academy.services.summaries import LearnerSummary

# -- what the pages show ------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    total: int
    counts: dict[Status, int]


@dataclass(frozen=True)
class Home:
    cohorts: tuple[CohortRow, ...]
    learners: int
    review_queue: int
    oldest_review: datetime | None
    certificates_due: int


@dataclass(frozen=True)
class CohortOverview:
    cohort: Cohort
    filter: LearnerFilter
    rows: Page[tuple[LearnerSummary, Status]]
    counts: dict[Status, int]
    total: int
    day: int | None  # today's day of a dated cohort's schedule
    progress_chart: BarChart
    quiz_charts: tuple[BarChart, ...]


@dataclass(frozen=True)
class AnswerView:
    number: int
    question: Question
    options: tuple[Option, ...]  # the options chosen, for option questions
    text: str  # the answer otherwise: True, False, or what was typed
    mark: float | None


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    answers: tuple[AnswerView, ...]


@dataclass(frozen=True)
class QuizHistory:
    quiz: Quiz
    progress: QuizProgress
    attempts: tuple[AttemptView, ...]


@dataclass(frozen=True)
class ReplyView:
    quiz: Quiz
    question: Question
    reply: PracticeReply | None


@dataclass(frozen=True)
class CertificateView:
    certificate: Certificate
    status: CertificateStatus


@dataclass(frozen=True)
class LearnerRecord:
    user: User
    cohort: Cohort | None
    schedule: Schedule
    progress: Progress
    status: Status
    quizzes: tuple[QuizHistory, ...]
    replies: tuple[ReplyView, ...]
    decision: Decision
    eligibility: Eligibility | None
    certificates: tuple[CertificateView, ...]
    audit: tuple[AuditEntry, ...]
    dated_cohorts: tuple[Cohort, ...]
    names: dict[str, str]  # display names of the actors and reviewers shown


@dataclass(frozen=True)
class ReviewItem:
    user: User
    quiz: Quiz
    module: Module
    question: Question
    reply: PracticeReply

    @property
    def version(self) -> int:
        """Which version is under review; a stale form names an older one."""
        return len(self.reply.versions)

    @property
    def anchor(self) -> str:
        """A name for this item unique on the page, for ids and links."""
        return f"{self.user.id}-{self.quiz.slug}-{self.question.id}"


@dataclass(frozen=True)
class AuditPage:
    entries: Page[AuditEntry]
    actions: list[str]  # every action in the log, for the filter
    names: dict[str, str]


@dataclass(frozen=True)
class QuizPage:
    report: QuizReport
    chart: BarChart


@dataclass(frozen=True)
class EligibilityRow:
    record: Eligibility
    decision: Decision
    registered: bool

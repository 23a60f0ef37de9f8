"""The curriculum as immutable values: modules, quizzes and their questions."""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT = "short"
    PRACTICE_REPLY = "practice_reply"


class ReviewPolicy(StrEnum):
    """When a learner may see correctness, feedback and explanations."""

    AFTER_SUBMIT = "after_submit"
    AFTER_PASS = "after_pass"
    NEVER = "never"


@dataclass(frozen=True)
class Option:
    id: str
    text_html: str
    correct: bool
    feedback_html: str = ""


@dataclass(frozen=True)
class ForumPost:
    author: str
    title: str
    body_html: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    prompt_html: str
    explanation_html: str = ""
    options: tuple[Option, ...] = ()
    answer: bool | None = None
    accepted: tuple[str, ...] = ()
    post: ForumPost | None = None
    rubric: tuple[str, ...] = ()
    min_words: int = 0

    @property
    def graded(self) -> bool:
        """Whether the server scores this question (practice replies are reviewed)."""
        return self.kind is not QuestionKind.PRACTICE_REPLY

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)


@dataclass(frozen=True)
class Quiz:
    slug: str
    title: str
    pass_percent: int
    max_attempts: int
    shuffle: bool
    review: ReviewPolicy
    questions: tuple[Question, ...]
    intro_html: str = ""

    # Cached: progress asks for them for every quiz of every learner it sums up.
    @cached_property
    def graded_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.graded)

    @cached_property
    def practice_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.graded)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    day: int
    minutes: int
    summary: str
    objectives: tuple[str, ...]
    body_html: str
    word_count: int
    quiz_slug: str | None = None
    headings: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Curriculum:
    """Every module in schedule order, and every quiz by slug."""

    modules: tuple[Module, ...]
    quizzes: dict[str, Quiz]

    def module(self, slug: str) -> Module | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def module_for_quiz(self, quiz_slug: str) -> Module | None:
        return next((m for m in self.modules if m.quiz_slug == quiz_slug), None)

    def neighbours(self, slug: str) -> tuple[Module | None, Module | None]:
        """The modules before and after `slug` in the schedule."""
        slugs = [m.slug for m in self.modules]
        i = slugs.index(slug)
        before = self.modules[i - 1] if i > 0 else None
        after = self.modules[i + 1] if i + 1 < len(self.modules) else None
        return before, after

    @property
    def ordered_quizzes(self) -> tuple[Quiz, ...]:
        """Quizzes in the order of the modules that hold them."""
        return tuple(self.quizzes[m.quiz_slug] for m in self.modules if m.quiz_slug)

    @property
    def practice_count(self) -> int:
        return sum(len(q.practice_questions) for q in self.quizzes.values())

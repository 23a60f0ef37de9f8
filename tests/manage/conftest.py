"""Fixtures for the manager console: an app on a frozen clock, and signed-in clients."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.domain.curriculum import QuestionKind, Quiz
from academy.domain.records import User
from academy.services.academy import Academy
from academy.settings import Settings
from academy.web.app import create_app
from tests.conftest import PASSWORD, csrf, make_settings
from tests.conftest import login as sign_in
from tests.conftest import register as register_form

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning

# Answers to the day-1 quiz "mentor-role": all right, and all wrong.
RIGHT = {
    "deadline-after-hospital": ["a"],
    "which-break-code": ["a", "b", "c"],
    "coworker-in-course": ["a"],
    "danger-in-private-message": ["true"],
    "name-the-action": ["escalate"],
    "angry-quiz-post": ["a"],
}
WRONG = {
    "deadline-after-hospital": ["b"],
    "which-break-code": ["d"],
    "coworker-in-course": ["c"],
    "danger-in-private-message": ["false"],
    "name-the-action": ["ignore"],
    "angry-quiz-post": ["d"],
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Starlette:
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """An anonymous browser; entering it starts the app and opens the store."""
    with TestClient(app, follow_redirects=False) as browser:
        yield browser


@pytest.fixture
def academy(app: Starlette, client: TestClient) -> Academy:
    core: Academy = app.state.academy
    return core


def post(browser: TestClient, path: str, data: dict[str, str] | None = None, **kw):
    """POST a form the way the browser does, with its CSRF token."""
    return browser.post(path, data={**(data or {}), "csrf_token": csrf(browser)}, **kw)


def sign_up(browser: TestClient, name: str, email: str) -> None:
    """Register through the form, as a person would; the browser is signed in."""
    register_form(browser, email=email, name=name)


@dataclass
class People:
    """A manager's browser and a learner's, with their accounts."""

    manager: User
    manager_browser: TestClient
    learner: User
    learner_browser: TestClient


@pytest.fixture
def people(app: Starlette, client: TestClient, academy: Academy) -> People:
    manager, _ = academy.accounts.create_manager(
        "morgan@example.org", PASSWORD, "Morgan Manager"
    )
    sign_in(client, manager.email)
    # A second browser on the same running app; only the first runs the lifespan.
    other = TestClient(app, follow_redirects=False)
    sign_up(other, "Lee Learner", "lee@example.org")
    learner = academy.store.user_by_email("lee@example.org")
    assert learner is not None
    return People(manager, client, learner, other)


def register(academy: Academy, n: int) -> list[User]:
    """n learners in the open cohort, named so their order is known."""
    return [
        academy.accounts.register(
            f"Learner {i:02d}", f"learner{i:02d}@example.org", PASSWORD
        )
        for i in range(n)
    ]


def later(clock: FrozenClock, days: float) -> None:
    clock.advance(timedelta(days=days))


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    """Full marks at any quiz, worked out from its content."""
    answers: dict[str, list[str]] = {}
    for question in quiz.graded_questions:
        if question.kind is QuestionKind.TRUE_FALSE:
            answers[question.id] = ["true" if question.answer else "false"]
        elif question.kind is QuestionKind.SHORT:
            answers[question.id] = [question.accepted[0]]
        else:
            answers[question.id] = sorted(question.correct_option_ids)
    return answers


def reply_text(words: int = 60) -> str:
    return " ".join(
        ["Thanks for sharing this; here is one specific next step."] * (words // 9 + 1)
    )


def finish_everything(academy: Academy, user: User, clock: FrozenClock) -> None:
    """Read every module, pass every quiz and send every practice reply.

    The clock moves to day 14 so everything is open; it is left there.
    """
    clock.set(
        datetime.combine(user.start_date, datetime.min.time(), UTC)
        + timedelta(days=13, hours=12)
    )
    curriculum = academy.ctx.content.curriculum
    for module in curriculum.modules:
        academy.learning.complete_module(user, module.slug)
    for quiz in curriculum.ordered_quizzes:
        academy.learning.submit_attempt(user, quiz.slug, correct_answers(quiz))
        for question in quiz.practice_questions:
            academy.learning.submit_reply(user, quiz.slug, question.id, reply_text())


def eligible_csv(*emails: str) -> bytes:
    header = (
        "email,name,course_id,course_name,"
        "grade_percent,forum_posts,forum_upvotes,forum_flags\n"
    )
    rows = "".join(
        f"{e},Someone,py101,Python for Everyone,92,40,30,0\n" for e in emails
    )
    return (header + rows).encode()

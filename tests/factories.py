"""Builders for tests that need a learner at a given stage."""

from datetime import timedelta

from academy.clock import FrozenClock
from academy.domain.certificate import Certificate
from academy.domain.records import ReplyState, User
from academy.services.academy import Academy
from academy.services.demo_answers import correct_answers

REPLY = " ".join(["Thank you for sharing this; here is one question to try next."] * 8)
GOOD_ROW = {
    "name": "Ana Silva",
    "course_id": "py101",
    "course_name": "Python for Everyone",
    "grade_percent": "92",
    "forum_posts": "40",
    "forum_upvotes": "30",
    "forum_flags": "0",
}


def learner(
    academy: Academy, email: str = "ana@example.org", name: str = "Ana Silva"
) -> User:
    return academy.accounts.register(name, email, "correct horse battery")


def make_eligible(academy: Academy, email: str, grade: str = "92") -> None:
    report = academy.eligibility.import_rows(
        [{**GOOD_ROW, "email": email, "grade_percent": grade}], "test"
    )
    assert report.ok, report.errors


def finish_training(
    academy: Academy, clock: FrozenClock, user: User, approve: bool = True
) -> None:
    """Read every module, pass every quiz, write every reply, and approve them."""
    clock.advance(timedelta(days=13, hours=1))
    curriculum = academy.ctx.content.curriculum
    for module in curriculum.modules:
        academy.learning.complete_module(user, module.slug)
        if module.quiz_slug:
            quiz = curriculum.quizzes[module.quiz_slug]
            answers = correct_answers(quiz)
            for q in quiz.practice_questions:
                answers[q.id] = [REPLY]
            academy.learning.submit_attempt(user, quiz.slug, answers)
    if approve:
        approve_all(academy, user)


def certified(
    academy: Academy,
    clock: FrozenClock,
    email: str = "ana@example.org",
    name: str = "Ana Silva",
) -> tuple[User, Certificate]:
    """An eligible learner who finished the training, and the certificate issued."""
    user = learner(academy, email, name)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None
    return user, cert


def approve_all(
    academy: Academy, user: User, state: ReplyState = ReplyState.APPROVED
) -> None:
    data = academy.store.learner(user.id)
    assert data is not None
    for reply in data.replies.values():
        if reply.state is ReplyState.PENDING:
            reviewed = reply.reviewed(state, "m", academy.ctx.now(), "Good.")
            academy.store.save_reply(reviewed)
    academy.summaries.refresh(user.id)
    academy.certificates.issue_if_due(user.id)

"""Reviewing practice replies: approve, return with a comment, and races."""

from datetime import timedelta

import pytest

from academy.domain.records import ReplyState

from .conftest import People, eligible_csv, finish_everything, post, reply_text

QUIZ = "giving-feedback"  # day 4, with one practice reply


@pytest.fixture
def pending(people: People, academy, clock):
    """The learner's reply to the practice question, waiting for review."""
    clock.advance(timedelta(days=3))
    quiz = academy.ctx.content.curriculum.quizzes[QUIZ]
    question = quiz.practice_questions[0]
    academy.learning.submit_reply(people.learner, QUIZ, question.id, reply_text())
    return f"{QUIZ}/{question.id}"


def _reply(academy, user_id, key):
    return academy.store.learner(user_id).replies[key]


def _review(people: People, key: str, decision: str, comment: str = "", version="1"):
    return post(
        people.manager_browser,
        "/manage/replies/review",
        {
            "user_id": people.learner.id,
            "key": key,
            "version": version,
            "decision": decision,
            "comment": comment,
            "anchor": "a",
        },
    )


def test_reviews_queue_shows_post_reply_and_rubric(people: People, academy, pending):
    page = people.manager_browser.get("/manage/replies").text
    question = academy.ctx.content.curriculum.quizzes[QUIZ].practice_questions[0]
    assert question.post.title in page
    assert question.rubric[0] in page
    assert "Thanks for sharing this" in page
    assert people.learner.name in page


def test_reviews_approve_is_saved_and_audited(people: People, academy, pending):
    response = _review(people, pending, "approve", "Well judged.")
    assert response.status_code == 303
    assert response.headers["location"] == "/manage/replies?notice=approved"

    reply = _reply(academy, people.learner.id, pending)
    assert reply.state is ReplyState.APPROVED
    assert reply.latest.reviewer_id == people.manager.id
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "reply.approve",
        people.learner.id,
    )
    assert entry.reason == "Well judged."
    assert academy.store.pending_replies() == []
    assert academy.summaries.get(people.learner.id).replies_approved == 1


def test_reviews_return_needs_a_comment(people: People, academy, pending):
    response = _review(people, pending, "return", "   ")
    assert response.status_code == 422
    assert "the learner sees this comment" in response.text
    assert _reply(academy, people.learner.id, pending).state is ReplyState.PENDING
    assert not [e for e in academy.store.audit() if e.action.startswith("reply.")]


def test_reviews_returned_reply_can_be_answered(people: People, academy, pending):
    comment = "Name one strength first, then one next step."
    assert _review(people, pending, "return", comment).status_code == 303

    state = academy.learning.quiz_state(people.learner, QUIZ)
    question_id = pending.split("/")[1]
    assert state.replies[pending].state is ReplyState.RETURNED
    assert state.replies[pending].latest.comment == comment
    assert state.reply_open(question_id)
    assert academy.store.audit()[-1].action == "reply.return"
    learner_page = people.learner_browser.get(f"/quizzes/{QUIZ}").text
    assert comment in learner_page

    academy.learning.submit_reply(people.learner, QUIZ, question_id, reply_text(70))
    assert [p.key for p in academy.store.pending_replies()] == [pending]
    page = people.manager_browser.get("/manage/replies").text
    assert comment in page  # the earlier version's comment, for context
    assert _review(people, pending, "approve", version="2").status_code == 303
    assert _reply(academy, people.learner.id, pending).state is ReplyState.APPROVED


def test_reviews_second_review_of_one_version_conflicts(
    people: People, academy, pending
):
    assert _review(people, pending, "approve").status_code == 303
    response = _review(people, pending, "return", "Too late, someone approved it.")
    assert response.status_code == 409
    assert _reply(academy, people.learner.id, pending).state is ReplyState.APPROVED
    assert [
        e.action for e in academy.store.audit() if e.action.startswith("reply.")
    ] == ["reply.approve"]


def test_reviews_stale_version_conflicts(people: People, academy, pending):
    response = _review(people, pending, "approve", version="2")
    assert response.status_code == 409
    assert _reply(academy, people.learner.id, pending).state is ReplyState.PENDING


def test_reviews_concurrent_reviews_leave_one_winner(people: People, academy, pending):
    from concurrent.futures import ThreadPoolExecutor

    from academy.domain.errors import Conflict

    def review(approve: bool) -> str:
        try:
            academy.manage.review(
                people.learner.id, pending, "1", approve, "comment", people.manager.id
            )
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(review, [True, False] * 8))
    assert outcomes.count("ok") == 1
    reviews = [e for e in academy.store.audit() if e.action.startswith("reply.")]
    assert len(reviews) == 1
    expected = (
        ReplyState.APPROVED
        if reviews[0].action == "reply.approve"
        else ReplyState.RETURNED
    )
    assert _reply(academy, people.learner.id, pending).state is expected


def test_reviews_approving_the_last_item_issues_the_certificate(
    people: People, academy, clock
):
    learner = people.learner
    academy.eligibility.import_csv(eligible_csv(learner.email), "test")
    finish_everything(academy, learner, clock)
    pending = [p.key for p in academy.store.pending_replies()]
    for key in pending[:-1]:
        academy.manage.review(learner.id, key, "1", True, "", people.manager.id)
    assert academy.certificates.current_of(learner.id) is None

    assert _review(people, pending[-1], "approve").status_code == 303
    certificate = academy.certificates.current_of(learner.id)
    assert certificate is not None
    assert academy.summaries.get(learner.id).certified
    assert [e.action for e in academy.store.audit()][-2:] == [
        "reply.approve",
        "certificate.issue",
    ]

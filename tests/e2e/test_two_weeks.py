"""The whole two weeks in a real browser, with the clock moved day by day."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from academy.domain.records import ReplyState
from academy.services.demo import correct_answers
from tests.e2e.axe import describe, violations
from tests.e2e.conftest import ClockedServer, snap
from tests.factories import make_eligible

pytestmark = pytest.mark.e2e

REPLY = (
    "Welcome, and thank you for such a clear post. You have already found the key "
    "idea: explaining something out loud makes you retrieve it. What do you think "
    "would happen if you explained it without your notes? Try it with this week's "
    "topic and tell us here what you noticed; others may want to try it too."
)


def answer_quiz(page: Page, quiz, right: bool) -> None:  # type: ignore[no-untyped-def]
    for question in quiz.graded_questions:
        values = correct_answers(quiz)[question.id]
        if question.kind == "short":
            page.fill(
                f'input[name="q.{question.id}"]', values[0] if right else "no idea"
            )
            continue
        if not right:
            continue  # left blank: counts as wrong
        for value in values:
            page.check(f'input[name="q.{question.id}"][value="{value}"]')


def test_two_weeks_to_a_certificate(clocked_server: ClockedServer, page: Page) -> None:
    server, academy, clock = (
        clocked_server,
        clocked_server.academy,
        clocked_server.clock,
    )
    curriculum = academy.ctx.content.curriculum
    email = "mei.two-weeks@example.org"
    make_eligible(academy, email)

    page.goto(f"{server.url}/register")
    page.get_by_label("Full name").fill("Mei Lin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Today is day 1 of 14")).to_be_visible()

    failed_once = False
    for day in range(1, 14):
        clock.set(
            clock.now().replace(hour=9) if day == 1 else clock.now() + timedelta(days=1)
        )
        page.goto(f"{server.url}/dashboard")
        expect(page.get_by_text(f"Today is day {day} of 14")).to_be_visible()
        for module in [m for m in curriculum.modules if m.day == day]:
            page.goto(f"{server.url}/modules/{module.slug}")
            page.get_by_role(
                "button", name=re.compile("Mark this module complete")
            ).click()
            if not module.quiz_slug:
                continue
            quiz = curriculum.quizzes[module.quiz_slug]
            if not failed_once:
                answer_quiz(page, quiz, right=False)
                page.get_by_role("button", name=re.compile("Submit attempt 1")).click()
                page.get_by_role("button", name=re.compile("Submit with")).click()
                expect(page.get_by_role("status")).to_contain_text("not passed")
                page.get_by_role("link", name=re.compile("Try again")).click()
                failed_once = True
            answer_quiz(page, quiz, right=True)
            for question in quiz.practice_questions:
                page.fill(f'textarea[name="q.{question.id}"]', REPLY)
            page.get_by_role("button", name=re.compile("Submit attempt")).click()
            expect(page.get_by_role("status")).to_contain_text("passed")

    data = academy.store.user_by_email(email)
    learner = academy.store.learner(data.id)
    replies = list(learner.replies.values())
    assert len(replies) == curriculum.practice_count
    # A community manager returns the first reply and approves the others.
    first = replies[0]
    academy.store.save_reply(
        first.reviewed(
            ReplyState.RETURNED, "m", clock.now(), "Ask one question at a time."
        )
    )
    for reply in replies[1:]:
        academy.store.save_reply(
            reply.reviewed(ReplyState.APPROVED, "m", clock.now(), "Good.")
        )
    academy.summaries.refresh(data.id)

    page.goto(f"{server.url}/dashboard")
    page.get_by_role("link", name=re.compile("Revise your practice reply")).click()
    expect(page.get_by_text("Ask one question at a time.")).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    page.fill(
        f'textarea[name="q.{first.question_id}"]', REPLY + " What part felt hardest?"
    )
    page.get_by_role("button", name="Send reply for review").click()
    expect(page.get_by_text("Waiting for review").first).to_be_visible()

    learner = academy.store.learner(data.id)
    revised = learner.replies[first.key]
    academy.store.save_reply(
        revised.reviewed(ReplyState.APPROVED, "m", clock.now(), "Much better.")
    )
    academy.summaries.refresh(data.id)
    academy.certificates.issue_if_due(data.id)

    page.goto(f"{server.url}/certificate")
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    snap(page, "two-weeks-certificate")
    verify = page.locator("dd a[href*='/verify/']").get_attribute("href")
    add = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert verify and add and "startTask=CERTIFICATION_NAME" in add
    page.goto(verify)
    expect(page.get_by_text("Mei Lin").first).to_be_visible()
    expect(page.locator('meta[property="og:image"]')).to_have_attribute(
        "content", re.compile(r"/preview\.png$")
    )

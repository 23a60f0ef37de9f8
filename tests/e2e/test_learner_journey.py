"""A new learner in a real browser: register, read, fail a quiz, pass it, see progress."""

import re

import pytest
from playwright.sync_api import Page, expect

from academy.content import load_content
from academy.services.demo_answers import correct_answers
from tests.e2e.conftest import ROOT, Server, snap

pytestmark = pytest.mark.e2e


def progress_value(page: Page) -> int:
    return int(page.locator("progress").get_attribute("value") or "0")


def test_learner_registers_fails_then_passes_a_quiz(server: Server, page: Page) -> None:
    quiz = load_content(ROOT).curriculum.quizzes["mentor-role"]

    page.goto(f"{server.url}/register")
    page.get_by_label("Full name").fill("Nadia Haddad")
    page.get_by_label("Email address").fill("nadia.e2e@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Nadia Haddad")).to_be_visible()
    start = progress_value(page)
    assert start == 0
    snap(page, "journey-dashboard-new")

    page.get_by_role("link", name=re.compile("Read “The mentor")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("mentor's role")
    )
    page.get_by_role("button", name=re.compile("Mark this module complete")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Quiz:"))
    snap(page, "journey-quiz")

    page.get_by_role("button", name=re.compile("Submit attempt 1")).click()
    expect(page.get_by_role("alert")).to_contain_text("blank")
    page.get_by_role("button", name=re.compile("Submit with")).click()
    expect(page.get_by_role("status")).to_contain_text("not passed")
    snap(page, "journey-failed")

    page.get_by_role("link", name=re.compile("Try again")).click()
    for qid, values in correct_answers(quiz).items():
        question = quiz.question(qid)
        assert question is not None
        if question.kind == "short":
            page.fill(f'input[name="q.{qid}"]', values[0])
        else:
            for value in values:
                page.check(f'input[name="q.{qid}"][value="{value}"]')
    page.get_by_role("button", name=re.compile("Submit attempt 2")).click()
    expect(page.get_by_role("status")).to_contain_text("100%: passed")
    expect(page.get_by_text("✓ Correct").first).to_be_visible()
    snap(page, "journey-passed")

    page.get_by_role("link", name="Back to your dashboard").click()
    assert progress_value(page) > start
    expect(page.get_by_text("Passed 100%")).to_be_visible()
    snap(page, "journey-dashboard-after")


def test_visitor_opens_a_verification_link(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email address").fill("amara@demo.mentor-academy.org")
    page.get_by_label("Password").fill("mentor-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/certificate")
    link = page.locator("dd a[href*='/verify/']").get_attribute("href")
    assert link
    visitor = page.context.browser.new_page()  # type: ignore[union-attr]
    visitor.goto(link)
    expect(visitor.get_by_text("Valid certificate.")).to_be_visible()
    expect(
        visitor.get_by_role("link", name="Add to LinkedIn profile")
    ).to_have_attribute(
        "href",
        re.compile(
            r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME"
        ),
    )
    snap(visitor, "journey-verify")
    visitor.close()

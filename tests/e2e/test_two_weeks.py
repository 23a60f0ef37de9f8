"""The whole two weeks in a real browser, with the clock moved day by day."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from academy.services.demo_answers import correct_answers
from tests.e2e.axe import describe, violations
from tests.e2e.conftest import ClockedServer, snap
from tests.factories import make_eligible

pytestmark = pytest.mark.e2e
MANAGER = "morgan.two-weeks@example.org"

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

    # A community manager, in a browser of their own, returns the first reply
    # and approves the others.
    academy.accounts.create_manager(MANAGER, "correct horse battery", "Morgan Lee")
    manager = page.context.browser.new_page()  # type: ignore[union-attr]
    manager.goto(f"{server.url}/login")
    manager.get_by_label("Email address").fill(MANAGER)
    manager.get_by_label("Password").fill("correct horse battery")
    manager.get_by_role("button", name="Sign in").click()
    manager.goto(f"{server.url}/manage/replies")
    first_form = manager.locator("form[action='/manage/replies/review']").first
    first_key = first_form.locator("input[name=key]").get_attribute("value")
    first_form.get_by_label(re.compile("comment", re.I)).fill(
        "Ask one question at a time."
    )
    first_form.get_by_role("button", name=re.compile("Return")).click()
    approve_all(manager)
    assert academy.certificates.current_of(data.id) is None

    page.goto(f"{server.url}/dashboard")
    page.get_by_role("link", name=re.compile("Revise your practice reply")).click()
    expect(page.get_by_text("Ask one question at a time.")).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    question_id = (first_key or "").split("/")[-1]
    page.fill(f'textarea[name="q.{question_id}"]', REPLY + " What part felt hardest?")
    page.get_by_role("button", name="Send reply for review").click()
    expect(page.get_by_text("Waiting for review").first).to_be_visible()

    # Approving the last reply is what issues the certificate.
    manager.goto(f"{server.url}/manage/replies")
    approve_all(manager)
    manager.close()

    page.goto(f"{server.url}/certificate")
    expect(page.get_by_text("Valid certificate.")).to_be_visible()
    snap(page, "two-weeks-certificate")
    verify = page.locator("dd a[href*='/verify/']").get_attribute("href")
    assert verify
    cert_id = verify.rstrip("/").split("/")[-1]
    shared = share_on_linkedin(page)
    assert shared["startTask"] == ["CERTIFICATION_NAME"]
    assert shared["name"] and shared["certId"] == [cert_id]
    assert shared["certUrl"] == [verify]
    assert shared.get("organizationName") or shared.get("organizationId")
    assert shared["issueYear"] == [str(clock.now().year)]
    assert shared["issueMonth"] == [str(clock.now().month)]

    page.goto(verify)
    expect(page.get_by_text("Mei Lin").first).to_be_visible()
    expect(page.locator('meta[property="og:image"]')).to_have_attribute(
        "content", re.compile(r"/preview\.png$")
    )


def approve_all(manager: Page) -> None:
    """Approve every reply in the queue, one form at a time, as a manager does."""
    approve = manager.get_by_role("button", name=re.compile("^Approve"))
    while approve.count():
        approve.first.click()
        manager.wait_for_load_state()


def share_on_linkedin(page: Page) -> dict[str, list[str]]:
    """Follow "Add to LinkedIn profile" to a stand-in LinkedIn; return its query."""
    seen: list[str] = []

    def answer(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>LinkedIn</p>")

    page.route(re.compile(r"^https://([a-z]+\.)?linkedin\.com/"), answer)
    page.get_by_role("link", name="Add to LinkedIn profile").click()
    page.wait_for_url(re.compile("linkedin"))
    page.unroute(re.compile(r"^https://([a-z]+\.)?linkedin\.com/"))
    assert seen, "the link did not lead to LinkedIn"
    url = urlsplit(seen[0])
    assert url.path == "/profile/add", url.path
    return parse_qs(url.query)

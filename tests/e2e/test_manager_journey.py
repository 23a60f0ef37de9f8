"""A community manager's day in a real browser, and a quiz taken by keyboard alone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from academy.domain.records import Cohort
from academy.services.demo_answers import correct_answers
from tests.e2e.axe import describe, violations
from tests.e2e.conftest import ClockedServer, snap
from tests.factories import finish_training, learner, make_eligible

pytestmark = pytest.mark.e2e
HEADER = "email,name,course_id,course_name,grade_percent,forum_posts,forum_upvotes,forum_flags\n"


def sign_in(
    page: Page, url: str, email: str, password: str = "correct horse battery"
) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def overview_row(page: Page, overview: str, name: str) -> dict[str, str]:
    """Open a cohort's overview and read one learner's row, column by column."""
    page.goto(overview)
    table = page.locator("table.learners")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    row = table.locator("tbody tr", has=page.get_by_role("link", name=name))
    expect(row).to_have_count(1)
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    return dict(zip(headers, cells, strict=True))


def test_manager_imports_reviews_extends_revokes_reissues_and_exports(
    clocked_server: ClockedServer, page: Page, tmp_path: Path
) -> None:
    server, academy, clock = (
        clocked_server,
        clocked_server.academy,
        clocked_server.clock,
    )
    manager, _ = academy.accounts.create_manager(
        "morgan@example.org", "correct horse battery", "Morgan Lee"
    )
    graduate = learner(academy, "ines@example.org", "Ines Costa")
    make_eligible(academy, graduate.email)
    finish_training(academy, clock, graduate)
    # A cohort that starts today; Tomas does all of his part by day 14.
    cohort = Cohort(
        "c_journey", "Winter mentors", "UTC", clock.now(), clock.now().date()
    )
    academy.store.save_cohort(cohort)
    trained = learner(academy, "tomas@example.org", "Tomas Berg")
    academy.manage.move_to_cohort(trained.id, cohort.id, manager.id)
    finish_training(academy, clock, trained, approve=False)

    sign_in(page, server.url, "morgan@example.org")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The overview first: Tomas has done his part; his replies wait for us.
    overview = f"{server.url}/manage/cohorts/{cohort.id}"
    before = overview_row(page, overview, "Tomas Berg")
    assert before["Replies approved"] == "0/4 (4 waiting)", before
    assert (before["Status"], before["Eligible"]) == ("on track", "no"), before
    snap(page, "manager-overview-before")

    # Import eligibility: one bad file changes nothing, then a good one.
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "tomas@example.org,Tomas Berg,py101,Python,105,40,30,0\n")
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "tomas@example.org,Tomas Berg,py101,Python,91,40,30,0\n")
    page.goto(f"{server.url}/manage/eligibility")
    page.set_input_files("#import-file", str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(
        page.get_by_text("grade_percent must be from 0 to 100, got 105")
    ).to_be_visible()
    found = violations(page)
    assert not found, describe(found)
    page.set_input_files("#import-file", str(good))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(re.compile("1 new"))).to_be_visible()
    snap(page, "manager-imported")

    # Review the queue: return the first reply, approve the rest.
    page.goto(f"{server.url}/manage/replies")
    snap(page, "manager-queue")
    first = page.locator("form[action='/manage/replies/review']").first
    first.get_by_label(re.compile("comment", re.I)).fill(
        "Please ask one guiding question."
    )
    first.get_by_role("button", name=re.compile("Return", re.I)).click()
    while page.get_by_role("button", name=re.compile("^Approve", re.I)).count():
        page.get_by_role("button", name=re.compile("^Approve", re.I)).first.click()
        page.wait_for_load_state()
    data = academy.store.learner(trained.id)
    states = sorted(r.state.value for r in data.replies.values())
    assert states.count("returned") == 1 and states.count("approved") == len(states) - 1

    # The overview again: the import and the reviews show in Tomas's row.
    after = overview_row(page, overview, "Tomas Berg")
    assert after["Replies approved"] == "3/4", after
    # The returned reply is his to answer again, so he is now behind.
    assert (after["Status"], after["Eligible"]) == ("behind", "yes"), after
    snap(page, "manager-overview-after")

    # Grant an extension.
    page.goto(f"{server.url}/manage/learners/{trained.id}")
    extension = page.locator("form[action$='/extension']")
    extension.get_by_label(re.compile("days", re.I)).fill("5")
    extension.get_by_label(re.compile("reason", re.I)).fill("Travelling for work")
    extension.get_by_role("button").click()
    expect(page.get_by_text("Travelling for work").first).to_be_visible()
    assert academy.store.user(trained.id).extension_days == 5

    # Revoke, then reissue the graduate's certificate under a corrected name.
    cert = academy.certificates.current_of(graduate.id)
    page.goto(f"{server.url}/manage/certificates")
    revoke = page.locator(f"form[action='/manage/certificates/{cert.id}/revoke']")
    page.locator(
        f"details:has(form[action='/manage/certificates/{cert.id}/revoke']) > summary"
    ).click()
    revoke.get_by_label(re.compile("reason", re.I)).fill("Issued to the wrong account")
    revoke.get_by_role("button").click()
    expect(page.get_by_text(re.compile("revoked", re.I)).first).to_be_visible()
    assert academy.certificates.get(cert.id).revoked_at is not None
    second = learner(academy, "ana.r@example.org", "Ana Rocha")
    make_eligible(academy, second.email)
    finish_training(academy, clock, second)
    cert2 = academy.certificates.current_of(second.id)
    page.goto(f"{server.url}/manage/certificates")
    reissue = page.locator(f"form[action='/manage/certificates/{cert2.id}/reissue']")
    page.locator(
        f"details:has(form[action='/manage/certificates/{cert2.id}/reissue']) > summary"
    ).click()
    reissue.get_by_label(re.compile("name", re.I)).fill("Ana Rocha Silva")
    reissue.get_by_label(re.compile("reason", re.I)).fill("Name corrected")
    reissue.get_by_role("button").click()
    new = academy.certificates.current_of(second.id)
    assert new.id != cert2.id and new.recipient_name == "Ana Rocha Silva"
    page.goto(f"{server.url}/verify/{cert2.id}")
    expect(
        page.get_by_role("link", name="see the current certificate")
    ).to_have_attribute("href", f"/verify/{new.id}")

    # Download every report.
    for kind in ("grades", "responses", "certificates", "eligibility"):
        page.goto(f"{server.url}/manage/reports")
        with page.expect_download() as info:
            page.locator(f"a[href='/manage/reports/{kind}.csv']").click()
        text = Path(info.value.path()).read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].count(",") >= 2, kind


def test_quiz_by_keyboard_alone(clocked_server: ClockedServer, page: Page) -> None:
    server, academy = clocked_server, clocked_server.academy
    learner(academy, "kai@example.org", "Kai Tanaka")
    quiz = academy.ctx.content.curriculum.quizzes["mentor-role"]
    sign_in(page, server.url, "kai@example.org")
    page.goto(f"{server.url}/quizzes/mentor-role")
    right = correct_answers(quiz)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for question in quiz.graded_questions:
        for value in right[question.id]:
            selector = f'input[name="q.{question.id}"]' + (
                "" if question.kind == "short" else f'[value="{value}"]'
            )
            # Walk with Tab until the wanted control has focus, as a keyboard user would.
            for _ in range(200):
                if page.evaluate(
                    "(s) => document.activeElement === document.querySelector(s)",
                    selector,
                ):
                    break
                if question.kind != "short" and page.evaluate(
                    "(n) => document.activeElement.name === n", f"q.{question.id}"
                ):
                    page.keyboard.press("ArrowDown")
                    if question.kind == "multiple":
                        page.keyboard.press("Shift+Tab")
                        page.keyboard.press("Tab")
                    continue
                page.keyboard.press("Tab")
            focused_outline = page.evaluate(
                "getComputedStyle(document.activeElement).outlineStyle"
            )
            assert focused_outline != "none", "focus must be visible"
            box = page.evaluate("document.activeElement.getBoundingClientRect().top")
            assert box >= 0, "the focused control is hidden above the viewport"
            if question.kind == "short":
                page.keyboard.type(value)
            elif question.kind in ("multiple",) or not page.evaluate(
                "document.activeElement.checked"
            ):
                page.keyboard.press("Space")
    page.locator("button[type=submit]", has_text="Submit attempt").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("passed")
    snap(page, "keyboard-quiz-result")

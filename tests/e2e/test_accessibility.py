"""Every kind of page, at three widths: no axe violations, no sideways scrolling."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.axe import describe, violations
from tests.e2e.conftest import Server, snap

pytestmark = pytest.mark.e2e
WIDTHS = [375, 768, 1280]
DOMAIN = "demo.mentor-academy.org"

ANONYMOUS = ["/", "/register", "/login"]
LEARNER = [
    "/dashboard",
    "/modules/giving-feedback",
    "/quizzes/encouraging-discussion",
    "/quizzes/mentor-role/attempts/1",
    "/certificate",
]
GRADUATE = ["/certificate", "VERIFY"]
MANAGER = [
    "/manage",
    "/manage/cohorts",
    "/manage/replies",
    "/manage/quizzes",
    "/manage/quizzes/mentor-role",
    "/manage/certificates",
    "/manage/eligibility",
    "/manage/reports",
    "/manage/audit",
]


def signed_in(
    browser: Browser, server: Server, email: str | None, width: int
) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    if email:
        page.goto(f"{server.url}/login")
        page.fill("#email", email)
        page.fill("#password", "mentor-demo")
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/(dashboard|manage)"))
    yield page
    context.close()


def check(page: Page, url: str, name: str, width: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (
        f"{url}: {response.status if response else 'no answer'}"
    )
    found = violations(page)
    assert not found, f"{url} at {width}px:\n{describe(found)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px"
    snap(page, f"{name}-{width}")


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


@pytest.mark.parametrize("width", WIDTHS)
def test_public_and_learner_pages(server: Server, browser: Browser, width: int) -> None:
    for page in signed_in(browser, server, None, width):
        for path in ANONYMOUS:
            check(page, server.url + path, _name(path), width)
    for page in signed_in(browser, server, f"priya@{DOMAIN}", width):
        for path in LEARNER:
            check(page, server.url + path, _name(path), width)
    for page in signed_in(browser, server, f"amara@{DOMAIN}", width):
        page.goto(server.url + "/certificate")
        link = page.locator("dd a[href*='/verify/']").get_attribute("href")
        assert link
        check(page, server.url + "/certificate", "certificate-graduate", width)
        check(page, link, "verify", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_manager_pages(server: Server, browser: Browser, width: int) -> None:
    for page in signed_in(browser, server, f"manager@{DOMAIN}", width):
        for path in MANAGER:
            check(page, server.url + path, _name(path), width)
        page.goto(server.url + "/manage/cohorts")
        cohort = page.locator("a[href^='/manage/cohorts/c_']").first.get_attribute(
            "href"
        )
        assert cohort
        check(page, server.url + cohort, "manage-overview", width)
        page.goto(server.url + cohort)
        learner = page.locator("a[href^='/manage/learners/']").first.get_attribute(
            "href"
        )
        assert learner
        check(page, server.url + learner, "manage-learner", width)

"""Every kind of page and state, at three widths: no axe violations, no sideways
scrolling, no target under 24 by 24 px, and a screenshot of each."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.axe import describe, small_targets, violations
from tests.e2e.conftest import Server, snap

pytestmark = pytest.mark.e2e
WIDTHS = [375, 768, 1280]
# Below 60rem (960 px) certificates are cards and question ids stay whole.
NARROW = 960
DOMAIN = "demo.mentor-academy.org"

ANONYMOUS = ["/", "/register", "/login"]
LEARNER = [
    "/dashboard",
    "/modules/giving-feedback",
    "/quizzes/encouraging-discussion",
    "/quizzes/mentor-role/attempts/1",
    "/certificate",
]
# Sofia registered today: day 1's quiz has its questions, day 2 is still shut.
NEWCOMER = {
    "/quizzes/mentor-role": "quiz-new",
    "/quizzes/explaining-concepts": "quiz-not-open",
    "/modules/explaining-concepts": "module-locked",
}
MANAGER = [
    "/manage",
    "/manage/cohorts",
    "/manage/learners",
    "/manage/replies",
    "/manage/quizzes",
    "/manage/quizzes/mentor-role",
    "/manage/certificates",
    "/manage/eligibility",
    "/manage/reports",
    "/manage/audit",
]
# Radio buttons and checkboxes are 24 px themselves, spacing or not.
TICK_BOXES = """() => [...document.querySelectorAll(
  'input[type=radio], input[type=checkbox]')].map(e => e.getBoundingClientRect())
  .filter(r => r.width > 0).map(r => [r.width, r.height])"""
# Each drawn chart's labels as rendered: size on screen, and overlapping pairs.
CHART_TEXT = """() => [...document.querySelectorAll('svg.chart-svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0).map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')];
    const size = Math.min(...texts.map(t =>
      parseFloat(getComputedStyle(t).fontSize) * scale));
    let overlaps = 0;
    for (const kind of ['bar-label', 'bar-value']) {
      const boxes = texts.filter(t => t.classList.contains(kind))
        .map(t => t.getBoundingClientRect());
      boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
        if (a.left < b.right && b.left < a.right &&
            a.top < b.bottom && b.top < a.bottom) overlaps += 1;
      }));
    }
    return [svg.id || svg.getAttribute('aria-labelledby'), size, overlaps];
  })"""

# Lines each header item's text takes, and how many rows the items make.
HEADER_LINES = """() => {
  const items = [...document.querySelectorAll('.site-header .nav > li')];
  const lines = items.map(li => {
    const range = document.createRange();
    range.selectNodeContents(li.querySelector('a, button'));
    return [li.innerText.trim(), new Set([...range.getClientRects()]
      .filter(r => r.width > 0).map(r => Math.round(r.top))).size];
  });
  const rows = new Set(items.map(li => Math.round(li.getBoundingClientRect().top)));
  return [lines, rows.size];
}"""
# Question ids in the item statistics that the browser broke across lines.
BROKEN_IDS = """() => [...document.querySelectorAll('#item-statistics tbody th a')]
  .filter(a => new Set([...a.getClientRects()].map(r => Math.round(r.top))).size > 1)
  .map(a => a.textContent)"""
# Open revoke and reissue panels whose edges fall outside their scroll box.
PANELS_OUTSIDE = """() => [...document.querySelectorAll('details.action[open]')]
  .map(d => {
    const box = d.closest('.table-scroll').getBoundingClientRect();
    const r = d.getBoundingClientRect();
    return [d.querySelector('summary').innerText, r.left - box.left, box.right - r.right];
  }).filter(([, left, right]) => left < 0 || right < 0)"""


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


def inspect(page: Page, name: str, width: int) -> None:
    """The page as it is now: axe, sideways scrolling, target sizes, a screenshot."""
    where = f"{name} ({page.url}) at {width}px"
    found = violations(page)
    assert not found, f"{where}:\n{describe(found)}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
    small = small_targets(page)
    assert not small, f"{where}: targets under 24x24px:\n" + "\n".join(small)
    boxes = page.evaluate(TICK_BOXES)
    assert all(w >= 24 and h >= 24 for w, h in boxes), f"{where}: ticks {boxes}"
    for chart, size, overlaps in page.evaluate(CHART_TEXT):
        assert size >= 11, f"{where}: chart {chart} labels are {size:.1f}px"
        assert not overlaps, f"{where}: chart {chart} has {overlaps} labels overlapping"
    snap(page, f"{name}-{width}")


def check(page: Page, url: str, name: str, width: int, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (
        f"{url}: {response.status if response else 'no answer'}, not {status}"
    )
    inspect(page, name, width)


def check_refused(page: Page, name: str, width: int) -> None:
    """A form shown again with errors: said in the title, focus on the summary."""
    assert page.title().startswith("Error: "), f"{name}: title {page.title()!r}"
    page.wait_for_function(
        "() => document.activeElement?.matches('.error-summary')", timeout=5000
    )
    inspect(page, name, width)


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


@pytest.mark.parametrize("width", WIDTHS)
def test_public_and_learner_pages(server: Server, browser: Browser, width: int) -> None:
    for page in signed_in(browser, server, None, width):
        for path in ANONYMOUS:
            check(page, server.url + path, _name(path), width)
        check(page, server.url + "/no-such-page", "not-found", width, status=404)
        check(page, server.url + "/verify/0123abcd", "verify-unknown", width, 404)
    for page in signed_in(browser, server, f"priya@{DOMAIN}", width):
        for path in LEARNER:
            check(page, server.url + path, _name(path), width)
        check(page, server.url + "/manage", "forbidden", width, status=403)
    for page in signed_in(browser, server, f"amara@{DOMAIN}", width):
        page.goto(server.url + "/certificate")
        link = page.locator("dd a[href*='/verify/']").get_attribute("href")
        assert link
        check(page, server.url + "/certificate", "certificate-graduate", width)
        check(page, link, "verify", width)
    for who, name in [
        ("lena", "certificate-revoked"),
        ("tomas", "certificate-reissued"),
        ("diego", "certificate-not-eligible"),
    ]:
        for page in signed_in(browser, server, f"{who}@{DOMAIN}", width):
            check(page, server.url + "/certificate", name, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_quiz_form_and_refused_forms(
    server: Server, browser: Browser, width: int
) -> None:
    for page in signed_in(browser, server, None, width):
        page.goto(server.url + "/login")
        page.fill("#email", f"nobody@{DOMAIN}")
        page.fill("#password", "not the password")
        page.click("main button[type=submit]")
        check_refused(page, "login-error", width)
        page.goto(server.url + "/register")
        page.click("main button[type=submit]")
        check_refused(page, "register-errors", width)
        for field in ["name", "email", "password"]:
            assert page.get_attribute(f"#{field}", "aria-invalid") == "true"

    for page in signed_in(browser, server, f"sofia@{DOMAIN}", width):
        for path, name in NEWCOMER.items():
            check(page, server.url + path, name, width)
        page.goto(server.url + "/quizzes/mentor-role")
        assert page.locator("fieldset.question input[type=radio]").count() > 0
        page.get_by_role("button", name=re.compile("Submit attempt 1")).click()
        check_refused(page, "quiz-blank", width)
        _assert_blank_questions_described(page)


def _assert_blank_questions_described(page: Page) -> None:
    """Each blank question says so itself, and the summary links to it."""
    links = page.locator("#error-summary a")
    assert links.count() > 0
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        fieldset = page.locator(f"fieldset{href}")
        described = fieldset.get_attribute("aria-describedby")
        assert described, f"{href} has no message of its own"
        message = page.locator(f"#{described}").inner_text()
        assert re.match(r"Question \d+ is blank", message), message
        assert links.nth(i).inner_text() == message


@pytest.mark.parametrize("width", WIDTHS)
def test_manager_pages(server: Server, browser: Browser, width: int) -> None:
    for page in signed_in(browser, server, f"manager@{DOMAIN}", width):
        for path in MANAGER:
            check(page, server.url + path, _name(path), width)
        _assert_header_on_one_line(page, width)
        page.goto(server.url + "/manage/quizzes/mentor-role")
        if width < NARROW:
            broken = page.evaluate(BROKEN_IDS)
            assert not broken, (
                f"question ids broken across lines at {width}px: {broken}"
            )
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


@pytest.mark.parametrize("width", WIDTHS)
def test_manager_panels_and_refused_forms(
    server: Server, browser: Browser, width: int
) -> None:
    for page in signed_in(browser, server, f"manager@{DOMAIN}", width):
        page.goto(server.url + "/manage/certificates?q=lena")
        revoked = _verify_link(page, "revoked")
        page.goto(server.url + "/manage/certificates?q=tomas")
        superseded = _verify_link(page, "superseded")

        page.goto(server.url + "/manage/certificates")
        page.locator("details.action > summary", has_text="Revoke").first.click()
        # Below 60rem the rows are cards, so an open form is in view at once;
        # from 60rem up it opens in its table row, as it always has.
        phone = width < NARROW
        outside = page.evaluate(PANELS_OUTSIDE)
        assert not (phone and outside), f"revoke panel outside its box: {outside}"
        page.locator("details.action > summary", has_text="Reissue").first.click()
        outside = page.evaluate(PANELS_OUTSIDE)
        assert not (phone and outside), f"panels outside their box: {outside}"
        inspect(page, "manage-certificates-open", width)
        page.locator("details.action[open] button.danger").first.click()
        check_refused(page, "manage-revoke-refused", width)
        summary = page.locator("#error-summary li").first.inner_text()
        assert summary.startswith("Reason: "), summary

        page.goto(server.url + "/manage/eligibility")
        page.set_input_files(
            "#import-file",
            {
                "name": "short.csv",
                "mimeType": "text/csv",
                "buffer": b"email,name\nfoo,bar\n",
            },
        )
        page.click("form[action='/manage/eligibility/import'] button[type=submit]")
        check_refused(page, "manage-import-refused", width)

    for page in signed_in(browser, server, None, width):
        check(page, server.url + revoked, "verify-revoked", width)
        check(page, server.url + superseded, "verify-superseded", width)


def _assert_header_on_one_line(page: Page, width: int) -> None:
    """Every header item reads on one line; on a phone or wider, one row holds them."""
    lines, rows = page.evaluate(HEADER_LINES)
    wrapped = [text for text, count in lines if count != 1]
    assert not wrapped, f"header items wrap at {width}px: {wrapped}"
    assert rows == 1, f"the header's {len(lines)} items take {rows} rows at {width}px"


def _verify_link(page: Page, status: str) -> str:
    row = page.locator("tr", has=page.locator(f".cert-{status}")).first
    href = row.locator("a[href^='/verify/']").first.get_attribute("href")
    assert href, f"no {status} certificate listed"
    return href

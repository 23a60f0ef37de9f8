"""The audit log: browse newest first, filter, page, export."""

import csv
import io

from academy.services.reports import AUDIT_COLUMNS

from .conftest import People


def _fill(academy, people: People, n: int = 60) -> None:
    for i in range(n):
        action = "learner.extension" if i % 2 else "cohort.create"
        academy.ctx.audit(
            people.manager.id, action, f"subject-{i:02d}", f"detail {i:02d}"
        )


def test_audit_newest_first_and_paged(people: People, academy):
    _fill(academy, people)
    page = people.manager_browser.get("/manage/audit").text
    assert page.index("detail 59") < page.index("detail 58")
    assert "detail 10" in page and "detail 09" not in page  # 50 entries a page
    assert "Next page" in page
    second = people.manager_browser.get("/manage/audit?page=2").text
    assert "detail 00" in second


def test_audit_filters_by_action_actor_and_subject(people: People, academy):
    _fill(academy, people, 10)
    browser = people.manager_browser
    page = browser.get("/manage/audit?action=learner.extension").text
    assert "detail 09" in page and "detail 08" not in page
    by_prefix = browser.get("/manage/audit?action=learner.").text
    assert "detail 07" in by_prefix and "detail 06" not in by_prefix
    by_subject = browser.get("/manage/audit?subject=SUBJECT-03").text
    assert "detail 03" in by_subject and "detail 04" not in by_subject
    by_actor = browser.get("/manage/audit?actor=nobody").text
    assert "No entries match this filter." in by_actor
    assert "Morgan Manager" in page  # actor ids are shown as names


def test_audit_export_keeps_the_filter(people: People, academy):
    _fill(academy, people, 10)
    response = people.manager_browser.get("/manage/audit.csv?action=cohort.create")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="audit-'
    )
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"), newline="")))
    assert rows[0] == [name for name, _ in AUDIT_COLUMNS]
    assert [r[2] for r in rows[1:]] == ["cohort.create"] * 5
    assert rows[1][4] == "detail 08"  # newest first
    entry = academy.store.audit()[-1]
    assert (entry.action, entry.subject) == ("report.export", "audit")

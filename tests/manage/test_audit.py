"""The audit log: browse newest first, filter, page, export."""

import csv
import io

from academy.services.reports import AUDIT_COLUMNS

from .conftest import People, later


def _csv_rows(text: str) -> list:
    """The header as a list, then each row as a dict keyed by it."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    return [rows[0]] + [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


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
    rows = _csv_rows(response.text)
    assert rows[0] == [name for name, _ in AUDIT_COLUMNS]
    assert [r["action"] for r in rows[1:]] == ["cohort.create"] * 5
    assert rows[1]["detail"] == "detail 08"  # newest first
    entry = academy.store.audit()[-1]
    assert (entry.action, entry.subject) == ("report.export", "audit")


def test_audit_newest_first_by_time_not_by_place_in_file(
    people: People, academy, clock
):
    academy.ctx.audit(people.manager.id, "cohort.create", "c1", "written first")
    later(clock, -2)  # a backdated entry, written after the first
    academy.ctx.audit(people.manager.id, "cohort.create", "c2", "written second")
    later(clock, 3)
    academy.ctx.audit(people.manager.id, "cohort.create", "c3", "written third")
    academy.ctx.audit(people.manager.id, "cohort.create", "c4", "same moment")
    page = people.manager_browser.get("/manage/audit").text
    order = ["same moment", "written third", "written first", "written second"]
    assert sorted(order, key=page.index) == order


def test_audit_filters_by_name_and_email(people: People, academy):
    learner = people.learner
    academy.ctx.audit(people.manager.id, "learner.extension", learner.id, "for Lee")
    academy.ctx.audit("cli", "cohort.create", "c1", "by the command line")
    browser = people.manager_browser
    for query in ("actor=morgan", "actor=MORGAN%40example", "subject=lee learner"):
        page = browser.get(f"/manage/audit?{query}").text
        assert "for Lee" in page, query
        assert "by the command line" not in page, query
    by_email = browser.get("/manage/audit?subject=lee@example.org").text
    assert "for Lee" in by_email


def test_audit_finds_a_certificate_named_in_the_detail(people: People, academy):
    # As revoke and reissue write them: the learner as subject, ids in the detail.
    old, new = "0f" * 16, "a1" * 16
    manager, learner = people.manager.id, people.learner.id
    academy.ctx.audit(manager, "certificate.issue", learner, old)
    academy.ctx.audit(manager, "certificate.reissue", learner, f"{old} → {new}", "x")
    academy.ctx.audit(manager, "learner.extension", learner, "7 days")
    page = people.manager_browser.get(f"/manage/audit?subject={old}").text
    assert "<code>certificate.issue</code>" in page
    assert "<code>certificate.reissue</code>" in page
    assert "7 days" not in page
    newer = people.manager_browser.get(f"/manage/audit?subject={new[:12]}").text
    assert "<code>certificate.reissue</code>" in newer
    assert "<code>certificate.issue</code>" not in newer


def test_audit_export_names_actor_and_subject(people: People, academy):
    academy.ctx.audit(people.manager.id, "learner.extension", people.learner.id, "x")
    response = people.manager_browser.get("/manage/audit.csv?action=learner.")
    row = _csv_rows(response.text)[1]
    assert (row["actor"], row["actor_name"], row["actor_email"]) == (
        people.manager.id,
        "Morgan Manager",
        "morgan@example.org",
    )
    assert (row["subject_name"], row["subject_email"]) == (
        "Lee Learner",
        "lee@example.org",
    )

"""Hostile text typed into every field that is shown again is shown harmlessly.

A learner's name and practice reply, a manager's review comment, revocation
reason and cohort name, and a field of an uploaded eligibility CSV each carry
markup and a spreadsheet formula. Every page escapes them, the Open Graph
tags hold them as plain text, the PDF prints them as text, the badge JSON
holds them exactly, and every CSV export neutralises the formula.
"""

import csv
import html
import io
import re
import subprocess

from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from academy.services.reports import KINDS, export
from tests.conftest import PASSWORD, csrf, login
from tests.factories import GOOD_ROW, REPLY, approve_all, finish_training

MARKUP = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def hostile(field: str) -> str:
    """Markup and a formula, with the field's name to tell them apart."""
    return f'=HYPERLINK("x"){MARKUP}{field}'


NAME, REPLY_TEXT, COMMENT = hostile("name"), hostile("reply"), hostile("comment")
REASON, COHORT, COURSE = hostile("reason"), hostile("cohort"), hostile("course")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_upload(manager: TestClient, email: str) -> None:
    row = {**GOOD_ROW, "email": email, "course_name": COURSE}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    response = manager.post(
        "/manage/eligibility/import",
        data={"csrf_token": csrf(manager, "/manage/eligibility")},
        files={"file": ("records.csv", buffer.getvalue().encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text


def _og(page: str) -> dict[str, str]:
    tags = re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', page)
    return {name: html.unescape(content) for name, content in tags}


def _cells(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    return [cell for row in rows for cell in row if cell]


def test_hostile_text_in_every_field_is_harmless_everywhere(
    client: TestClient, academy: Academy, clock: FrozenClock
) -> None:
    manager_user, _ = academy.accounts.create_manager("boss@example.org", PASSWORD)
    manager = TestClient(client.app, follow_redirects=False)
    login(manager, manager_user.email)
    user = academy.accounts.register(NAME, "h@example.org", PASSWORD)
    _csv_upload(manager, user.email)
    finish_training(academy, clock, user, approve=False)

    # Return one reply with a hostile comment; the learner answers with
    # hostile text; then everything is approved and the certificate issued.
    data = academy.store.learner(user.id)
    assert data is not None
    key, reply = next(iter(data.replies.items()))
    slug, question_id = key.split("/")
    reviews = academy.manage.reviews
    reviews.review(user.id, key, str(len(reply.versions)), False, COMMENT, "m")
    login(client, user.email)
    returned = client.get(f"/quizzes/{slug}").text
    assert MARKUP not in returned
    assert html.escape(COMMENT, quote=False) in returned.replace("&#34;", '"')
    academy.learning.submit_reply(user, slug, question_id, f"{REPLY_TEXT} {REPLY}")
    approve_all(academy, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None
    academy.manage.create_cohort(COHORT, "2026-04-06", "UTC", manager_user.id)

    # The PDF prints the name as text (read back with pdftotext).
    pdf = client.get(f"/certificates/{cert.id}.pdf").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert MARKUP in "".join(text.split()), text

    # Open Graph tags carry the name as plain text, markup and all.
    og = _og(client.get(f"/verify/{cert.id}").text)
    assert any(NAME in value for value in og.values()), og

    academy.certificates.revoke(cert.id, REASON, manager_user.id)

    shown = {
        NAME: [client, "/dashboard", "/certificate", f"/verify/{cert.id}"],
        REPLY_TEXT: [client, f"/quizzes/{slug}"],
        REASON: [client, f"/verify/{cert.id}"],
        COHORT: [manager, "/manage/cohorts"],
        COURSE: [manager, "/manage/eligibility", f"/manage/learners/{user.id}"],
    }
    for value, (who, *paths) in shown.items():
        for path in paths:
            page = who.get(path).text  # type: ignore[attr-defined]
            assert MARKUP not in page, path
            assert html.escape(value, quote=False) in page.replace("&#34;", '"'), (
                f"{value} is not shown on {path}"
            )
    for path in (
        "/manage",
        "/manage/learners",
        "/manage/certificates",
        "/manage/audit",
    ):
        assert MARKUP not in manager.get(path).text, path

    # Badge documents hold the reason exactly, as JSON strings.
    revoked = client.get(f"/badges/assertions/{cert.id}.json")
    assert revoked.status_code == 410 and revoked.json()["revocationReason"] == REASON
    listed = client.get("/badges/revocations.json").json()
    assert [e["revocationReason"] for e in listed["revokedAssertions"]] == [REASON]

    # Every export neutralises the formula, and still holds the text.
    reports = {kind: export(academy, kind) for kind in KINDS}
    reports["audit"] = manager.get("/manage/audit.csv").text
    for kind, report in reports.items():
        cells = _cells(report)
        assert not [c for c in cells if c.startswith(FORMULA_START)], kind
    # (Practice replies are in no export: the responses report has graded
    # answers only.)
    expected = {
        "grades": NAME,
        "certificates": REASON,
        "eligibility": COURSE,
        "audit": REASON,
    }
    for kind, value in expected.items():
        hits = [c for c in _cells(reports[kind]) if "HYPERLINK" in c]
        assert any(c.startswith("'" + value) for c in hits), (kind, hits)

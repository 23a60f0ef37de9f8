"""Eligibility in the console: CSV import, records, overrides, API tokens."""

import pytest

from .conftest import People, csrf, eligible_csv, post

HEADER = "email,name,course_id,course_name,grade_percent,forum_posts,forum_upvotes,forum_flags\n"


def _upload(
    people: People, data: bytes, dry_run: bool = False, name: str = "grades.csv"
):
    fields = {"csrf_token": csrf(people.manager_browser)}
    if dry_run:
        fields["dry_run"] = "yes"
    return people.manager_browser.post(
        "/manage/eligibility/import",
        data=fields,
        files={"file": (name, data, "text/csv")},
    )


def test_eligibility_bad_row_changes_nothing(people: People, academy):
    data = (
        HEADER
        + "ana@example.org,Ana,py101,Python,91,40,30,0\n"
        + "bo@example.org,Bo,py101,Python,ninety,40,30,0\n"
        + "not-an-email,Cy,py101,Python,91,40,30,0\n"
    ).encode()
    response = _upload(people, data)
    assert response.status_code == 422
    assert "Nothing was changed" in response.text
    assert '<th scope="row">3</th><td>grade_percent must be a number' in response.text
    assert '<th scope="row">4</th><td>email' in response.text
    assert academy.store.all_eligibility() == []

    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "eligibility.import",
        "grades.csv",
    )
    assert entry.detail.startswith("refused")


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe not utf-8", b"name,email\nx,y\n"],
    ids=["empty", "not-utf8", "wrong-header"],
)
def test_eligibility_unreadable_file_changes_nothing(people: People, academy, data):
    response = _upload(people, data)
    assert response.status_code == 422
    assert academy.store.all_eligibility() == []


def test_eligibility_dry_run_reports_and_changes_nothing(people: People, academy):
    response = _upload(people, eligible_csv("ana@example.org"), dry_run=True)
    assert response.status_code == 200
    assert "Would change 1 of 1 record(s)" in response.text
    assert academy.store.all_eligibility() == []
    assert academy.store.audit()[-1].detail.startswith("dry run")


def test_eligibility_import_makes_the_learner_eligible(people: People, academy):
    response = _upload(people, eligible_csv(people.learner.email))
    assert response.status_code == 200
    assert "Changed 1 of 1 record(s)" in response.text
    assert academy.summaries.get(people.learner.id).eligible
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action) == (people.manager.id, "eligibility.import")

    page = people.manager_browser.get("/manage/eligibility?q=lee@").text
    assert people.learner.email in page
    assert "registered" in page


def test_eligibility_override_needs_a_reason(people: People, academy):
    path = f"/manage/learners/{people.learner.id}/eligibility"
    response = post(
        people.manager_browser, path, {"decision": "eligible", "reason": ""}
    )
    assert response.status_code == 422
    assert 'id="override-reason"' in response.text
    assert academy.store.eligibility(people.learner.email) is None


def test_eligibility_override_saved_and_audited(people: People, academy):
    path = f"/manage/learners/{people.learner.id}/eligibility"
    response = post(
        people.manager_browser,
        path,
        {"decision": "eligible", "reason": "Course record arrives next week."},
    )
    assert response.status_code == 303
    assert academy.eligibility.decision(people.learner.email).overridden
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject, entry.detail) == (
        people.manager.id,
        "eligibility.override",
        people.learner.email,
        "eligible",
    )
    # The learner's record shows it in its history (subject is the email).
    page = people.manager_browser.get(f"/manage/learners/{people.learner.id}").text
    assert "Course record arrives next week." in page

    cleared = post(
        people.manager_browser, path, {"decision": "clear", "reason": "Arrived."}
    )
    assert cleared.status_code == 303
    assert not academy.eligibility.decision(people.learner.email).overridden


def test_eligibility_token_secret_shown_once(people: People, academy, client):
    response = post(
        people.manager_browser, "/manage/eligibility/tokens", {"name": "LMS"}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = academy.tokens.all()[0]
    secret = response.text.split('class="secret-value" spellcheck="false"')[0]
    secret = secret.rsplit('value="', 1)[1].split('"')[0]
    assert secret.startswith("acad_")
    assert academy.tokens.check(secret) == token
    assert secret not in people.manager_browser.get("/manage/eligibility").text
    assert academy.store.audit()[-1].action == "token.create"

    revoked = post(
        people.manager_browser, f"/manage/eligibility/tokens/{token.id}/revoke"
    )
    assert revoked.status_code == 303
    assert academy.tokens.check(secret) is None
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "token.revoke",
        token.id,
    )
    pushed = client.post(
        "/api/eligibility", json=[], headers={"Authorization": f"Bearer {secret}"}
    )
    assert pushed.status_code == 401


def test_eligibility_token_needs_a_name(people: People, academy):
    response = post(people.manager_browser, "/manage/eligibility/tokens", {"name": " "})
    assert response.status_code == 422
    assert 'id="token-name"' in response.text
    assert academy.tokens.all() == []


@pytest.mark.parametrize(
    ("data", "summary"),
    [
        (b"", "Nothing was changed: the file could not be read."),
        (HEADER.encode(), "Nothing was changed: the file has no rows."),
        (
            (HEADER + 'a@example.org,"Ana,py101,Python,91,40,30,0\n').encode(),
            "Nothing was changed: 1 problem in 1 row. Fix it and import the file again.",
        ),
    ],
    ids=["empty", "header-only", "unclosed-quote"],
)
def test_eligibility_refused_upload_summary_reads_naturally(
    people: People, academy, data, summary
):
    if not data:
        # An empty upload is refused unread; a file of only a BOM is read, and empty.
        data = b"\xef\xbb\xbf"
    response = _upload(people, data)
    assert response.status_code == 422
    assert f"<p>{summary}</p>" in response.text
    assert "problem(s)" not in response.text
    assert academy.store.all_eligibility() == []


def test_eligibility_token_name_over_the_limit_says_the_limit(people: People, academy):
    response = post(
        people.manager_browser, "/manage/eligibility/tokens", {"name": "n" * 101}
    )
    assert response.status_code == 422
    assert (
        '<p class="field-error" id="token-name-error">'
        "Keep the name to 100 characters or fewer.</p>"
    ) in response.text
    assert academy.tokens.all() == []


def test_eligibility_token_revoked_twice_is_a_conflict_audited_once(
    people: People, academy
):
    token, _ = academy.tokens.create("LMS", people.manager.id)
    path = f"/manage/eligibility/tokens/{token.id}/revoke"
    assert post(people.manager_browser, path).status_code == 303
    again = post(people.manager_browser, path)
    assert again.status_code == 409
    assert "The token “LMS” was already revoked." in again.text
    # The eligibility page itself, with its token list, not a bare error page.
    assert 'id="tokens-heading"' in again.text
    revokes = [e for e in academy.store.audit() if e.action == "token.revoke"]
    assert len(revokes) == 1


def test_eligibility_page_reads_no_bucket_and_shows_each_import(
    people: People, academy, monkeypatch
):
    emails = [f"learner{i:02d}@example.org" for i in range(60)]
    assert _upload(people, eligible_csv(*emails)).status_code == 200
    reads = []
    original = academy.store._raw
    monkeypatch.setattr(
        academy.store, "_raw", lambda name: reads.append(name) or original(name)
    )
    buckets = lambda: [n for n in reads if n.startswith("eligibility/")]  # noqa: E731
    page = people.manager_browser.get("/manage/eligibility").text
    assert buckets() == []
    assert "learner00@example.org" in page and "learner59@example.org" not in page
    second = people.manager_browser.get("/manage/eligibility?page=2").text
    assert "learner59@example.org" in second
    assert buckets() == []

    monkeypatch.setattr(academy.store, "_raw", original)
    assert _upload(people, eligible_csv("aaa@example.org")).status_code == 200
    assert "aaa@example.org" in people.manager_browser.get("/manage/eligibility").text

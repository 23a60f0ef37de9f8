"""Certificates in the console: issue what is due, revoke, reissue."""

from datetime import timedelta

import pytest

from academy.domain.certificate import CertificateStatus
from academy.domain.records import CourseRecord, Eligibility

from .conftest import People, finish_everything, post


def _approve_all(academy, people: People) -> None:
    for pending in academy.store.pending_replies():
        academy.manage.review(
            pending.user_id, pending.key, "1", True, "", people.manager.id
        )


@pytest.fixture
def due(people: People, academy, clock):
    """The learner finished everything; eligibility arrived behind the app's back."""
    finish_everything(academy, people.learner, clock)
    _approve_all(academy, people)
    record = CourseRecord(
        people.learner.email, "Lee", "py101", "Python", 95.0, 40, 30, 0, clock.now()
    )
    academy.store.save_eligibility([Eligibility(people.learner.email, (record,))])
    academy.summaries.refresh(people.learner.id)
    return people.learner


@pytest.fixture
def certified(due, academy, people: People):
    academy.manage.issue([due.id], people.manager.id)
    certificate = academy.certificates.current_of(due.id)
    assert certificate is not None
    return certificate


def test_certificates_due_listed_and_issued(due, people: People, academy):
    page = people.manager_browser.get("/manage/certificates").text
    assert "Issue all 1 now" in page
    assert f'href="/manage/learners/{due.id}"' in page
    assert people.manager_browser.get("/manage").text.count(">1</span>") >= 1

    response = post(
        people.manager_browser, "/manage/certificates/issue", {"user_id": due.id}
    )
    assert response.status_code == 303
    assert academy.certificates.current_of(due.id) is not None
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "certificate.issue",
        due.id,
    )
    again = post(
        people.manager_browser, "/manage/certificates/issue", {"user_id": due.id}
    )
    assert again.status_code == 409


def test_certificates_issue_all_due(due, people: People, academy):
    response = post(people.manager_browser, "/manage/certificates/issue")
    assert response.headers["location"] == "/manage/certificates?notice=issued-all"
    assert academy.certificates.ready() == []


def test_certificates_revoke_needs_a_reason(certified, people: People, academy):
    response = post(
        people.manager_browser,
        f"/manage/certificates/{certified.id}/revoke",
        {"reason": ""},
    )
    assert response.status_code == 422
    assert f'id="revoke-{certified.id}-reason"' in response.text
    assert academy.certificates.get(certified.id).revoked_at is None


def test_certificates_revoke_from_the_learner_record(
    certified, people: People, academy
):
    back = f"/manage/learners/{certified.user_id}"
    response = post(
        people.manager_browser,
        f"/manage/certificates/{certified.id}/revoke",
        {"reason": "Course record belonged to someone else.", "next": back},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{back}?notice=revoked"
    now = academy.ctx.now()
    assert (
        academy.certificates.get(certified.id).status(now) is CertificateStatus.REVOKED
    )
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject, entry.reason) == (
        people.manager.id,
        "certificate.revoke",
        certified.user_id,
        "Course record belonged to someone else.",
    )


def test_certificates_next_must_stay_in_the_console(certified, people: People):
    response = post(
        people.manager_browser,
        f"/manage/certificates/{certified.id}/revoke",
        {"reason": "Test.", "next": "https://evil.example/manage"},
    )
    assert response.headers["location"] == "/manage/certificates?notice=revoked"


def test_certificates_reissue_with_a_corrected_name(
    certified, people: People, academy, clock
):
    clock.advance(timedelta(minutes=5))
    response = post(
        people.manager_browser,
        f"/manage/certificates/{certified.id}/reissue",
        {"reason": "Name was misspelt.", "name": "Leigh Learner"},
    )
    assert response.status_code == 303
    new = academy.certificates.current_of(certified.user_id)
    assert new.id != certified.id and new.replaces == certified.id
    assert new.recipient_name == "Leigh Learner"
    now = academy.ctx.now()
    assert (
        academy.certificates.get(certified.id).status(now)
        is CertificateStatus.SUPERSEDED
    )
    actions = [e.action for e in academy.store.audit()][-3:]
    assert actions == ["learner.rename", "certificate.issue", "certificate.reissue"]

    page = people.manager_browser.get("/manage/certificates").text
    assert "superseded" in page
    assert f'by <a href="/verify/{new.id}">' in page
    assert page.count("<summary>Reissue</summary>") == 1  # only the newest


@pytest.mark.parametrize(
    "user_id",
    ["../../evil", "../cohorts", "u_0000000000000000"],
    ids=["outside", "store-file", "unknown"],
)
def test_certificates_issue_to_an_unknown_learner_is_refused(
    people: People, academy, settings, user_id: str
):
    (settings.data_dir.parent / "evil.json").write_text("[1, 2]")
    response = post(
        people.manager_browser, "/manage/certificates/issue", {"user_id": user_id}
    )
    assert response.status_code == 409
    assert "No certificate is due" in response.text
    assert academy.certificates.all() == []


def test_certificates_issue_with_a_nul_in_the_form_is_refused(people: People, academy):
    response = post(
        people.manager_browser, "/manage/certificates/issue", {"user_id": "u_1\x00"}
    )
    assert response.status_code == 422
    assert "control characters" in response.text
    assert academy.certificates.all() == []

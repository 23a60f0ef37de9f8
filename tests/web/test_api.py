"""POST /api/eligibility: records pushed by the course platform with a bearer token."""

from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from tests.factories import GOOD_ROW, finish_training, learner


def test_push_records_issues_certificate_for_trained_learner(
    client: TestClient, academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    finish_training(academy, clock, user)
    _, secret = academy.tokens.create("Course platform", "m")
    response = client.post(
        "/api/eligibility",
        json={"records": [{**GOOD_ROW, "email": user.email}]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    assert academy.certificates.current_of(user.id) is not None
    again = client.post(
        "/api/eligibility",
        json=[{**GOOD_ROW, "email": user.email}],
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert again.json()["unchanged"] == 1 and again.json()["added"] == 0


def test_push_with_bad_record_writes_nothing(
    client: TestClient, academy: Academy
) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    records = [
        {**GOOD_ROW, "email": "a@example.org"},
        {**GOOD_ROW, "email": "b@example.org", "forum_posts": -4},
    ]
    response = client.post(
        "/api/eligibility", json=records, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "message": "forum_posts must not be negative, got -4"}
    ]
    assert academy.store.all_eligibility() == []


def test_push_needs_a_live_token(client: TestClient, academy: Academy) -> None:
    token, secret = academy.tokens.create("Old platform", "m")
    academy.tokens.revoke(token.id, "m")
    for header in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": f"Bearer {secret}"},
        {"Authorization": f"Basic {secret}"},
    ):
        response = client.post("/api/eligibility", json=[], headers=header)
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_push_rejects_malformed_bodies(client: TestClient, academy: Academy) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    auth = {"Authorization": f"Bearer {secret}"}
    assert (
        client.post("/api/eligibility", content=b"{not json", headers=auth).status_code
        == 400
    )
    assert (
        client.post("/api/eligibility", json={"rows": []}, headers=auth).status_code
        == 422
    )
    assert client.post("/api/eligibility", json=["x"], headers=auth).status_code == 422

"""POST /api/eligibility: records pushed by the course platform with a bearer token."""

import pytest
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


UNREADABLE_BODIES = {
    "deep-nesting": (
        b"[" * 100_000 + b"]" * 100_000,
        "The body nests arrays or objects too deeply to read.",
    ),
    "5000-digit-number": (
        b'[{"forum_posts": ' + b"9" * 5000 + b"}]",
        "A number in the body has more than 4,300 digits.",
    ),
    "not-json": (b"{not json", "The body is not valid JSON."),
    "not-utf8": (b'["\xff"]', "The body is not valid JSON."),
}


@pytest.mark.parametrize(
    ("body", "message"), list(UNREADABLE_BODIES.values()), ids=list(UNREADABLE_BODIES)
)
def test_push_unreadable_body_is_a_400(
    client: TestClient, academy: Academy, body: bytes, message: str
) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    response = client.post(
        "/api/eligibility",
        content=body,
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert academy.store.all_eligibility() == []


WRONG_TYPES = {
    "email-number": ({"email": 5}, "email must be text"),
    "email-list": ({"email": ["a@example.org"]}, "email must be text"),
    "email-missing": ({"email": None}, "email is missing"),
    "name-object": ({"name": {"x": 1}}, "name must be text"),
    "course-id-bool": ({"course_id": True}, "course_id must be text"),
    "posts-bool": ({"forum_posts": True}, "forum_posts must be a number"),
    "posts-list": ({"forum_posts": [40]}, "forum_posts must be a number"),
    "flags-object": ({"forum_flags": {"n": 0}}, "forum_flags must be a number"),
    "posts-fraction": (
        {"forum_posts": 1.5},
        "forum_posts must be a whole number, got 1.5",
    ),
    "posts-huge": (
        {"forum_posts": 10**400},
        f"forum_posts is implausibly large (1{'0' * 39}…)",
    ),
    "grade-bool": (
        {"grade_percent": False},
        "grade_percent must be a number from 0 to 100",
    ),
    "grade-list": (
        {"grade_percent": [92]},
        "grade_percent must be a number from 0 to 100",
    ),
    "grade-huge": (
        {"grade_percent": 10**400},
        f"grade_percent must be from 0 to 100, got 1{'0' * 39}…",
    ),
}


@pytest.mark.parametrize(
    ("change", "message"), list(WRONG_TYPES.values()), ids=list(WRONG_TYPES)
)
def test_push_wrong_type_says_what_it_must_be(
    client: TestClient, academy: Academy, change: dict[str, object], message: str
) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    record = {**GOOD_ROW, "email": "a@example.org", **change}
    response = client.post(
        "/api/eligibility", json=[record], headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"row": 1, "message": message}]
    assert academy.store.all_eligibility() == []


def test_push_numbers_as_numbers_or_strings_are_accepted(
    client: TestClient, academy: Academy
) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    records = [
        {**GOOD_ROW, "email": "a@example.org"},
        {
            **GOOD_ROW,
            "email": "b@example.org",
            "grade_percent": 92.5,
            "forum_posts": 40,
            "forum_upvotes": 30,
            "forum_flags": 0,
        },
    ]
    response = client.post(
        "/api/eligibility", json=records, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 2


@pytest.mark.parametrize(
    ("records", "summary"),
    [
        ([], "Nothing was changed: no records were sent."),
        (
            [{**GOOD_ROW, "email": "x"}],
            "Nothing was changed: 1 problem in 1 record. "
            "Fix it and send the records again.",
        ),
    ],
    ids=["no-records", "bad-record"],
)
def test_push_refused_summary_asks_for_the_records_again(
    client: TestClient, academy: Academy, records: list[object], summary: str
) -> None:
    _, secret = academy.tokens.create("Course platform", "m")
    response = client.post(
        "/api/eligibility", json=records, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 422
    assert response.json()["summary"] == summary

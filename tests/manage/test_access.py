"""Every /manage route checks the role before it does anything else."""

import re

import pytest
from starlette.routing import Route

from academy.web import manage

from .conftest import People

# Values for path parameters; the role check must come before they are looked at.
PARAMS = {
    "cohort_id": "open",
    "user_id": "u_0000000000000000",
    "attempt_id": "a_0000000000000000",
    "slug": "mentor-role",
    "cert_id": "0" * 32,
    "token_id": "t_0000000000000000",
    "kind": "grades",
}
CASES = [
    (method, route.path)
    for route in manage.routes
    if isinstance(route, Route)
    for method in sorted(route.methods or ())
    if method != "HEAD"
]
IDS = [f"{method} {path}" for method, path in CASES]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS[m.group(1)], path)


def test_access_covers_every_manage_route_of_the_app(app):
    mounted = {
        r.path
        for r in app.routes
        if isinstance(r, Route) and r.path.startswith("/manage")
    }
    assert mounted == {path for _, path in CASES}


@pytest.mark.parametrize(("method", "path"), CASES, ids=IDS)
def test_access_anonymous_is_sent_to_login(client, method, path):
    response = client.request(method, _url(path))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/manage")


@pytest.mark.parametrize(("method", "path"), CASES, ids=IDS)
def test_access_learner_is_forbidden(people: People, method, path):
    # A learner's POST carries a valid CSRF token: only the role may refuse it.
    data = {"csrf_token": _token(people)} if method == "POST" else None
    response = people.learner_browser.request(method, _url(path), data=data)
    assert response.status_code == 403
    assert "for community managers" in response.text


def _token(people: People) -> str:
    from .conftest import csrf

    return csrf(people.learner_browser)


@pytest.mark.parametrize(
    "path",
    [
        "/manage",
        "/manage/cohorts",
        "/manage/cohorts/open",
        "/manage/learners",
        "/manage/learners?q=lee",
        "/manage/quizzes",
        "/manage/quizzes/mentor-role",
        "/manage/replies",
        "/manage/certificates",
        "/manage/eligibility",
        "/manage/reports",
        "/manage/audit",
    ],
)
def test_access_manager_sees_each_page(people: People, path):
    response = people.manager_browser.get(path)
    assert response.status_code == 200
    assert 'aria-label="Manager console"' in response.text


def test_access_learner_record_of_manager_browser(people: People):
    response = people.manager_browser.get(f"/manage/learners/{people.learner.id}")
    assert response.status_code == 200
    assert people.learner.email in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/manage/cohorts/nope",
        "/manage/learners/u_0000000000000000",
        "/manage/learners/not-an-id",
        "/manage/quizzes/no-such-quiz",
        "/manage/reports/passwords.csv",
    ],
)
def test_access_unknown_things_are_404(people: People, path):
    assert people.manager_browser.get(path).status_code == 404


def test_access_post_without_csrf_is_refused(people: People):
    response = people.manager_browser.post(
        "/manage/cohorts",
        data={"name": "X", "start_date": "2025-04-01", "timezone": "UTC"},
    )
    assert response.status_code == 403
    assert len(people.manager_browser.app.state.academy.store.cohorts()) == 1

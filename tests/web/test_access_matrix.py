"""Every route of the app, as every role, with GET and POST, against one table.

A route added to the app without a line in ACCESS fails this test, so nobody
can add a page without deciding who may see it.
"""

import re
from dataclasses import dataclass

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.domain.records import Cohort
from academy.services.academy import Academy
from tests.conftest import PASSWORD, csrf, login
from tests.factories import finish_training, learner, make_eligible

ROLES = ("anonymous", "learner", "other", "manager")
# What each role gets: "ok" (served or acted on), "login" (sent to sign in),
# "forbidden" (403), "absent" (the method is not allowed: 405).
OK, LOGIN, FORBIDDEN, ABSENT = "ok", "login", "forbidden", "absent"
PUBLIC = (OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK)
MANAGERS = (LOGIN, FORBIDDEN, FORBIDDEN, OK)
NO = (ABSENT, ABSENT, ABSENT, ABSENT)

ACCESS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # path: (GET, POST) for (anonymous, learner, other learner, manager)
    "/healthz": (PUBLIC, NO),
    "/": (PUBLIC, NO),
    "/register": (PUBLIC, PUBLIC),
    "/login": (PUBLIC, PUBLIC),
    "/logout": (PUBLIC, PUBLIC),
    "/dashboard": (SIGNED_IN, NO),
    "/modules/{slug}": (SIGNED_IN, NO),
    "/modules/{slug}/complete": (NO, SIGNED_IN),
    "/quizzes/{slug}": (SIGNED_IN, SIGNED_IN),
    "/quizzes/{slug}/attempts/{number:int}": ((LOGIN, OK, "missing", "missing"), NO),
    "/quizzes/{slug}/replies/{question_id}": (NO, SIGNED_IN),
    "/certificate": (SIGNED_IN, NO),
    "/api/me/progress": (SIGNED_IN, NO),
    "/api/eligibility": (NO, ("token", "token", "token", "token")),
    "/verify/{certificate_id}": (PUBLIC, NO),
    "/verify/{certificate_id}/preview.png": (PUBLIC, NO),
    "/certificates/{certificate_id}.pdf": (PUBLIC, NO),
    "/badges/issuer.json": (PUBLIC, NO),
    "/badges/badge.json": (PUBLIC, NO),
    "/badges/badge.png": (PUBLIC, NO),
    "/badges/revocations.json": (PUBLIC, NO),
    "/badges/assertions/{certificate_id}.json": (PUBLIC, NO),
    "/badges/assertions/{certificate_id}.png": (PUBLIC, NO),
    "/credentials/issuer.json": (PUBLIC, NO),
    "/credentials/{certificate_id}.json": (PUBLIC, NO),
    "/credentials/{certificate_id}.png": (PUBLIC, NO),
    "/manage": (MANAGERS, NO),
    "/manage/cohorts": (MANAGERS, MANAGERS),
    "/manage/cohorts/{cohort_id}": (MANAGERS, NO),
    "/manage/cohorts/{cohort_id}/enrol": (NO, MANAGERS),
    "/manage/cohorts/{cohort_id}/enrol-course": (NO, MANAGERS),
    "/manage/learners": (MANAGERS, NO),
    "/manage/learners/{user_id}": (MANAGERS, NO),
    "/manage/learners/{user_id}/extension": (NO, MANAGERS),
    "/manage/learners/{user_id}/attempts/{attempt_id}/reset": (NO, MANAGERS),
    "/manage/learners/{user_id}/cohort": (NO, MANAGERS),
    "/manage/learners/{user_id}/eligibility": (NO, MANAGERS),
    "/manage/quizzes": (MANAGERS, NO),
    "/manage/quizzes/{slug}": (MANAGERS, NO),
    "/manage/replies": (MANAGERS, NO),
    "/manage/replies/review": (NO, MANAGERS),
    "/manage/certificates": (MANAGERS, NO),
    "/manage/certificates/issue": (NO, MANAGERS),
    "/manage/certificates/{cert_id}/revoke": (NO, MANAGERS),
    "/manage/certificates/{cert_id}/reissue": (NO, MANAGERS),
    "/manage/eligibility": (MANAGERS, NO),
    "/manage/eligibility/import": (NO, MANAGERS),
    "/manage/eligibility/tokens": (NO, MANAGERS),
    "/manage/eligibility/tokens/{token_id}/revoke": (NO, MANAGERS),
    "/manage/reports": (MANAGERS, NO),
    "/manage/reports/{kind}.csv": (MANAGERS, NO),
    "/manage/audit": (MANAGERS, NO),
    "/manage/audit.csv": (MANAGERS, NO),
}


@dataclass
class World:
    clients: dict[str, TestClient]
    values: dict[str, str]


def app_routes(client: TestClient) -> dict[str, set[str]]:
    routes = {}
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        routes[route.path] = set(route.methods or ())
    return routes


@pytest.fixture
def world(client: TestClient, academy: Academy, clock: FrozenClock) -> World:
    owner = learner(academy, "owner@example.org", "Olu Owner")
    other = learner(academy, "other@example.org", "Oda Other")
    manager, _ = academy.accounts.create_manager("boss@example.org", PASSWORD, "Morgan")
    make_eligible(academy, owner.email)
    finish_training(academy, clock, owner)
    cert = academy.certificates.current_of(owner.id)
    assert cert is not None
    data = academy.store.learner(owner.id)
    assert data is not None
    attempt = next(a for a in data.attempts if a.quiz_slug == "mentor-role")
    cohort = Cohort("c_matrix", "Matrix", "UTC", clock.now(), clock.now().date())
    academy.store.save_cohort(cohort)
    token, _secret = academy.tokens.create("matrix", manager.id)
    practice = academy.ctx.content.curriculum.quizzes[
        "giving-feedback"
    ].practice_questions[0]
    clients = {"anonymous": client}
    for role, user in (("learner", owner), ("other", other), ("manager", manager)):
        c = TestClient(client.app, follow_redirects=False)
        login(c, user.email)
        clients[role] = c
    values = {
        "slug": "mentor-role",
        "number": str(attempt.number),
        "question_id": practice.id,
        "certificate_id": cert.id,
        "cert_id": cert.id,
        "cohort_id": cohort.id,
        "user_id": owner.id,
        "attempt_id": attempt.id,
        "token_id": token.id,
        "kind": "grades",
    }
    return World(clients, values)


def fill(path: str, values: dict[str, str]) -> str:
    concrete = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    if "/replies/" in concrete and concrete.startswith("/quizzes/"):
        concrete = concrete.replace(
            "/quizzes/mentor-role/", "/quizzes/giving-feedback/"
        )
    return concrete


def outcome(status: int, location: str, url: str = "") -> str:
    if url == "/login" and status == 401:
        return OK  # the form answered: wrong email or password
    if status == 405:
        return ABSENT
    if status == 403:
        return FORBIDDEN
    if status == 401 or (status == 303 and location.startswith("/login?next=")):
        return LOGIN
    if status == 404:
        return "missing"
    assert status < 500, f"server error {status}"
    return OK


def test_access_table_covers_every_route(client: TestClient) -> None:
    routes = app_routes(client)
    assert set(routes) == set(ACCESS), {
        "unlisted": set(routes) - set(ACCESS),
        "gone": set(ACCESS) - set(routes),
    }


def test_access_every_route_every_role(world: World) -> None:
    checked = 0
    for path, (get_rule, post_rule) in ACCESS.items():
        url = fill(path, world.values)
        for index, role in enumerate(ROLES):
            client = world.clients[role]
            response = client.get(url)
            got = outcome(
                response.status_code, response.headers.get("location", ""), url
            )
            assert got == get_rule[index], (
                f"GET {url} as {role}: {response.status_code}"
            )
            token = csrf(client, "/login")
            response = client.post(url, data={"csrf_token": token})
            got = outcome(
                response.status_code, response.headers.get("location", ""), url
            )
            expected = post_rule[index]
            if expected == "token":
                assert response.status_code == 401, (
                    f"POST {url} as {role} without a bearer token"
                )
            else:
                assert got == expected, f"POST {url} as {role}: {response.status_code}"
            checked += 2
            # Signing in and out as a side effect would spoil the next checks.
            if role != "anonymous" and path in ("/logout", "/login", "/register"):
                world.clients[role] = _relogin(client, role)
    assert checked == len(ACCESS) * len(ROLES) * 2
    print(
        f"\naccess matrix: {len(ACCESS)} routes x {len(ROLES)} roles x 2 methods = {checked} checks"
    )


def _relogin(client: TestClient, role: str) -> TestClient:
    email = {
        "learner": "owner@example.org",
        "other": "other@example.org",
        "manager": "boss@example.org",
    }[role]
    fresh = TestClient(client.app, follow_redirects=False)
    login(fresh, email)
    return fresh


def test_learners_never_see_each_others_records(world: World, academy: Academy) -> None:
    other = world.clients["other"]
    body = other.get("/api/me/progress").json()
    assert body["certificate"] is None and body["quizzes"][0]["attempts"] == 0
    assert other.get("/quizzes/mentor-role/attempts/1").status_code == 404
    page = other.get("/certificate").text
    assert world.values["certificate_id"] not in page
    assert "Olu Owner" not in other.get("/dashboard").text

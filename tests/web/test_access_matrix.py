"""Every route of the app, as every role, with GET and POST, against one table.

A route added to the app without a line in ACCESS fails this test, so nobody
can add a page without deciding who may see it.
"""

import re
from dataclasses import dataclass

import pytest
from httpx2 import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.domain.records import Cohort
from academy.services.academy import Academy
from tests.conftest import PASSWORD, csrf, login
from tests.factories import REPLY, certified, learner, make_eligible

ROLES = ("anonymous", "learner", "other", "manager")
# Each cell is the exact status a role gets, or LOGIN: a 303 to the sign-in page.
# A 303 anywhere else is a form that acted and moved on; 422 is a form that
# answered with its own message (the matrix posts only a CSRF token).
LOGIN = "login"
Cell = int | str
Row = tuple[Cell, Cell, Cell, Cell]
PUBLIC: Row = (200, 200, 200, 200)
SIGNED_IN: Row = (LOGIN, 200, 200, 200)
MANAGERS: Row = (LOGIN, 403, 403, 200)
NO: Row = (405, 405, 405, 405)


def managers_post(manager: Cell) -> Row:
    return (LOGIN, 403, 403, manager)


ACCESS: dict[str, tuple[Row, Row]] = {
    # path: (GET, POST) for (anonymous, learner, other learner, manager)
    "/healthz": (PUBLIC, NO),
    "/": ((200, 303, 303, 303), NO),
    "/register": (PUBLIC, (422, 422, 422, 422)),
    "/login": (PUBLIC, (401, 401, 401, 401)),
    "/logout": (PUBLIC, (303, 303, 303, 303)),
    "/dashboard": (SIGNED_IN, NO),
    "/modules/{slug}": (SIGNED_IN, NO),
    "/modules/{slug}/complete": (NO, (LOGIN, 303, 303, 303)),
    "/quizzes/{slug}": (SIGNED_IN, (LOGIN, 422, 422, 422)),
    "/quizzes/{slug}/attempts/{number:int}": ((LOGIN, 200, 404, 404), NO),
    # The owner's replies are approved, so a new one is refused as closed.
    "/quizzes/{slug}/replies/{question_id}": (NO, (LOGIN, 409, 422, 422)),
    "/certificate": (SIGNED_IN, NO),
    "/api/me/progress": ((401, 200, 200, 200), NO),
    "/api/eligibility": (NO, (401, 401, 401, 401)),
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
    "/manage/cohorts": (MANAGERS, managers_post(422)),
    "/manage/cohorts/{cohort_id}": (MANAGERS, NO),
    "/manage/cohorts/{cohort_id}/enrol": (NO, managers_post(422)),
    "/manage/cohorts/{cohort_id}/enrol-course": (NO, managers_post(422)),
    "/manage/learners": (MANAGERS, NO),
    "/manage/learners/{user_id}": (MANAGERS, NO),
    "/manage/learners/{user_id}/extension": (NO, managers_post(422)),
    "/manage/learners/{user_id}/attempts/{attempt_id}/reset": (
        NO,
        managers_post(422),
    ),
    "/manage/learners/{user_id}/cohort": (NO, managers_post(422)),
    "/manage/learners/{user_id}/eligibility": (NO, managers_post(422)),
    "/manage/quizzes": (MANAGERS, NO),
    "/manage/quizzes/{slug}": (MANAGERS, NO),
    "/manage/replies": (MANAGERS, NO),
    "/manage/replies/review": (NO, managers_post(422)),
    "/manage/certificates": (MANAGERS, NO),
    "/manage/certificates/issue": (NO, managers_post(303)),
    "/manage/certificates/{cert_id}/revoke": (NO, managers_post(422)),
    "/manage/certificates/{cert_id}/reissue": (NO, managers_post(422)),
    "/manage/eligibility": (MANAGERS, NO),
    "/manage/eligibility/import": (NO, managers_post(422)),
    "/manage/eligibility/tokens": (NO, managers_post(422)),
    "/manage/eligibility/tokens/{token_id}/revoke": (NO, managers_post(303)),
    "/manage/reports": (MANAGERS, NO),
    "/manage/reports/{kind}.csv": (MANAGERS, NO),
    "/manage/audit": (MANAGERS, NO),
    "/manage/audit.csv": (MANAGERS, NO),
    # Mounted apps are listed too: a sub-app cannot slip past the table.
    "/static/{path}": (PUBLIC, NO),
}
# Every response, whatever its status, carries these.
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
)


@dataclass
class World:
    clients: dict[str, TestClient]
    values: dict[str, str]


def app_routes(client: TestClient) -> dict[str, set[str]]:
    """Every path the app answers, mounted ones included, with its methods."""
    return _routes(client.app.routes, "")  # type: ignore[attr-defined]


def _routes(routes: list[BaseRoute], prefix: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            found.update(_routes(route.routes, prefix + route.path))
        elif isinstance(route, Mount):
            found[prefix + route.path + "/{path}"] = {"GET", "HEAD"}
        else:
            assert isinstance(route, Route), f"unknown kind of route: {route!r}"
            found[prefix + route.path] = set(route.methods or ())
    return found


def assert_security_headers(response: Response, what: str) -> None:
    missing = [h for h in SECURITY_HEADERS if h not in response.headers]
    assert not missing, f"{what} ({response.status_code}) lacks {missing}"


@pytest.fixture
def world(client: TestClient, academy: Academy, clock: FrozenClock) -> World:
    return build_world(client, academy, clock)


def build_world(client: TestClient, academy: Academy, clock: FrozenClock) -> World:
    """An owner with a certificate, another learner, a manager, each signed in."""
    # Everyone registers on one day: the owner's training moves the clock on.
    other = learner(academy, "other@example.org", "Oda Other")
    manager, _ = academy.accounts.create_manager("boss@example.org", PASSWORD, "Morgan")
    owner, cert = certified(academy, clock, "owner@example.org", "Olu Owner")
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
        "path": "site.css",
    }
    return World(clients, values)


def fill(path: str, values: dict[str, str]) -> str:
    concrete = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    if "/replies/" in concrete and concrete.startswith("/quizzes/"):
        concrete = concrete.replace(
            "/quizzes/mentor-role/", "/quizzes/giving-feedback/"
        )
    return concrete


def outcome(response: Response) -> Cell:
    """The cell a response matches: its status, or LOGIN for a sign-in redirect."""
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status == 303 and response.headers["location"].startswith("/login?next="):
        return LOGIN
    return status


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
            assert outcome(response) == get_rule[index], f"GET {url} as {role}"
            assert_security_headers(response, f"GET {url} as {role}")
            token = csrf(client, "/login")
            response = client.post(url, data={"csrf_token": token})
            assert outcome(response) == post_rule[index], f"POST {url} as {role}"
            assert_security_headers(response, f"POST {url} as {role}")
            checked += 2
            # Signing in and out as a side effect would spoil the next checks.
            if role != "anonymous" and path in ("/logout", "/login", "/register"):
                world.clients[role] = _relogin(client, role)
    assert checked == len(ACCESS) * len(ROLES) * 2
    print(f"\naccess matrix: {len(ACCESS)} routes x {len(ROLES)} roles x 2 = {checked}")


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


def test_learners_never_see_each_others_replies_or_due_certificate(
    world: World, academy: Academy
) -> None:
    # The other learner writes a reply and is eligible, but has no certificate.
    other = academy.store.user_by_email("other@example.org")
    assert other is not None
    quiz = academy.ctx.content.curriculum.quizzes["giving-feedback"]
    secret = "Oda-only-words " + REPLY
    for question in quiz.practice_questions:
        academy.learning.submit_reply(other, quiz.slug, question.id, secret)
    make_eligible(academy, other.email)
    assert academy.certificates.current_of(other.id) is None

    owner = world.clients["learner"]
    for url in (
        "/dashboard",
        f"/quizzes/{quiz.slug}",
        "/certificate",
        "/api/me/progress",
        *(f"/modules/{m.slug}" for m in academy.ctx.content.curriculum.modules),
    ):
        text = owner.get(url).text
        assert "Oda-only-words" not in text and "Oda Other" not in text, url
        assert other.id not in text, url

    # The owner replying to the same question changes nothing of the other's.
    before = academy.store.learner(other.id)
    question = quiz.practice_questions[0]
    token = csrf(owner, "/dashboard")
    owner.post(
        f"/quizzes/{quiz.slug}/replies/{question.id}",
        data={"csrf_token": token, "text": "Olu writes " + REPLY},
    )
    assert academy.store.learner(other.id) == before

    # Without a certificate, the other learner sees none, not the owner's.
    other_client = world.clients["other"]
    body = other_client.get("/api/me/progress").json()
    assert body["certificate"] is None
    page = other_client.get("/certificate").text
    assert world.values["certificate_id"] not in page and "Olu Owner" not in page

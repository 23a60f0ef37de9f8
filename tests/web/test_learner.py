"""The learner's path through plain HTTP forms."""

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from academy.services.demo_answers import correct_answers
from tests.conftest import PASSWORD, csrf, login, post, register


def form_answers(answers: dict[str, list[str]]) -> dict[str, list[str]]:
    return {f"q.{qid}": values for qid, values in answers.items()}


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_pages_send_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_register_signs_in_and_shows_dashboard(client: TestClient) -> None:
    register(client)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Hello, Ana Silva" in page.text
    assert "Day 14" in page.text and "<progress" in page.text


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        (
            {"name": "", "email": "a@example.org", "password": PASSWORD},
            "Enter your name",
        ),
        (
            {"name": "A", "email": "not-an-email", "password": PASSWORD},
            "Enter an email address",
        ),
        (
            {"name": "A", "email": "a@example.org", "password": "short"},
            "at least 10 characters",
        ),
    ],
    ids=["blank-name", "bad-email", "short-password"],
)
def test_register_rejects_bad_fields(
    client: TestClient, data: dict[str, str], field_message: str
) -> None:
    token = csrf(client, "/register")
    response = client.post("/register", data={"csrf_token": token, **data})
    assert response.status_code == 422
    assert field_message in response.text
    assert 'aria-invalid="true"' in response.text


def test_register_duplicate_email_is_a_field_error(client: TestClient) -> None:
    register(client)
    fresh = TestClient(client.app, follow_redirects=False)
    token = csrf(fresh, "/register")
    response = fresh.post(
        "/register",
        data={
            "csrf_token": token,
            "name": "B",
            "email": "ANA@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422 and "already registered" in response.text


@pytest.mark.parametrize(
    "path", ["/register", "/login", "/logout"], ids=["register", "login", "logout"]
)
def test_post_without_csrf_is_forbidden(client: TestClient, path: str) -> None:
    response = client.post(
        path, data={"email": "a@example.org", "password": "x", "name": "A"}
    )
    assert response.status_code == 403


def test_post_with_forged_csrf_is_forbidden(client: TestClient) -> None:
    csrf(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": "0" * 64, "email": "a@example.org", "password": "x"},
    )
    assert response.status_code == 403


def test_login_wrong_password_then_throttled(
    client: TestClient, academy: Academy
) -> None:
    register(client)
    client.cookies.clear()
    statuses = []
    for _ in range(academy.settings.login_failures_allowed + 1):
        token = csrf(client, "/login")
        response = client.post(
            "/login",
            data={
                "csrf_token": token,
                "email": "ana@example.org",
                "password": "wrong password",
            },
        )
        statuses.append(response.status_code)
    assert statuses[:-1] == [401] * academy.settings.login_failures_allowed
    assert statuses[-1] == 429
    token = csrf(client, "/login")
    blocked = client.post(
        "/login",
        data={"csrf_token": token, "email": "ana@example.org", "password": PASSWORD},
    )
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers


def test_login_issues_new_session_and_logout_ends_it_on_server(
    client: TestClient,
) -> None:
    register(client)
    first = client.cookies.get("academy_session")
    login(client, "ana@example.org")
    second = client.cookies.get("academy_session")
    assert first and second and first != second
    copied = dict(client.cookies)
    post(client, "/logout")
    thief = TestClient(client.app, follow_redirects=False, cookies=copied)
    assert thief.get("/dashboard").status_code == 303


def test_session_cookie_flags(client: TestClient) -> None:
    token = csrf(client, "/register")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "name": "A",
            "email": "c@example.org",
            "password": PASSWORD,
        },
    )
    cookie = [
        h
        for h in response.headers.get_list("set-cookie")
        if h.startswith("academy_session=")
    ][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_pages_need_sign_in(client: TestClient) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/login?next=/dashboard"
    )
    assert client.get("/api/me/progress").status_code == 401


def test_module_page_and_complete(client: TestClient, academy: Academy) -> None:
    register(client)
    page = client.get("/modules/mentor-role")
    assert page.status_code == 200
    assert "By the end of this module you can" in page.text
    response = post(
        client, "/modules/mentor-role/complete", page="/modules/mentor-role"
    )
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/quizzes/mentor-role"
    )
    progress = client.get("/api/me/progress").json()
    assert progress["modules"][0]["completed"] is True


def test_module_not_open_yet_cannot_be_completed(client: TestClient) -> None:
    register(client)
    page = client.get("/modules/first-week")
    assert "opens on day 13" in page.text
    response = post(client, "/modules/first-week/complete")
    assert response.status_code == 409


def test_unknown_module_is_404_page(client: TestClient) -> None:
    register(client)
    response = client.get("/modules/no-such-thing")
    assert response.status_code == 404 and "no module" in response.text


def test_quiz_page_carries_no_trace_of_answers(
    client: TestClient, academy: Academy
) -> None:
    register(client)
    html = client.get("/quizzes/mentor-role").text
    quiz = academy.ctx.content.curriculum.quizzes["mentor-role"]
    for marker in (
        "(correct answer)",
        "option correct",
        "verdict",
        "data-correct",
        "Why:",
    ):
        assert marker not in html
    for question in quiz.questions:
        assert f'name="q.{question.id}"' in html
        assert (
            question.explanation_html.strip() == ""
            or question.explanation_html not in html
        )
        for option in question.options:
            if option.feedback_html:
                assert option.feedback_html not in html
        for accepted in question.accepted:
            assert f'value="{accepted}"' not in html
    assert html.count("<fieldset") == len(quiz.questions) and html.count(
        "<legend"
    ) == len(quiz.questions)


def test_quiz_options_keep_order_on_reload(client: TestClient) -> None:
    register(client)
    assert (
        client.get("/quizzes/mentor-role").text
        == client.get("/quizzes/mentor-role").text
    )


def test_quiz_blank_answers_need_confirmation(client: TestClient) -> None:
    register(client)
    response = post(client, "/quizzes/mentor-role", {}, page="/quizzes/mentor-role")
    assert response.status_code == 422
    assert (
        "question(s) blank" in response.text and 'name="confirm_blank"' in response.text
    )
    confirmed = post(
        client,
        "/quizzes/mentor-role",
        {"confirm_blank": "yes"},
        page="/quizzes/mentor-role",
    )
    assert confirmed.status_code == 303


def test_quiz_fail_then_pass_and_attempts_are_capped(
    client: TestClient, academy: Academy
) -> None:
    register(client)
    quiz = academy.ctx.content.curriculum.quizzes["mentor-role"]
    right = correct_answers(quiz)
    wrong = {qid: ["zzz"] if qid.startswith("zz") else [] for qid in right}
    failed = post(
        client,
        "/quizzes/mentor-role",
        {**form_answers(wrong), "confirm_blank": "yes"},
        page="/quizzes/mentor-role",
    )
    assert failed.headers["location"] == "/quizzes/mentor-role/attempts/1"
    result = client.get("/quizzes/mentor-role/attempts/1")
    assert "not passed" in result.text and 'role="status"' in result.text
    passed = post(
        client, "/quizzes/mentor-role", form_answers(right), page="/quizzes/mentor-role"
    )
    assert passed.headers["location"] == "/quizzes/mentor-role/attempts/2"
    review = client.get("/quizzes/mentor-role/attempts/2").text
    assert "100%: passed" in review and "✓ Correct" in review
    again = post(client, "/quizzes/mentor-role", form_answers(right), page="/dashboard")
    assert again.status_code == 409
    progress = client.get("/api/me/progress").json()
    first = progress["quizzes"][0]
    assert first["attempts"] == 2 and first["passed"] and first["best_percent"] == 100.0


def test_quiz_rejects_unknown_option_values(
    client: TestClient, academy: Academy
) -> None:
    register(client)
    quiz = academy.ctx.content.curriculum.quizzes["mentor-role"]
    answers = form_answers(correct_answers(quiz))
    single = next(q for q in quiz.questions if q.kind == "single")
    answers[f"q.{single.id}"] = ["<script>"]
    response = post(
        client, "/quizzes/mentor-role", answers, page="/quizzes/mentor-role"
    )
    assert (
        response.status_code == 422
        and "Choose one of the options shown" in response.text
    )
    assert client.get("/api/me/progress").json()["quizzes"][0]["attempts"] == 0


def test_max_attempts_then_closed(client: TestClient, academy: Academy) -> None:
    register(client)
    for _ in range(3):
        post(
            client,
            "/quizzes/mentor-role",
            {"confirm_blank": "yes"},
            page="/quizzes/mentor-role",
        )
    page = client.get("/quizzes/mentor-role").text
    assert "used all 3 attempts" in page
    response = post(
        client, "/quizzes/mentor-role", {"confirm_blank": "yes"}, page="/dashboard"
    )
    assert response.status_code == 409


def test_practice_reply_flow(
    client: TestClient, academy: Academy, clock: FrozenClock
) -> None:
    register(client)
    clock.advance(timedelta(days=3, hours=1))
    quiz = academy.ctx.content.curriculum.quizzes["giving-feedback"]
    practice = quiz.practice_questions[0]
    too_short = post(
        client,
        "/quizzes/giving-feedback",
        {**form_answers(correct_answers(quiz)), f"q.{practice.id}": "Nice."},
        page="/quizzes/giving-feedback",
    )
    assert too_short.status_code == 422 and "write at least" in too_short.text
    reply = " ".join(["Thank you for sharing this draft, it reads clearly."] * 12)
    sent = post(
        client,
        "/quizzes/giving-feedback",
        {**form_answers(correct_answers(quiz)), f"q.{practice.id}": reply},
        page="/quizzes/giving-feedback",
    )
    assert sent.status_code == 303
    progress = client.get("/api/me/progress").json()
    states = {r["question"]: r["state"] for r in progress["practice_replies"]}
    assert states[practice.id] == "pending"
    assert "Waiting for review" in client.get("/quizzes/giving-feedback").text


def test_progress_api_shape(client: TestClient) -> None:
    register(client)
    body = client.get("/api/me/progress").json()
    assert set(body) >= {
        "modules",
        "quizzes",
        "practice_replies",
        "complete",
        "percent",
        "eligibility",
        "certificate",
        "missing",
    }
    assert body["complete"] is False and body["certificate"] is None
    assert len(body["modules"]) == 13


def test_oversized_body_refused(client: TestClient) -> None:
    response = client.post(
        "/login",
        content=b"x" * (3 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_open_redirect_is_refused(client: TestClient) -> None:
    register(client)
    client.cookies.pop("academy_session")
    token = csrf(client, "/login?next=//evil.example")
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "ana@example.org",
            "password": PASSWORD,
            "next": "//evil.example",
        },
    )
    assert response.headers["location"] == "/dashboard"


def test_session_ends_on_the_server_after_thirty_days(
    client: TestClient, clock: FrozenClock
) -> None:
    register(client)
    clock.advance(timedelta(days=29, hours=23))
    assert client.get("/dashboard").status_code == 200
    clock.advance(timedelta(hours=2))
    response = client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/login"
    )


def test_quiz_not_open_yet_refuses_an_attempt_with_a_message(
    client: TestClient,
) -> None:
    register(client)
    response = post(client, "/quizzes/first-week", {})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert client.get("/api/me/progress").json()["quizzes"][-1]["attempts"] == 0

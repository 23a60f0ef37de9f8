"""Bad input gets a plain, specific 4xx in the site's own words, never a 500."""

import asyncio
import re
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from academy.clock import FrozenClock
from academy.domain.errors import AcademyError
from academy.domain.records import User
from academy.services.academy import Academy
from academy.web.errors import academy_error
from academy.web.middleware import BodyLimit
from academy.web.rendering import redirect
from tests.conftest import PASSWORD, csrf, login, post, register

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a loop of its own, in another thread.

    The browser tests keep Playwright's event loop running in the main thread
    for the whole session, and asyncio.run refuses to start beside it.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


MIB = 1024 * 1024
TOO_BIG = 3 * MIB  # the limit is 2 MiB
BOUNDARY = "academy-test-boundary"
QUIZ = "giving-feedback"  # day 4, with one practice reply


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "no <title>"
    return found.group(1).strip()


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n".encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{name}.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for name, data in files.items()
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _manager(client: TestClient, academy: Academy) -> User:
    manager, _ = academy.accounts.create_manager(
        "morgan@example.org", PASSWORD, "Morgan Manager"
    )
    login(client, manager.email)
    return manager


def _pending_reply(academy: Academy, clock: FrozenClock) -> tuple[User, str]:
    """A learner's practice reply waiting for review; returns them and its key."""
    learner = academy.accounts.register("Lee Learner", "lee@example.org", PASSWORD)
    clock.advance(timedelta(days=3))
    question = academy.ctx.content.curriculum.quizzes[QUIZ].practice_questions[0]
    text = " ".join(["Thanks for sharing this; here is one next step."] * 10)
    academy.learning.submit_reply(learner, QUIZ, question.id, text)
    return learner, f"{QUIZ}/{question.id}"


# -- 1. bodies over the limit ----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kind", "chunked", "message"),
    [
        ("register", "form", False, "The form is too large: the limit is 2 MiB."),
        ("register", "form", True, "The form is too large: the limit is 2 MiB."),
        ("register", "upload", True, "The upload is too large: the limit is 2 MiB."),
        ("import", "upload", False, "The upload is too large: the limit is 2 MiB."),
        ("import", "upload", True, "The upload is too large: the limit is 2 MiB."),
        ("api", "json", False, "The request is too large: the limit is 2 MiB."),
        ("api", "json", True, "The request is too large: the limit is 2 MiB."),
    ],
    ids=[
        "register-form-length",
        "register-form-chunked",
        "register-upload-chunked",
        "import-upload-length",
        "import-upload-chunked",
        "api-length",
        "api-chunked",
    ],
)
def test_body_limit_over_the_limit_answers_in_kind(
    client: TestClient,
    academy: Academy,
    target: str,
    kind: str,
    chunked: bool,
    message: str,
) -> None:
    headers: dict[str, str] = {}
    if target == "import":
        _manager(client, academy)
        path = "/manage/eligibility/import"
    elif target == "api":
        manager = _manager(client, academy)
        _, secret = academy.tokens.create("Course platform", manager.id)
        headers["authorization"] = f"Bearer {secret}"
        path = "/api/eligibility"
    else:
        path = "/register"
    token = csrf(client, "/register")
    if kind == "upload":
        body = _multipart({"csrf_token": token}, {"file": b"x" * TOO_BIG})
        headers["content-type"] = f"multipart/form-data; boundary={BOUNDARY}"
    elif kind == "form":
        body = f"csrf_token={token}&name=".encode() + b"x" * TOO_BIG
        headers["content-type"] = "application/x-www-form-urlencoded"
    else:
        body = b"[" + b'"x",' * (TOO_BIG // 4) + b'"x"]'
        headers["content-type"] = "application/json"

    response = client.post(
        path, content=_chunks(body) if chunked else body, headers=headers
    )

    assert response.status_code == 413
    sent = response.request.headers
    assert ("content-length" in sent) is not chunked
    if target == "api":
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"error": message}
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert message in response.text
        assert _title(response.text) == "Too large · Mentor Academy"


@pytest.mark.parametrize(
    ("declared", "pulled"),
    [(True, 0), (False, 11)],
    ids=["content-length-unread", "chunked-stops-past-limit"],
)
def test_body_limit_over_the_limit_stops_reading(declared: bool, pulled: int) -> None:
    chunks = [b"x" * 100] * 100  # 10,000 bytes against a limit of 1,000
    read = 0
    refused: list[str] = []

    async def receive() -> Message:
        nonlocal read
        read += 1
        return {
            "type": "http.request",
            "body": chunks[read - 1],
            "more_body": read < len(chunks),
        }

    async def reads_it_all(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass
        raise AssertionError("the whole body was read")

    async def refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        refused.append(message)

    async def send(message: Message) -> None:
        raise AssertionError("only refuse answers")

    headers = [(b"content-length", b"10000")] if declared else []
    scope: Scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    run_coroutine(
        BodyLimit(reads_it_all, limit=1000, refuse=refuse)(scope, receive, send)
    )

    assert read == pulled
    assert refused == ["The request is too large: the limit is 1,000 bytes."]


# -- 2. a notice goes into the query, before any #fragment ----------------------


@pytest.mark.parametrize(
    ("url", "notice", "expected"),
    [
        (
            "/quizzes/giving-feedback#reply-x",
            "reply-sent",
            "/quizzes/giving-feedback?notice=reply-sent#reply-x",
        ),
        (
            "/manage/eligibility#tokens",
            "token-revoked",
            "/manage/eligibility?notice=token-revoked#tokens",
        ),
        (
            "/manage/cohorts/c1?status=late&q=a+b#list",
            "saved",
            "/manage/cohorts/c1?status=late&q=a+b&notice=saved#list",
        ),
        ("/manage/replies?notice=saved", "approved", "/manage/replies?notice=approved"),
        ("/dashboard", "registered", "/dashboard?notice=registered"),
    ],
    ids=["fragment", "fragment-tokens", "query-and-fragment", "replaces", "plain"],
)
def test_redirect_notice_goes_before_the_fragment(
    url: str, notice: str, expected: str
) -> None:
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    response = redirect(request, url, notice)
    assert response.headers["location"] == expected


def test_redirect_after_a_practice_reply_shows_its_notice(
    client: TestClient, academy: Academy, clock: FrozenClock
) -> None:
    register(client)
    clock.advance(timedelta(days=3))
    question = academy.ctx.content.curriculum.quizzes[QUIZ].practice_questions[0]
    text = " ".join(["Thanks for sharing this; here is one next step."] * 10)
    response = post(
        client,
        f"/quizzes/{QUIZ}/replies/{question.id}",
        {f"q.{question.id}": text},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/quizzes/{QUIZ}?notice=reply-sent#reply-{question.id}"
    page = client.get(location.partition("#")[0]).text
    assert "Your reply was sent for review." in page


def test_redirect_after_revoking_a_token_shows_its_notice(
    client: TestClient, academy: Academy
) -> None:
    manager = _manager(client, academy)
    token, _ = academy.tokens.create("Course platform", manager.id)
    response = post(client, f"/manage/eligibility/tokens/{token.id}/revoke")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/manage/eligibility?notice=token-revoked#tokens"
    )


# -- 3. Starlette's headers survive the error page ------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/modules/mentor-role/complete", "POST"),
        ("POST", "/dashboard", "GET, HEAD"),
        ("POST", "/static/site.css", "GET, HEAD"),
    ],
    ids=["post-only-route", "get-only-route", "static-file"],
)
def test_http_error_405_names_the_allowed_methods(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    # Starlette keeps a route's methods in a set: their order varies.
    assert set(response.headers["allow"].split(", ")) == set(allow.split(", "))
    assert "This address does not accept that kind of request." in response.text
    assert _title(response.text) == "Method not allowed · Mentor Academy"


# -- 4. after signing in, back to a page a GET can show -------------------------


def _next(location: str) -> str:
    parts = urlsplit(location)
    assert parts.path == "/login", location
    return parse_qs(parts.query)["next"][0]


@pytest.mark.parametrize(
    ("method", "path", "referer", "expected"),
    [
        (
            "GET",
            "/manage/cohorts/open?status=late",
            None,
            "/manage/cohorts/open?status=late",
        ),
        ("GET", "/dashboard", None, "/dashboard"),
        ("POST", "/modules/mentor-role/complete", None, "/modules/mentor-role"),
        (
            "POST",
            "/modules/mentor-role/complete",
            "http://testserver/modules/mentor-role?from=list",
            "/modules/mentor-role?from=list",
        ),
        (
            "POST",
            "/modules/mentor-role/complete",
            "http://evil.example/modules/other",
            "/modules/mentor-role",
        ),
        (
            "POST",
            "/modules/mentor-role/complete",
            "http://testserver//evil.example/x",
            "/modules/mentor-role",
        ),
        (
            "POST",
            "/modules/mentor-role/complete",
            "http://testserver/login",
            "/modules/mentor-role",
        ),
        (
            "POST",
            "/manage/replies/review",
            "http://testserver/manage/replies?page=2",
            "/manage/replies?page=2",
        ),
        (
            "POST",
            "/manage/cohorts/c1/enrol",
            "http://testserver/manage/cohorts/c1/enrol?x=1",
            "/manage/cohorts/c1",
        ),
        ("POST", "/manage/eligibility/tokens/t1/revoke", None, "/manage/eligibility"),
        ("POST", "/manage/certificates/c1/revoke", None, "/manage/certificates"),
        ("POST", "/quizzes/mentor-role/replies/q1", None, "/quizzes/mentor-role"),
        ("POST", "/quizzes/mentor-role", None, "/quizzes/mentor-role"),
    ],
    ids=[
        "get-keeps-query",
        "get-plain",
        "post-goes-up-to-page",
        "post-back-to-referer",
        "post-other-origin-referer",
        "post-double-slash-referer",
        "post-login-referer",
        "post-referer-keeps-query",
        "post-referer-post-only",
        "post-token-revoke",
        "post-certificate-revoke",
        "post-practice-reply",
        "post-quiz-submit",
    ],
)
def test_login_required_next_is_a_page_to_get(
    client: TestClient, method: str, path: str, referer: str | None, expected: str
) -> None:
    headers = {"referer": referer} if referer else {}
    response = client.request(method, path, headers=headers)
    assert response.status_code == 303
    assert _next(response.headers["location"]) == expected


@pytest.mark.parametrize(
    ("role", "method", "path", "lands"),
    [
        ("learner", "POST", "/modules/mentor-role/complete", "/modules/mentor-role"),
        ("manager", "GET", "/manage/learners?q=ana", "/manage/learners?q=ana"),
    ],
    ids=["learner-after-post", "manager-after-get-with-query"],
)
def test_login_required_sign_in_lands_on_a_page(
    client: TestClient,
    academy: Academy,
    role: str,
    method: str,
    path: str,
    lands: str,
) -> None:
    if role == "manager":
        academy.accounts.create_manager("ana@example.org", PASSWORD, "Ana Silva")
    else:
        academy.accounts.register("Ana Silva", "ana@example.org", PASSWORD)
    sent_off = client.request(method, path)
    login_page = client.get(sent_off.headers["location"])
    assert f'name="next" value="{lands}"' in login_page.text.replace("&amp;", "&")
    token = csrf(client, "/login")
    signed_in = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "ana@example.org",
            "password": PASSWORD,
            "next": lands,
        },
    )
    assert signed_in.headers["location"] == lands
    assert client.get(lands).status_code == 200


# -- 5. a file sent where text belongs counts as no text ------------------------


@pytest.mark.parametrize(
    ("form", "path", "fields", "file_field", "status", "message"),
    [
        (
            "/register",
            "/register",
            {"email": "ana@example.org", "password": PASSWORD},
            "name",
            422,
            "Enter your name as it should appear on your certificate.",
        ),
        (
            "/register",
            "/register",
            {"name": "Ana Silva", "email": "ana@example.org"},
            "password",
            422,
            "Use at least 10 characters.",
        ),
        (
            "/login",
            "/login",
            {"password": PASSWORD},
            "email",
            401,
            "That email and password do not match an account.",
        ),
    ],
    ids=["register-name", "register-password", "login-email"],
)
def test_form_file_in_a_text_field_counts_as_blank(
    client: TestClient,
    form: str,
    path: str,
    fields: dict[str, str],
    file_field: str,
    status: int,
    message: str,
) -> None:
    token = csrf(client, form)
    response = client.post(
        path,
        data={"csrf_token": token, **fields},
        files={file_field: ("note.txt", b"Ana Silva", "text/plain")},
    )
    assert response.status_code == status
    assert message in response.text
    assert "UploadFile" not in response.text


@pytest.mark.parametrize(
    "where", ["reply", "quiz"], ids=["practice-reply", "quiz-answer"]
)
def test_form_file_as_a_learner_answer_counts_as_blank(
    client: TestClient, academy: Academy, clock: FrozenClock, where: str
) -> None:
    register(client)
    clock.advance(timedelta(days=3))
    quiz = academy.ctx.content.curriculum.quizzes[QUIZ]
    question = quiz.practice_questions[0]
    token = csrf(client, f"/quizzes/{QUIZ}")
    path = (
        f"/quizzes/{QUIZ}/replies/{question.id}"
        if where == "reply"
        else f"/quizzes/{QUIZ}"
    )
    response = client.post(
        path,
        data={"csrf_token": token},
        files={f"q.{question.id}": ("reply.txt", b"some words " * 40, "text/plain")},
    )
    assert response.status_code == 422
    if where == "reply":
        assert "Write your reply before sending it." in response.text
    else:
        assert f"You left {len(quiz.questions)} question(s) blank." in response.text
    assert "UploadFile" not in response.text


# -- 6. the error page itself ----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "href", "link", "start"),
    [
        ("nobody", "/", "Go to the home page", "start from the home page"),
        ("learner", "/dashboard", "Go to your dashboard", "start from your dashboard"),
        (
            "manager",
            "/manage",
            "Go to the manager console",
            "start from the manager console",
        ),
    ],
    ids=["signed-out", "learner", "manager"],
)
def test_error_page_sends_each_viewer_to_their_start(
    client: TestClient, academy: Academy, who: str, href: str, link: str, start: str
) -> None:
    if who == "learner":
        register(client)
    elif who == "manager":
        _manager(client, academy)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert f'<a href="{href}">{link}</a>' in response.text
    assert (
        f"There is nothing at this address. Check the link, or {start}."
        in response.text
    )
    assert _title(response.text) == "Page not found · Mentor Academy"


def test_error_page_404_in_json_has_no_page_to_start_from(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json() == {
        "error": "There is nothing at this address. Check the link."
    }


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (405, "Method not allowed"),
        (409, "Conflict"),
        (410, "Gone"),
        (413, "Too large"),
        (422, "Check the form"),
        (429, "Too many attempts"),
        (418, "Something went wrong"),
    ],
    ids=lambda value: str(value),
)
def test_error_page_title_names_the_status(
    client: TestClient, status: int, title: str
) -> None:
    problem = AcademyError("Something specific happened.")
    problem.status = status
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/somewhere",
            "query_string": b"",
            "headers": [],
            "app": client.app,
        }
    )
    response = run_coroutine(academy_error(request, problem))
    html = bytes(response.body).decode()
    assert response.status_code == status
    assert _title(html) == f"{title} · Mentor Academy"
    assert "Something specific happened." in html


def _many_fields() -> tuple[str, bytes]:
    return "application/x-www-form-urlencoded", b"&".join(
        f"f{i}=x".encode() for i in range(1001)
    )


@pytest.mark.parametrize(
    ("content_type", "body", "message", "leak"),
    [
        (
            "multipart/form-data",
            b"name=x",
            "The form could not be read. Reload the page and try again.",
            "Missing boundary",
        ),
        (
            f"multipart/form-data; boundary={BOUNDARY}",
            _multipart({"name": "x" * (MIB + 10)}, {}),
            "A field of the form is too long: each field may hold 1 MiB.",
            "exceeded maximum size",
        ),
        (
            "application/x-www-form-urlencoded",
            b"name=" + b"x" * (MIB + 10),
            "A field of the form is too long: each field may hold 1 MiB.",
            "exceeded maximum size",
        ),
        (
            *_many_fields(),
            "The form has too many fields: the limit is 1,000.",
            "Maximum number of fields",
        ),
        (
            f"multipart/form-data; boundary={BOUNDARY}",
            _multipart({}, {f"f{i}": b"x" for i in range(1001)}),
            "The form has too many files attached: the limit is 1,000.",
            "Maximum number of files",
        ),
        (
            f"multipart/form-data; boundary={BOUNDARY}",
            f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n"
            f"--{BOUNDARY}--\r\n".encode(),
            "The form could not be read. Reload the page and try again.",
            "Content-Disposition",
        ),
    ],
    ids=[
        "missing-boundary",
        "multipart-field-too-long",
        "urlencoded-field-too-long",
        "too-many-fields",
        "too-many-files",
        "part-without-name",
    ],
)
def test_http_error_unreadable_form_is_told_plainly(
    client: TestClient, content_type: str, body: bytes, message: str, leak: str
) -> None:
    response = client.post(
        "/register", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert message in response.text
    assert leak not in response.text
    assert _title(response.text) == "Bad request · Mentor Academy"


# -- 7. a review without a decision -----------------------------------------------


@pytest.mark.parametrize("decision", [None, "maybe"], ids=["missing", "unknown"])
def test_review_without_a_decision_shows_the_queue_again(
    client: TestClient, academy: Academy, clock: FrozenClock, decision: str | None
) -> None:
    learner, key = _pending_reply(academy, clock)
    _manager(client, academy)
    anchor = f"{learner.id}-{key.replace('/', '-')}"
    data = {
        "user_id": learner.id,
        "key": key,
        "version": "1",
        "anchor": anchor,
        "comment": "Name one strength first.",
    }
    if decision is not None:
        data["decision"] = decision
    response = post(client, "/manage/replies/review", data, page="/manage/replies")

    assert response.status_code == 422
    html = response.text
    assert "<h1>Practice replies</h1>" in html
    assert (
        f'<p class="field-error" id="{anchor}-decision-error">'
        "Choose Approve or Return.</p>" in html
    )
    assert f'href="#{anchor}-decision"' in html  # the summary links to the buttons
    assert "Name one strength first.</textarea>" in html
    assert academy.store.pending_replies()  # nothing was decided


def test_data_error_under_a_running_site_is_a_503_page(
    client: TestClient, academy: Academy
) -> None:
    register(client)
    user = academy.store.user_by_email("ana@example.org")
    assert user is not None
    path = academy.settings.data_dir / "learners" / f"{user.id}.json"
    path.write_text("{ torn")
    academy.store._recent.clear()  # the learner's parsed copy, kept in memory

    response = client.get("/dashboard")

    assert response.status_code == 503
    assert "cannot be read just now" in response.text
    assert "torn" not in response.text

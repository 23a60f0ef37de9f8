"""Hostile text shown harmlessly everywhere; cookies and hashes as promised."""

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pypdf
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from academy.services.reports import export
from academy.settings import Settings
from academy.web.app import create_app
from tests.conftest import PASSWORD, csrf, login, make_settings, post, register
from tests.factories import finish_training, make_eligible

# Text-direction overrides are refused at registration (test_accounts.py).
HOSTILE = '=HYPERLINK("x")<script>alert(1)</script>évil\u200b'


def test_hostile_name_is_harmless_everywhere(
    client: TestClient, academy: Academy, clock: FrozenClock
) -> None:
    user = academy.accounts.register(HOSTILE, "h@example.org", PASSWORD)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None
    academy.accounts.create_manager("boss@example.org", PASSWORD, "Boss")
    login(client, "h@example.org")

    for path in ("/dashboard", "/certificate", f"/verify/{cert.id}"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html
    og = client.get(f"/verify/{cert.id}").text
    tags = dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', og))
    assert "<script>" not in "".join(tags.values())
    assert any(HOSTILE in unescape(value) for value in tags.values()), tags

    pdf = pypdf.PdfReader(
        io.BytesIO(client.get(f"/certificates/{cert.id}.pdf").content)
    )
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "<script>alert(1)</script>" in text.replace(
        "\n", ""
    )  # shown as text, not run

    # The assertion names the recipient by a salted hash only, never by name.
    assertion = client.get(f"/badges/assertions/{cert.id}.json").json()
    assert "HYPERLINK" not in json.dumps(assertion)

    manager = TestClient(client.app, follow_redirects=False)
    login(manager, "boss@example.org")
    page = manager.get(f"/manage/learners/{user.id}").text
    assert "<script>alert(1)</script>" not in page

    rows = list(csv.reader(io.StringIO(export(academy, "grades").lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells if cell)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def test_cookies_are_secure_when_served_over_https(
    tmp_path, clock: FrozenClock
) -> None:  # type: ignore[no-untyped-def]
    settings: Settings = make_settings(
        tmp_path / "data", base_url="https://academy.example.org"
    )
    academy = Academy(settings, clock).open()
    try:
        with TestClient(
            create_app(settings, academy=academy),
            base_url="https://testserver",
            follow_redirects=False,
        ) as client:
            token = csrf(client, "/register")
            response = client.post(
                "/register",
                data={
                    "csrf_token": token,
                    "name": "S",
                    "email": "s@example.org",
                    "password": PASSWORD,
                },
            )
            cookies = response.headers.get_list("set-cookie")
            assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)
            assert "max-age" in response.headers.get("strict-transport-security", "")
    finally:
        academy.close()


def test_password_hashes_meet_owasp_minimum(tmp_path: Path, clock: FrozenClock) -> None:
    academy = Academy(Settings(data_dir=tmp_path / "d", secret_key="k"), clock).open()
    try:
        user = academy.accounts.register("P", "p@example.org", PASSWORD)
        header = user.password_hash.split("$")
        assert header[1] == "argon2id"
        params = dict(item.split("=") for item in header[3].split(","))
        assert (
            int(params["m"]) >= 19456
            and int(params["t"]) >= 2
            and int(params["p"]) >= 1
        )
    finally:
        academy.close()


def test_guessing_is_stopped_even_with_the_right_password(
    client: TestClient, academy: Academy
) -> None:
    academy.accounts.register("G", "g@example.org", PASSWORD)
    allowed = academy.settings.login_failures_allowed
    answers = []
    for guess in range(allowed + 20):
        token = csrf(client, "/login")
        answers.append(
            client.post(
                "/login",
                data={
                    "csrf_token": token,
                    "email": "g@example.org",
                    "password": f"guess {guess}",
                },
            ).status_code
        )
    assert answers.count(401) == allowed and set(answers[allowed:]) == {429}
    token = csrf(client, "/login")
    right = client.post(
        "/login",
        data={"csrf_token": token, "email": "g@example.org", "password": PASSWORD},
    )
    assert right.status_code == 429


def test_one_client_guessing_many_accounts_is_stopped(
    client: TestClient, academy: Academy
) -> None:
    allowed = academy.settings.login_failures_allowed * 4
    answers = []
    for n in range(allowed + 3):
        token = csrf(client, "/login")
        answers.append(
            client.post(
                "/login",
                data={
                    "csrf_token": token,
                    "email": f"user{n}@example.org",
                    "password": "guess",
                },
            ).status_code
        )
    assert answers[:allowed] == [401] * allowed and set(answers[allowed:]) == {429}


def test_control_characters_in_any_form_are_refused(
    client: TestClient, academy: Academy
) -> None:
    token = csrf(client, "/register")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "name": "Ana",
            "email": "ana@example.org",
            "password": "a long enough\x00password",
        },
    )
    assert response.status_code == 422
    assert "control characters" in response.text
    assert academy.store.user_by_email("ana@example.org") is None


def test_csrf_token_from_before_sign_in_is_stale_after_it(
    client: TestClient, academy: Academy
) -> None:
    academy.accounts.register("Ana", "ana@example.org", PASSWORD)
    before = csrf(client, "/login")
    login(client, "ana@example.org")

    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 403
    fresh = client.post("/logout", data={"csrf_token": csrf(client, "/dashboard")})
    assert fresh.status_code == 303


def _cookie_header(client: TestClient) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _module_with(client: TestClient, headers: list[tuple[str, str]]) -> int:
    """The status of the module page for exactly these headers, no cookie jar."""
    bare = TestClient(client.app, follow_redirects=False)
    return bare.get("/modules/mentor-role", headers=headers).status_code


def test_cookie_header_seen_before_is_refused_once_signed_out(
    client: TestClient,
) -> None:
    register(client)
    csrf(client, "/dashboard")
    header = [("cookie", _cookie_header(client))]
    assert _module_with(client, header) == 200

    post(client, "/logout")
    assert _module_with(client, header) == 303


def test_cookie_header_seen_before_is_refused_once_the_session_expires(
    client: TestClient, clock: FrozenClock
) -> None:
    register(client)
    header = [("cookie", _cookie_header(client))]
    assert _module_with(client, header) == 200

    clock.advance(timedelta(days=31))
    assert _module_with(client, header) == 303


def test_cookies_split_over_two_headers_read_as_one(client: TestClient) -> None:
    register(client)
    token = csrf(client, "/dashboard")
    headers = [("cookie", f"{name}={value}") for name, value in client.cookies.items()]
    bare = TestClient(client.app, follow_redirects=False)

    page = bare.get("/modules/mentor-role", headers=headers)
    assert page.status_code == 200 and token in page.text
    done = bare.post(
        "/modules/mentor-role/complete", data={"csrf_token": token}, headers=headers
    )
    assert done.status_code == 303


def test_long_cookie_header_still_signs_in(client: TestClient) -> None:
    register(client)
    token = csrf(client, "/dashboard")
    padding = "; ".join(f"other{n}={'x' * 60}" for n in range(40))
    header = [("cookie", f"{padding}; {_cookie_header(client)}")]
    bare = TestClient(client.app, follow_redirects=False)

    page = bare.get("/modules/mentor-role", headers=header)
    assert page.status_code == 200 and token in page.text

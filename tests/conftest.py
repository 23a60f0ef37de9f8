"""Fixtures shared by every test: settings, a movable clock, the app and clients."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from academy.settings import Settings
from academy.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_settings(data_dir: Path, **changes: object) -> Settings:
    """Test settings: OWASP's minimum argon2id cost keeps the suite quick."""
    base = Settings(
        data_dir=data_dir,
        content_dir=ROOT,
        base_url="http://testserver",
        secret_key="test-secret-key-for-signing-sessions",
        argon2_memory_kib=19456,
        argon2_time_cost=2,
        argon2_parallelism=1,
    )
    return base.with_overrides(**changes)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def academy(settings: Settings, clock: FrozenClock) -> Iterator[Academy]:
    core = Academy(settings, clock).open()
    yield core
    core.close()


@pytest.fixture
def client(academy: Academy, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, academy=academy)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def csrf(client: TestClient, path: str = "/login") -> str:
    """Visit a page to get the CSRF cookie, and return the token its forms carry."""
    response = client.get(path)
    return csrf_from(response.text)


def register(
    client: TestClient, email: str = "ana@example.org", name: str = "Ana Silva"
) -> None:
    token = csrf(client, "/register")
    response = client.post(
        "/register",
        data={"csrf_token": token, "name": name, "email": email, "password": PASSWORD},
    )
    assert response.status_code == 303, response.text


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 303, response.text


def post(
    client: TestClient,
    path: str,
    data: dict[str, object] | None = None,
    page: str | None = None,
):  # type: ignore[no-untyped-def]
    """POST a form with a valid CSRF token taken from `page` (default: /dashboard)."""
    token = csrf(client, page or "/dashboard")
    return client.post(path, data={"csrf_token": token, **(data or {})})

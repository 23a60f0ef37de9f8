"""Every response carries the security headers: errors, refusals and files too.

The route x role matrix (test_access_matrix.py) checks them on every route;
this covers what the matrix does not reach: static files, unknown paths,
wrong methods, oversized bodies and a crash.
"""

from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from academy.settings import Settings
from academy.web.app import create_app
from tests.conftest import make_settings
from tests.web.test_access_matrix import assert_security_headers


async def _raise(request: Request) -> Response:
    raise RuntimeError("a bug in a view")


def _client(settings: Settings, academy: Academy) -> TestClient:
    """The product's app with one extra route that crashes, for this test only."""
    app = create_app(settings, academy=academy)
    app.router.routes.append(Route("/test-only/raise", _raise))
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


@pytest.fixture(params=["http", "https"])
def crashing(
    request: pytest.FixtureRequest, tmp_path, clock: FrozenClock
) -> Iterator[tuple[TestClient, bool]]:  # type: ignore[no-untyped-def]
    https = request.param == "https"
    base = "https://academy.example.org" if https else "http://testserver"
    settings = make_settings(tmp_path / "data", base_url=base)
    academy = Academy(settings, clock).open()
    with _client(settings, academy) as client:
        yield client, https
    academy.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/static/site.css", 200),
        ("GET", "/static/missing.css", 404),
        ("GET", "/no/such/page", 404),
        ("GET", "/%00", 404),
        ("POST", "/healthz", 405),
        ("POST", "/static/site.css", 405),
        ("POST", "/login", 413),
        ("GET", "/test-only/raise", 500),
        ("POST", "/test-only/raise", 405),
    ],
    ids=lambda v: str(v),
)
def test_headers_on_every_kind_of_response(
    crashing: tuple[TestClient, bool], method: str, path: str, status: int
) -> None:
    client, https = crashing
    body = b"x" * (3 * 1024 * 1024) if status == 413 else None
    response = client.request(method, path, content=body)
    assert response.status_code == status
    assert_security_headers(response, f"{method} {path}")
    assert ("strict-transport-security" in response.headers) is https
    if status == 500:
        assert "went wrong on our side" in response.text
        assert "a bug in a view" not in response.text

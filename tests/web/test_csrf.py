"""Every POST route refuses a form without its CSRF token, whatever the shape.

The routes come from the app, so a new form is swept as soon as it exists.
"""

import gc

import pytest
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.services.academy import Academy
from tests.conftest import csrf
from tests.web.test_access_matrix import World, build_world, fill
from tests.web.test_fuzz import post_routes, snapshot

BEARER_ONLY = {"/api/eligibility"}
FORGED = ("none", "empty", "zeros", "other session", "multipart", "query")


def forged_post(
    client: TestClient, url: str, how: str, other: TestClient
) -> tuple[int, str]:
    fields = {"reason": "x", "name": "x", "email": "x@example.org"}
    if how == "none":
        response = client.post(url, data=fields)
    elif how == "empty":
        response = client.post(url, data={**fields, "csrf_token": ""})
    elif how == "zeros":
        response = client.post(url, data={**fields, "csrf_token": "0" * 64})
    elif how == "other session":
        # A real token, taken from another signed-in browser's pages.
        response = client.post(url, data={**fields, "csrf_token": csrf(other)})
    elif how == "multipart":
        files = {"file": ("records.csv", b"email\nx@example.org\n", "text/csv")}
        response = client.post(url, data=fields, files=files)
    else:
        response = client.post(f"{url}?csrf_token={csrf(client)}", data=fields)
    return response.status_code, response.text


@pytest.fixture
def world(client: TestClient, academy: Academy, clock: FrozenClock) -> World:
    return build_world(client, academy, clock)


@pytest.mark.parametrize("how", FORGED)
def test_csrf_every_post_route_refuses_a_forged_form(world: World, how: str) -> None:
    manager, other = world.clients["manager"], world.clients["other"]
    anonymous = world.clients["anonymous"]
    data_dir = manager.app.state.academy.settings.data_dir  # type: ignore[attr-defined]
    routes = sorted(post_routes(manager))
    assert len(routes) > 20
    for path in routes:
        url = fill(path, world.values)
        clients = [manager, anonymous] if path in ("/login", "/register") else [manager]
        for client in clients:
            csrf(client)  # the browser holds a CSRF cookie, as a real one would
            before = snapshot(data_dir)
            status, text = forged_post(client, url, how, other)
            gc.collect()  # an upload left open would warn here, failing the test
            if path in BEARER_ONLY:
                assert status == 401, f"POST {url} ({how}): {status}"
            else:
                assert status == 403, f"POST {url} ({how}): {status}"
                assert "did not come from this site" in text
            assert snapshot(data_dir) == before, f"POST {url} ({how}) wrote"
    # The manager is still signed in: a forged logout ended nothing.
    assert manager.get("/manage").status_code == 200

"""A framed page reads exactly as the same page rendered in full."""

import pytest
from starlette.testclient import TestClient

from academy.web import learner, rendering
from tests.conftest import post, register


def _in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def render(request, template, key, context):  # type: ignore[no-untyped-def]
        return rendering.page(request, template, context())

    monkeypatch.setattr(learner, "framed_page", render)


@pytest.mark.parametrize("completed", [False, True], ids=["unread", "completed"])
def test_framed_module_page_matches_full_render(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, completed: bool
) -> None:
    register(client, name="Zoë <O'Brien> & Co")
    if completed:
        post(client, "/modules/mentor-role/complete", page="/modules/mentor-role")
    framed = [client.get("/modules/mentor-role").text for _ in range(2)]

    _in_full(monkeypatch)
    full = client.get("/modules/mentor-role").text

    assert framed == [full, full]
    assert "Zoë &lt;O&#39;Brien&gt; &amp; Co" in full
    assert "\x00" not in full


def test_framed_page_keeps_each_visitors_name_and_token(
    client: TestClient, academy: object
) -> None:
    register(client, "ana@example.org", "Ana Silva")
    first = client.get("/modules/mentor-role").text
    client.cookies.clear()
    register(client, "bo@example.org", "Bo Chen")
    second = client.get("/modules/mentor-role").text

    assert "Signed in as Ana Silva" in first and "Bo Chen" not in first
    assert "Signed in as Bo Chen" in second and "Ana Silva" not in second
    token = 'name="csrf_token" value="'
    assert first.split(token)[1][:64] != second.split(token)[1][:64]


def test_framed_page_builds_its_context_only_for_a_new_frame(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []
    framed = rendering.framed_page

    def counting(request, template, key, context):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            built.append(key)
            return context()

        return framed(request, template, key, counted)

    monkeypatch.setattr(learner, "framed_page", counting)
    register(client)
    pages = [client.get("/modules/mentor-role") for _ in range(3)]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert built == [("mentor-role", False)]

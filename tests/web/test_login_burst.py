"""Guesses sent at once get no more password checks than guesses sent in turn."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from academy.services.academy import Academy
from tests.conftest import PASSWORD, csrf

BURST = 30


def _count_checks(academy: Academy, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count password checks, each slowed so that the whole burst overlaps."""
    calls = [0]
    lock = threading.Lock()
    real = academy.accounts._verify

    def counted(stored: str | None, password: str) -> bool:
        with lock:
            calls[0] += 1
        time.sleep(0.2)
        return real(stored, password)

    monkeypatch.setattr(academy.accounts, "_verify", counted)
    return calls


def _burst(client: TestClient, emails: list[str]) -> list[int]:
    token = csrf(client, "/login")

    def guess(email: str) -> int:
        form = {"csrf_token": token, "email": email, "password": "a wrong guess"}
        return client.post("/login", data=form).status_code

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(guess, emails))


def test_login_parallel_burst_on_one_account_is_throttled(
    client: TestClient, academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    academy.accounts.register("G", "g@example.org", PASSWORD)
    calls = _count_checks(academy, monkeypatch)
    allowed = academy.settings.login_failures_allowed

    answers = _burst(client, ["g@example.org"] * BURST)

    assert calls[0] == allowed
    assert answers.count(401) == allowed
    assert answers.count(429) == BURST - allowed


def test_login_parallel_burst_over_many_accounts_is_throttled(
    client: TestClient, academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_checks(academy, monkeypatch)
    allowed = academy.settings.login_failures_allowed * 4
    emails = [f"user{n}@example.org" for n in range(allowed + 10)]

    answers = _burst(client, emails)

    assert calls[0] == allowed
    assert answers.count(401) == allowed
    assert answers.count(429) == 10


def test_login_success_gives_back_its_slot(
    client: TestClient, academy: Academy
) -> None:
    academy.accounts.register("G", "g@example.org", PASSWORD)
    allowed = academy.settings.login_failures_allowed
    for _ in range(allowed * 6):
        academy.accounts.authenticate("g@example.org", PASSWORD, "testclient")

    answers = _burst(client, [f"user{n}@example.org" for n in range(allowed)])

    assert answers == [401] * allowed

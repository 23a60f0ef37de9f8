"""Backup of a running server under writes, restored with the command line.

Learners register and eligibility batches (each spread over several files,
committed through the journal) arrive while `academy backup` copies the data
folder. `academy restore` into a fresh folder must hold every write
acknowledged before the backup started, and every batch whole or not at all.
"""

import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from academy.services.academy import Academy
from academy.store import Store
from tests.conftest import make_settings
from tests.e2e.conftest import ROOT, _free_port
from tests.resilience.test_crash import _start, _token

pytestmark = pytest.mark.slow

BATCH = 8  # records per eligibility batch, spread over several bucket files


@dataclass
class Acknowledged:
    """Writes the server answered with success, and when (monotonic time)."""

    emails: list[tuple[float, str]] = field(default_factory=list)
    batches: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _batch_emails(number: int) -> list[str]:
    return [f"b{number}-{i}@example.org" for i in range(BATCH)]


def _register(url: str, acked: Acknowledged, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        email = f"r{n}@example.org"
        with httpx.Client(base_url=url, timeout=30) as client:
            form = {
                "csrf_token": _token(client, "/register"),
                "name": f"Reader {n}",
                "email": email,
                "password": "a long test password",
            }
            if client.post("/register", data=form).status_code == 303:
                with acked.lock:
                    acked.emails.append((time.monotonic(), email))


def _push(url: str, secret: str, acked: Acknowledged, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        records = [
            {
                "email": email,
                "name": "Batch Learner",
                "course_id": "py101",
                "course_name": "Python for Everyone",
                "grade_percent": 90,
                "forum_posts": 40,
                "forum_upvotes": 30,
                "forum_flags": 0,
            }
            for email in _batch_emails(n)
        ]
        response = httpx.post(
            f"{url}/api/eligibility",
            json=records,
            headers={"authorization": f"Bearer {secret}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        with acked.lock:
            acked.batches.append((time.monotonic(), n))


def _academy(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "academy", *args, "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_while_serving_then_restore_keeps_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    data, copy, fresh = tmp_path / "data", tmp_path / "copy", tmp_path / "fresh"
    academy = Academy(make_settings(data)).open()
    _, secret = academy.tokens.create("backup test", "m")
    academy.close()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(url, port, data)
    acked, stop = Acknowledged(), threading.Event()
    writers = [
        threading.Thread(target=_register, args=(url, acked, stop), daemon=True),
        threading.Thread(target=_push, args=(url, secret, acked, stop), daemon=True),
    ]
    try:
        for w in writers:
            w.start()
        time.sleep(3)
        started = time.monotonic()
        backed_up = _academy("backup", str(copy), data=data)
        ended = time.monotonic()
        time.sleep(1)  # writes go on after the backup too
        stop.set()
        for w in writers:
            w.join(timeout=60)
    finally:
        stop.set()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert backed_up.returncode == 0, backed_up.stderr

    restored = _academy("restore", str(copy), data=fresh)
    assert restored.returncode == 0, restored.stderr

    store = Store(fresh).open()
    try:
        before = [e for at, e in acked.emails if at < started]
        during = [e for at, e in acked.emails if started <= at < ended]
        batches_before = [n for at, n in acked.batches if at < started]
        assert before and batches_before, "no writes were acknowledged in time"
        for email in before:
            assert store.user_by_email(email) is not None, f"{email} is missing"
        for number in batches_before:
            for email in _batch_emails(number):
                assert store.eligibility(email) is not None, f"{email} is missing"
        # Every batch, even one that landed during the copy, is whole or absent.
        all_batches = [n for _, n in acked.batches] + [len(acked.batches) + 1]
        for number in all_batches:
            present = [e for e in _batch_emails(number) if store.eligibility(e)]
            assert len(present) in (0, BATCH), f"batch {number} is partly there"
    finally:
        store.close()
    print(
        f"\nbackup while serving: {len(before)} registrations and "
        f"{len(batches_before)} batches before the backup, {len(during)} "
        f"registrations during it; all present after restore"
    )


def test_forwarded_address_does_not_escape_the_client_throttle(
    tmp_path: Path,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _start(url, port, tmp_path / "data")
    try:
        answers = []
        with httpx.Client(base_url=url, timeout=60) as client:
            for n in range(30):
                form = {
                    "csrf_token": _token(client, "/login"),
                    "email": f"nobody{n}@example.org",
                    "password": "a wrong guess",
                }
                forwarded = {"x-forwarded-for": f"10.0.{n}.1"}
                answers.append(
                    client.post("/login", data=form, headers=forwarded).status_code
                )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert 429 in answers, answers

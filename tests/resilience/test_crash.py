"""Kill the real server with SIGKILL while it takes writes; nothing acknowledged is lost."""

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.e2e.conftest import ROOT, _free_port

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("ACADEMY_CRASH_KILLS", "20"))
CLIENTS = 3


@dataclass
class Learner:
    email: str
    cookies: dict[str, str]
    completed: bool = False
    attempts: int = 0


@dataclass
class Ledger:
    """What the server acknowledged (a 303 came back), per learner."""

    learners: list[Learner] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: int = 0
    # POSTs sent whose answer has not come back yet.
    in_flight: int = 0

    def acknowledged(self) -> None:
        with self.lock:
            self.writes += 1

    def post(self, client: httpx.Client, path: str, data: dict[str, str]) -> int:
        """POST and return the status, counting the request while it is out."""
        with self.lock:
            self.in_flight += 1
        try:
            return client.post(path, data=data).status_code
        finally:
            with self.lock:
                self.in_flight -= 1

    def copy(self) -> list[tuple[str, bool, int]]:
        """What is acknowledged now: (email, completed, attempts) per learner."""
        with self.lock:
            return [(x.email, x.completed, x.attempts) for x in self.learners]


def _token(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def _client_loop(url: str, ledger: Ledger, stop: threading.Event, worker: int) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        email = f"w{worker}-{time.monotonic_ns()}-{n}@example.org"
        try:
            with httpx.Client(base_url=url, timeout=5) as client:
                token = _token(client, "/register")
                status = ledger.post(
                    client,
                    "/register",
                    {
                        "csrf_token": token,
                        "name": f"Writer {n}",
                        "email": email,
                        "password": "a long test password",
                    },
                )
                if status != 303:
                    continue
                learner = Learner(email, dict(client.cookies))
                with ledger.lock:
                    ledger.learners.append(learner)
                ledger.acknowledged()
                token = _token(client, "/modules/mentor-role")
                if (
                    ledger.post(
                        client, "/modules/mentor-role/complete", {"csrf_token": token}
                    )
                    == 303
                ):
                    learner.completed = True
                    ledger.acknowledged()
                for _ in range(3):
                    token = _token(client, "/quizzes/mentor-role")
                    status = ledger.post(
                        client,
                        "/quizzes/mentor-role",
                        {"csrf_token": token, "confirm_blank": "yes"},
                    )
                    if status != 303:
                        break
                    learner.attempts += 1
                    ledger.acknowledged()
        except (httpx.TransportError, AssertionError):
            time.sleep(0.05)  # the server is down; try again once it is back


def _start(url: str, port: int, data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ACADEMY_BASE_URL": url, "ACADEMY_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "academy",
            "serve",
            "--port",
            str(port),
            "--data",
            str(data),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
    raise AssertionError("server did not start")


def _verify(data: Path, ledger: Ledger) -> int:
    """Every acknowledged write is on disk; returns how many learners were checked.

    Reads the learner files directly (each is replaced atomically, so reading
    beside the running server is safe) rather than asking the busy server.
    The ledger is copied first: a write acknowledged while the files are read
    may not be in them yet, and must not be reported lost.
    """
    acknowledged = ledger.copy()
    on_disk: dict[str, dict[str, object]] = {}
    for path in (data / "learners").glob("*.json"):
        tables = json.loads(path.read_bytes())
        users = list(tables.get("user", {}).values())
        assert users, f"{path.name} has no account: {str(tables)[:300]}"
        user = users[0]
        on_disk[user["email"]] = tables
    for email, completed, attempts_acknowledged in acknowledged:
        tables = on_disk.get(email)
        assert tables is not None, f"acknowledged account {email} is missing"
        assert tables.get("sessions"), f"{email} lost its session"
        if completed:
            assert tables.get("completions"), f"{email} lost a completion"
        attempts = len(tables.get("attempts", {}))  # type: ignore[arg-type]
        assert attempts >= attempts_acknowledged, f"{email} lost an attempt"
    return len(acknowledged)


def test_sigkill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ledger = Ledger()
    rng = random.Random(2026)
    process = _start(url, port, data)
    stop = threading.Event()
    workers = [
        threading.Thread(target=_client_loop, args=(url, ledger, stop, w), daemon=True)
        for w in range(CLIENTS)
    ]
    for w in workers:
        w.start()
    kills = 0
    # POSTs out at each kill: a kill with any is one that landed mid-write.
    in_flight_at_kill: list[int] = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.5))
            with ledger.lock:
                in_flight_at_kill.append(ledger.in_flight)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            process = _start(url, port, data)
            _verify(data, ledger)
        stop.set()
        for w in workers:
            w.join(timeout=30)
        checked = _verify(data, ledger)
    finally:
        stop.set()
        process.send_signal(signal.SIGKILL)
        process.wait()
    mid_write = sum(1 for n in in_flight_at_kill if n)
    print(
        f"\ncrash test: {kills} kills survived, {mid_write} of them with POSTs in "
        f"flight ({sum(in_flight_at_kill)} POSTs cut off), {ledger.writes} "
        f"acknowledged writes, {checked} learners verified"
    )
    assert kills == KILLS
    # The clients kept writing between kills, and the kills hit writes.
    assert checked == len(ledger.learners) > KILLS
    assert ledger.writes >= 2 * KILLS
    assert mid_write >= KILLS // 2, in_flight_at_kill


def test_second_server_on_same_data_refuses(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    first = _start(url, port, data)
    try:
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "academy",
                "serve",
                "--port",
                str(_free_port()),
                "--data",
                str(data),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert "in use by another Mentor Academy process" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()

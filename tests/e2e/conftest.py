"""A real server (the `academy serve` command) and Debian's headless Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ACADEMY_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
# With ACADEMY_REQUIRE_E2E=1 a missing browser or axe-core fails the run: a
# suite that skipped every browser test must not pass for one that ran them.
REQUIRED = os.environ.get("ACADEMY_REQUIRE_E2E") == "1"


def missing(reason: str) -> None:
    """Skip a browser test whose tool is absent, or fail when they are required."""
    if REQUIRED:
        pytest.fail(f"{reason}; ACADEMY_REQUIRE_E2E=1 requires it", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Server:
    url: str
    data: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"server did not answer at {url}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ACADEMY_BASE_URL": url,
        "ACADEMY_DEMO_PASSWORD": "mentor-demo",
    }
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "academy",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--data",
            str(data / "db"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"{url}/healthz", process)
        yield Server(url, data)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing("Debian's chromium is not installed (scripts/test installs it as root)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp lets the tests inject axe-core; the pages themselves have no
    # inline script, and the CSP header is tested on its own.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def snap(page: Page, name: str) -> None:
    """Keep a screenshot of what the journey saw, for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@dataclass
class ClockedServer:
    """The real app under uvicorn on 127.0.0.1, in this process, with a movable clock."""

    url: str
    academy: Any
    clock: Any


@pytest.fixture
def clocked_server(tmp_path: Path) -> Iterator[ClockedServer]:
    import uvicorn

    from academy.clock import FrozenClock
    from academy.services.academy import Academy
    from academy.web.app import create_app
    from tests.conftest import START, make_settings

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    clock = FrozenClock(START)
    settings = make_settings(tmp_path / "data", base_url=url)
    academy = Academy(settings, clock)
    app = create_app(settings, academy=academy)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield ClockedServer(url, academy, clock)
    server.should_exit = True
    thread.join(timeout=10)

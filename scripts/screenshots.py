"""Start a demo server, sign in as each demo role and photograph the README's pages."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ACADEMY_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "mentor-demo"
DOMAIN = "demo.mentor-academy.org"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    widths = [int(w) for w in sys.argv[2:]] or [1280]
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix="academy-shots-")
    env = {**os.environ, "ACADEMY_DEMO_PASSWORD": PASSWORD, "ACADEMY_BASE_URL": base}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "academy",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--data",
            data,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/healthz")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width in widths:
                shoot_all(browser, base, out, width)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"screenshots written to {out}")
    return 0


def shoot_all(browser, base: str, out: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    """The pages the README shows: a learner's, a quiz, the overview, a verification."""

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=full)

    full = False  # the first screenful is what a reader of the README needs
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, base, f"priya@{DOMAIN}")
    shot(page, "dashboard")
    context.close()

    # Sofia registered today: her first quiz shows its questions, not a result.
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, base, f"sofia@{DOMAIN}")
    page.goto(base + "/quizzes/mentor-role")
    shot(page, "quiz")
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, base, f"amara@{DOMAIN}")
    page.goto(base + "/certificate")
    verify = found(r"/verify/[0-9a-f]+", page.content(), "amara's verification link")
    context.close()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + verify)
    shot(page, "verify")
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, base, f"manager@{DOMAIN}")
    page.goto(base + "/manage/cohorts")
    cohort = found(r"/manage/cohorts/c_[0-9a-f]+", page.content(), "a dated cohort")
    page.goto(base + cohort)
    shot(page, "manage-overview")
    context.close()


def found(pattern: str, html: str, what: str) -> str:
    """The link a screenshot needs; stop, naming it, rather than keep an old file."""
    match = re.search(pattern, html)
    if match is None:
        raise SystemExit(f"screenshots: {what} was not found on the page; stopped")
    return match.group(0)


if __name__ == "__main__":
    raise SystemExit(main())

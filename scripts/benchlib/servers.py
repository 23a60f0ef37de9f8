"""Starting and stopping the server under test, and asking it for pages."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from benchlib.data import Accounts
from benchlib.paths import SCRIPTS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `benchlib.server` process on a working copy of a data set."""

    def __init__(self, data: Path, accounts: Accounts, log: Path) -> None:
        self.data = data
        self.accounts = accounts
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Server":
        command = [
            sys.executable,
            "-m",
            "benchlib.server",
            "--data",
            str(self.data),
            "--port",
            str(self.port),
            "--secret",
            self.accounts.secret_key,
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=SCRIPTS, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait(self, seconds: float = 900) -> None:
        """Wait until the server answers; it reads every learner's file first."""
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the bench server stopped:\n{tail}")
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the bench server did not answer in {seconds:.0f} s")

    def __enter__(self) -> "Server":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def request(
        self, method: str, path: str, cookie: str = "", body: bytes | None = None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, method=method
        )
        if cookie:
            request.add_header("Cookie", cookie)
        if body is not None and method == "POST":
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=600) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, path: str, cookie: str = "") -> bytes:
        status, body = self.request("GET", path, cookie)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return body

    def memory_mib(self) -> tuple[float, float]:
        """Resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        return _kib(fields["VmRSS"]) / 1024, _kib(fields["VmHWM"]) / 1024


def _kib(value: str) -> float:
    return float(value.split()[0])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def environment() -> dict[str, str]:
    return dict(os.environ)

"""Bounded load from a second process: Debian's wrk, or a small Python client.

A load is a list of requests sent in turn over a fixed number of keep-alive
connections for a fixed time, to 127.0.0.1 only. Both generators report the
same things: requests, requests per second, median and 99th-percentile
latency, and how many answers were errors.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchlib.paths import SCRIPTS

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class Load:
    calls: tuple[Call, ...]
    connections: int
    seconds: float
    # Requests per second over all connections; None sends each request as
    # soon as the previous answer on its connection arrived.
    rate: float | None = None

    @property
    def pause_ms(self) -> int:
        """How long each connection waits before its next request, for `rate`."""
        return round(1000 * self.connections / self.rate) if self.rate else 0


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers other than 2xx/3xx, and socket errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator() -> str:
    """'wrk' when Debian's wrk is installed, else 'python'."""
    return "wrk" if shutil.which("wrk") else "python"


def _wrk() -> str:
    path = shutil.which("wrk")
    assert path is not None
    return path


def describe() -> str:
    if generator() == "wrk":
        done = subprocess.run(
            [_wrk(), "--version"], capture_output=True, text=True, check=False
        )
        first = (done.stdout or done.stderr).strip().splitlines()
        return first[0].split(" [")[0] if first else "wrk"
    return "Python asyncio client (wrk not installed)"


class Running:
    """A load started in the background; `result()` waits for it."""

    def __init__(self, process: subprocess.Popen[str], parse: str, tmp: Path) -> None:
        self.process = process
        self.parse = parse
        self.tmp = tmp

    def result(self) -> Result:
        out, err = self.process.communicate(timeout=600)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.process.returncode != 0:
            raise RuntimeError(f"load generator failed: {err.strip() or out.strip()}")
        if self.parse == "wrk":
            return _parse_wrk(out)
        return Result(**json.loads(out))


def start(port: int, load: Load) -> Running:
    """Start `load` against the server on `port`, in a separate process."""
    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-load-"))
    if generator() == "wrk":
        script = tmp / "calls.lua"
        script.write_text(_lua(load.calls, load.pause_ms))
        command = [
            _wrk(),
            "-t1",
            f"-c{load.connections}",
            f"-d{max(1, round(load.seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://{HOST}:{port}",
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return Running(process, "wrk", tmp)
    spec = tmp / "load.json"
    spec.write_text(json.dumps({"port": port, **asdict(load)}))
    process = subprocess.Popen(
        [sys.executable, "-m", "benchlib.pyload", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=SCRIPTS,
    )
    return Running(process, "python", tmp)


def run(port: int, load: Load) -> Result:
    return start(port, load).result()


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n") + '"'


def _lua(calls: tuple[Call, ...], pause_ms: int) -> str:
    """A wrk script that sends `calls` in turn and prints exact figures at the end.

    The requests are formatted in `init`, once wrk knows the Host header.
    """
    lines = ["local calls = {}", "init = function(args)"]
    for call in calls:
        headers = dict(call.headers)
        if call.body:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        table = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        )
        body = _lua_string(call.body) if call.body else "nil"
        lines.append(
            f"  calls[#calls + 1] = wrk.format({_lua_string(call.method)}, "
            f"{_lua_string(call.path)}, {{{table}}}, {body})"
        )
    lines.append("end")
    lines.append(
        """
local i = 0
"""
    )
    if pause_ms:
        lines.append(f"delay = function() return {pause_ms} end")
    lines.append(
        """
request = function()
  i = i + 1
  return calls[((i - 1) % #calls) + 1]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""
    )
    return "\n".join(lines)


def _parse_wrk(out: str) -> Result:
    for line in out.splitlines():
        if line.startswith("BENCH "):
            requests, duration_us, p50_us, p99_us, errors = map(int, line.split()[1:])
            return Result(
                requests=requests,
                seconds=duration_us / 1e6,
                p50_ms=p50_us / 1000,
                p99_ms=p99_us / 1000,
                errors=errors,
            )
    raise RuntimeError(f"unexpected wrk output:\n{out}")

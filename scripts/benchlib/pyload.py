"""The Python load generator, used when wrk is not installed.

Run as `python -m benchlib.pyload LOAD.json` (a load as benchlib.load writes
it); prints the result as JSON. Keep-alive HTTP/1.1 over asyncio
streams to 127.0.0.1, a fixed number of connections, for a fixed time.
"""

import asyncio
import itertools
import json
import sys
import time
from collections.abc import Iterator
from typing import Any

HOST = "127.0.0.1"


def _raw(call: dict[str, Any], port: int) -> bytes:
    body: bytes = str(call["body"]).encode()
    headers = {"Host": f"{HOST}:{port}", **call["headers"]}
    if body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        headers["Content-Length"] = str(len(body))
    head = f"{call['method']} {call['path']} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


async def _answer(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding":
            chunked = "chunked" in value.lower()
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int,
    calls: Iterator[bytes],
    until: float,
    pause: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.monotonic() < until:
            if pause:
                await asyncio.sleep(pause)
            started = time.perf_counter()
            writer.write(next(calls))
            try:
                status = await _answer(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                errors.append(0)
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


async def _run(spec: dict[str, Any]) -> dict[str, Any]:
    port = spec["port"]
    calls = itertools.cycle([_raw(c, port) for c in spec["calls"]])
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    until = started + spec["seconds"]
    rate = spec.get("rate")
    pause = spec["connections"] / rate if rate else 0.0
    await asyncio.gather(
        *(
            _connection(port, calls, until, pause, latencies, errors)
            for _ in range(spec["connections"])
        )
    )
    seconds = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": seconds,
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
        "errors": len(errors),
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    print(json.dumps(asyncio.run(_run(spec))))


if __name__ == "__main__":
    main()

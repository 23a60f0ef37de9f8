"""Certificate rendering in a fresh process: time and memory.

Run as `python -m benchlib.certs --count N`; prints JSON. The process renders
one certificate and notes its resident memory, renders N - 1 more and notes
it again, then times certificates against one-line documents, alternately,
with the same renderer (so both are warm).
"""

import argparse
import gc
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from academy.content import load_content
from academy.credentials.pdf import CertificateRenderer
from academy.domain.certificate import Certificate
from benchlib.paths import ROOT

NAMES = ("Ana Silva", "Chidi Okafor", "Élodie van der Berg", "Hiroshi Nakamura")


def resident_mib() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def certificate(n: int) -> Certificate:
    return Certificate(
        id=f"{n:032x}",
        user_id=f"u_{n:016x}",
        recipient_name=f"{NAMES[n % len(NAMES)]} {n}",
        recipient_email=f"learner-{n}@bench.example",
        issued_at=datetime(2026, 3, 16, 9, 0, tzinfo=UTC),
        salt=f"{n:016x}",
        expires_at=None,
        replaces=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    content = load_content(ROOT)
    renderer = CertificateRenderer(content.certificates_dir)
    program = content.program

    def render(n: int) -> bytes:
        verify = f"https://mentor-academy.example/verify/{n:032x}"
        return renderer.render(certificate(n), program, verify)

    render(0)
    after_one = resident_mib()
    for n in range(1, args.count):
        render(n)
    after_all = resident_mib()

    certificates, plains = [], []
    for n in range(args.rounds):
        started = time.perf_counter()
        render(args.count + n)
        certificates.append(time.perf_counter() - started)
        started = time.perf_counter()
        renderer.render_plain(f"Hello, {NAMES[n % len(NAMES)]}")
        plains.append(time.perf_counter() - started)

    print(
        json.dumps(
            {
                "count": args.count,
                "rss_after_one_mib": after_one,
                "rss_after_all_mib": after_all,
                "certificate_ms": statistics.median(certificates) * 1000,
                "plain_ms": statistics.median(plains) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Fast at any size: the benchmark behind scripts/bench.

Builds synthetic data at two sizes, runs the real server (uvicorn, one
process, as `academy serve` does) on 127.0.0.1, drives it with bounded load
from a second process, and prints one table of figures, each a ratio of two
things measured side by side in this run. The same table goes to a JSON file.

    scripts/bench                # small sizes, under two minutes
    scripts/bench --full         # 10,000 learners and 100,000 attempts
    scripts/bench --json FILE    # where the JSON goes
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchlib import data, load
from benchlib.data import Accounts, Login, Size
from benchlib.load import Call, Load, Result
from benchlib.paths import ARTIFACTS, ROOT, SCRIPTS
from benchlib.servers import Server

from academy.content import load_content
from academy.domain.curriculum import QuestionKind, Quiz

# Connections: enough to keep one server process busy without queueing much
# in front of it on a two-core machine that also runs the load generator.
THROUGHPUT_CONNECTIONS = 4
PROBE_CONNECTIONS = 1
SUBMIT_CONNECTIONS = 2
LOGIN_CONNECTIONS = 4
RESULTS_QUIZ = "mentor-role"  # day 1: the quiz every synthetic learner took
# Quiz submissions arrive at a steady rate, as from many learners at once: 50
# a second is a peak far above what 10,000 learners send over two weeks
# (about 0.3 a second on average). The median is measured at the same pace.
STREAM_RATE = 50.0
SUBMIT_RATE = 50.0
# Alternating windows of the plain endpoint alone and under load, per figure.
LATENCY_ROUNDS = 3


@dataclass(frozen=True)
class Plan:
    """What one run measures: two sizes and how long each figure runs."""

    name: str
    reference: Size
    large: Size
    seconds: int
    rounds: int
    certificates: int  # rendered in one process for the memory figure
    issue: int  # learners whose certificates `academy issue` issues


PLANS = {
    "small": Plan("small", data.SIZES["tiny"], data.SIZES["small"], 2, 2, 50, 40),
    "full": Plan("full", data.SIZES["small"], data.SIZES["full"], 5, 2, 200, 200),
}


@dataclass
class Figure:
    key: str
    figure: str
    op: str  # ">=" or "<="
    limit: float
    unit: str = "×"
    value: float | None = None
    detail: str = ""

    @property
    def target(self) -> str:
        sign = "≥" if self.op == ">=" else "≤"
        return f"{sign} {self.limit:g}{'' if self.unit == '×' else ' ' + self.unit}"

    @property
    def passed(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.op == ">=" else self.value <= self.limit

    @property
    def measured(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:.2f}" if self.unit == "×" else f"{self.value:.0f} MiB"


@dataclass
class Report:
    plan: str
    generator: str
    reference: str
    large: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


# -- what the load generator sends ------------------------------------------------


def get(path: str, login: Login) -> tuple[Call, ...]:
    return (Call("GET", path, {"Cookie": login.cookie}),)


def _wrong(quiz: Quiz) -> list[tuple[str, str]]:
    """Form fields answering every graded question wrongly, so no attempt passes."""
    fields = []
    for q in quiz.graded_questions:
        if q.kind is QuestionKind.TRUE_FALSE:
            fields.append((f"q.{q.id}", "false" if q.answer else "true"))
        elif q.kind is QuestionKind.SHORT:
            fields.append((f"q.{q.id}", "not sure"))
        else:
            wrong = [o.id for o in q.options if not o.correct]
            fields.append((f"q.{q.id}", wrong[0]))
    return fields


class Submissions:
    """Quiz submissions by fresh learners, each pair (learner, quiz) used 3 times.

    Every figure takes learners no other figure used, so no attempt is refused
    for lack of attempts left (a quiz allows three).
    """

    def __init__(self, accounts: Accounts, quizzes: list[Quiz]) -> None:
        self.accounts = accounts
        self.quizzes = quizzes
        self.left = list(accounts.submitters)

    def calls(self, learners: int) -> tuple[Call, ...]:
        if learners > len(self.left):
            raise RuntimeError("the data set has too few submitting learners")
        chosen, self.left = self.left[:learners], self.left[learners:]
        calls = []
        for _ in range(3):
            for login in chosen:
                for quiz in self.quizzes:
                    fields = [("csrf_token", login.csrf_token), *_wrong(quiz)]
                    fields.append(("confirm_blank", "yes"))
                    calls.append(
                        Call(
                            "POST",
                            f"/quizzes/{quiz.slug}",
                            {"Cookie": login.cookie},
                            urlencode(fields),
                        )
                    )
        return tuple(calls)


def logins(accounts: Accounts) -> tuple[Call, ...]:
    return tuple(
        Call(
            "POST",
            "/login",
            {"Cookie": accounts.csrf_cookie},
            urlencode(
                {
                    "csrf_token": accounts.csrf_token,
                    "email": email,
                    "password": accounts.password,
                }
            ),
        )
        for email in accounts.emails
    )


# -- measuring -------------------------------------------------------------------


def _p99_figure(
    key: str, label: str, loaded: list[float], alone: list[float]
) -> Figure:
    """A latency figure: the median loaded p99 over the median p99 alone."""
    busy, quiet = statistics.median(loaded), statistics.median(alone)

    def windows(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    return Figure(
        key,
        label,
        "<=",
        3,
        value=busy / quiet,
        detail=f"{busy:.2f} / {quiet:.2f} ms (windows: {windows(loaded)} / "
        f"{windows(alone)})",
    )


class Bench:
    def __init__(self, plan: Plan, work: Path) -> None:
        self.plan = plan
        self.work = work
        content = load_content(ROOT)
        self.quizzes = list(content.curriculum.ordered_quizzes)
        self.errors = 0  # answers other than 2xx/3xx, over the whole run

    def run(self, server: Server, calls: tuple[Call, ...], connections: int) -> Result:
        return self.load(server, Load(calls, connections, self.plan.seconds))

    def load(self, server: Server, spec: Load) -> Result:
        result = load.run(server.port, spec)
        if result.errors:
            call = spec.calls[0]
            log(f"{result.errors} error answers on {call.method} {call.path}")
            self.errors += result.errors
        return result

    def submitters(self, seconds: float, rate: float) -> int:
        """Learners enough for `seconds` of submissions at `rate` (39 each)."""
        return max(2, int(seconds * rate * 1.3 / 39) + 1)

    def server(self, size: Size, name: str) -> Server:
        source = data.data_set(size)
        folder = data.clone(source, self.work / name)
        return Server(folder, Accounts.load(source), self.work / f"{name}.log").start()

    def warm(self, server: Server) -> None:
        """First requests: the static baseline's HTML, and every lazy build."""
        acc = server.accounts
        module = server.get(f"/modules/{acc.module_slug}", acc.probe.cookie)
        server.request("PUT", "/bench/static", body=module)
        for path, login in self.pages(acc).values():
            server.get(path, login.cookie)

    def pages(self, acc: Accounts) -> dict[str, tuple[str, Login]]:
        return {
            "dashboard": ("/dashboard", acc.probe),
            "cohort": (f"/manage/cohorts/{acc.cohort_id}", acc.manager),
            "results": (f"/manage/quizzes/{RESULTS_QUIZ}", acc.manager),
        }

    def servers(self, report: Report) -> None:
        plan = self.plan
        log(f"starting servers: {plan.reference.label} and {plan.large.label}")
        with (
            self.server(plan.reference, "reference") as ref,
            self.server(plan.large, "large") as big,
        ):
            started = time.monotonic()
            ref.wait()
            big.wait()
            report.notes.append(
                f"both servers ready in {time.monotonic() - started:.0f} s "
                "(each reads every learner's file at start-up)"
            )
            self.warm(ref)
            self.warm(big)
            report.figures += self.throughput(big)
            report.figures += self.latency(big)
            report.figures += self.scaling(ref, big)
            _, peak = big.memory_mib()
            report.figures.append(
                Figure(
                    "server_peak_memory",
                    f"peak memory of the server with {plan.large.label}",
                    "<=",
                    512,
                    "MiB",
                    peak,
                    "VmHWM of the server process after every figure above",
                )
            )

    def throughput(self, server: Server) -> list[Figure]:
        acc = server.accounts
        log("requests/s: plain text, module page, static page")
        calls = {
            "plain": get("/bench/plain", acc.probe),
            "module": get(f"/modules/{acc.module_slug}", acc.probe),
            "static": get("/bench/static", acc.probe),
        }
        totals = {name: [0, 0.0] for name in calls}
        for _ in range(self.plan.rounds):
            for name, call in calls.items():
                result = self.run(server, call, THROUGHPUT_CONNECTIONS)
                totals[name][0] += result.requests
                totals[name][1] += result.seconds
        rps = {name: n / s for name, (n, s) in totals.items()}
        return [
            Figure(
                "module_over_plain",
                "requests/s of a logged-in module page over a plain-text endpoint",
                ">=",
                0.25,
                value=rps["module"] / rps["plain"],
                detail=f"{rps['module']:.0f} / {rps['plain']:.0f} req/s",
            ),
            Figure(
                "module_over_static",
                "requests/s of that page over a static Jinja page of the same size",
                ">=",
                0.9,
                value=rps["module"] / rps["static"],
                detail=f"{rps['module']:.0f} / {rps['static']:.0f} req/s",
            ),
        ]

    def probe_p99(
        self, server: Server, background: Callable[[], Load]
    ) -> tuple[list[float], list[float]]:
        """p99 of the plain endpoint alone, then while a background load runs.

        One window of a few seconds gives a p99 that moves by half from one
        window to the next on a shared machine, the alone figure as much as
        the loaded one. So the two alternate, LATENCY_ROUNDS times each, and
        the figure compares their medians; every window is in the detail.
        """
        probe = get("/bench/plain", server.accounts.probe)
        alone, loaded = [], []
        for _ in range(LATENCY_ROUNDS):
            alone.append(self.run(server, probe, PROBE_CONNECTIONS).p99_ms)
            running = load.start(server.port, background())
            time.sleep(0.5)
            loaded.append(self.run(server, probe, PROBE_CONNECTIONS).p99_ms)
            result = running.result()
            self.errors += result.errors
            log(
                f"background: {result.requests} requests, {result.rps:.1f}/s, "
                f"median {result.p50_ms:.0f} ms, {result.errors} errors"
            )
        return alone, loaded

    def latency(self, server: Server) -> list[Figure]:
        acc = server.accounts
        seconds = self.plan.seconds + 1
        log("p99 of the plain endpoint while quiz submissions stream in")
        submit = Submissions(acc, self.quizzes)
        # The large server's submitters: the first share goes to this figure.
        self.large_submissions = submit

        def stream() -> Load:
            calls = submit.calls(self.submitters(seconds, STREAM_RATE))
            return Load(calls, SUBMIT_CONNECTIONS, seconds, STREAM_RATE)

        alone, busy = self.probe_p99(server, stream)
        log("p99 of the plain endpoint during a burst of logins")
        alone2, burst = self.probe_p99(
            server, lambda: Load(logins(acc), LOGIN_CONNECTIONS, seconds)
        )
        return [
            _p99_figure(
                "p99_while_submitting",
                "p99 of the plain endpoint while quiz submissions stream in, "
                "over alone",
                busy,
                alone,
            ),
            _p99_figure(
                "p99_during_logins",
                "p99 of the plain endpoint during a burst of logins, over alone",
                burst,
                alone2,
            ),
        ]

    def scaling(self, ref: Server, big: Server) -> list[Figure]:
        plan = self.plan
        sizes = f"{plan.large.learners:,} learners over {plan.reference.learners:,}"
        attempts = f"{plan.large.attempts:,} attempts over {plan.reference.attempts:,}"
        ref_submit = Submissions(ref.accounts, self.quizzes)
        big_submit = self.large_submissions

        def submissions(server: Server) -> Load:
            pool = ref_submit if server is ref else big_submit
            calls = pool.calls(self.submitters(plan.seconds, SUBMIT_RATE))
            return Load(calls, 1, plan.seconds, SUBMIT_RATE)

        def page(name: str) -> Callable[[Server], Load]:
            def calls(server: Server) -> Load:
                path, login = self.pages(server.accounts)[name]
                return Load(get(path, login), 1, plan.seconds)

            return calls

        measures = [
            (
                "submission_scaling",
                f"median quiz submission (durably written), {sizes}",
                1.25,
                submissions,
            ),
            (
                "dashboard_scaling",
                f"median learner dashboard, {sizes}",
                1.25,
                page("dashboard"),
            ),
            (
                "cohort_overview_scaling",
                f"median page of the manager's cohort overview, {sizes}",
                2,
                page("cohort"),
            ),
            (
                "quiz_results_scaling",
                f"median quiz results page with item statistics, {attempts}",
                2,
                page("results"),
            ),
        ]
        figures = []
        for key, label, limit, calls in measures:
            log(label)
            medians: dict[str, list[float]] = {"ref": [], "big": []}
            for _ in range(plan.rounds):
                for name, server in (("ref", ref), ("big", big)):
                    result = self.load(server, calls(server))
                    medians[name].append(result.p50_ms)
            small = statistics.mean(medians["ref"])
            large = statistics.mean(medians["big"])
            figures.append(
                Figure(
                    key,
                    label,
                    "<=",
                    limit,
                    value=large / small,
                    detail=f"{large:.2f} / {small:.2f} ms",
                )
            )
        return figures

    def certificates(self, report: Report) -> None:
        plan = self.plan
        log(f"rendering {plan.certificates} certificates in a fresh process")
        done = subprocess.run(
            [sys.executable, "-m", "benchlib.certs", "--count", str(plan.certificates)],
            cwd=SCRIPTS,
            capture_output=True,
            text=True,
            check=True,
        )
        certs = json.loads(done.stdout)
        report.figures += [
            Figure(
                "certificate_over_plain",
                "one certificate PDF in a warm process over a one-line WeasyPrint "
                "document",
                "<=",
                4,
                value=certs["certificate_ms"] / certs["plain_ms"],
                detail=f"{certs['certificate_ms']:.1f} / {certs['plain_ms']:.1f} ms",
            ),
            Figure(
                "certificate_memory",
                f"memory after rendering {certs['count']} certificates over after 1",
                "<=",
                1.15,
                value=certs["rss_after_all_mib"] / certs["rss_after_one_mib"],
                detail=f"{certs['rss_after_all_mib']:.0f} / "
                f"{certs['rss_after_one_mib']:.0f} MiB",
            ),
        ]
        report.figures.append(self.issuing())

    def issuing(self) -> Figure:
        source = data.ready_set(self.plan.issue)
        seconds = {}
        for workers in (1, 2):
            log(f"academy issue --all-ready --workers {workers}")
            folder = data.clone(source, self.work / f"issue-{workers}")
            env = {
                **os.environ,
                "ACADEMY_SECRET_KEY": data.SECRET_KEY,
                "ACADEMY_CONTENT": str(ROOT),
                "ACADEMY_BASE_URL": "https://mentor-academy.example",
                "ACADEMY_LOG_LEVEL": "WARNING",
            }
            command = [sys.executable, "-m", "academy", "--data", str(folder)]
            command += ["issue", "--all-ready", "--workers", str(workers)]
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=True
            )
            found = re.search(
                r"Issued (\d+) certificate\(s\) in ([\d.]+) s", done.stdout
            )
            if found is None or int(found.group(1)) != self.plan.issue:
                raise RuntimeError(f"academy issue said: {done.stdout.strip()}")
            seconds[workers] = float(found.group(2))
        return Figure(
            "issue_speedup",
            f"issuing {self.plan.issue} certificates with 2 workers, speed-up over 1",
            ">=",
            1.6,
            value=seconds[1] / seconds[2],
            detail=f"{seconds[1]:.1f} s / {seconds[2]:.1f} s",
        )


# -- output ----------------------------------------------------------------------


def table(report: Report) -> Iterator[str]:
    yield f"Mentor Academy benchmark, {report.plan} run"
    yield f"  sizes: {report.large} against {report.reference}"
    yield f"  load generator: {report.generator}, from a separate process"
    yield ""
    width = max(len(f.figure) for f in report.figures)
    head = f"  {'figure':<{width}}  {'target':>10}  {'measured':>9}  result  detail"
    yield head
    yield "  " + "-" * (len(head) + 14)
    for f in report.figures:
        result = {True: "PASS", False: "FAIL", None: "—"}[f.passed]
        yield (
            f"  {f.figure:<{width}}  {f.target:>10}  {f.measured:>9}  {result:<6}"
            f"  {f.detail}"
        )
    passed = sum(1 for f in report.figures if f.passed)
    yield ""
    yield f"  {passed} of {len(report.figures)} figures meet their target."
    for note in report.notes:
        yield f"  note: {note}"


def as_json(report: Report) -> dict[str, object]:
    return {
        "plan": report.plan,
        "load_generator": report.generator,
        "sizes": {"reference": report.reference, "large": report.large},
        "figures": [
            {
                **{k: v for k, v in asdict(f).items()},
                "target": f.target,
                "passed": f.passed,
            }
            for f in report.figures
        ],
        "notes": report.notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fast at any size: the benchmark.")
    parser.add_argument(
        "--full",
        action="store_true",
        help="10,000 learners and 100,000 attempts against 100 and 1,000",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=ARTIFACTS / "bench.json",
        help="where to write the table as JSON (default test-artifacts/bench.json)",
    )
    args = parser.parse_args(argv)
    plan = PLANS["full" if args.full else "small"]

    started = time.monotonic()
    for size in (plan.reference, plan.large):
        log(f"data set: {size.label}")
        data.data_set(size)
    data.ready_set(plan.issue)

    report = Report(
        plan=plan.name,
        generator=load.describe(),
        reference=plan.reference.label,
        large=plan.large.label,
    )
    report.notes.append(
        "every data set also holds a manager, a probe learner and "
        f"{data.SUBMITTERS} learners who submit quizzes during the run"
    )
    report.notes.append(
        "the baseline routes are appended after the app's own, as a harness "
        "route would be, so they pay for matching the app's route table first"
    )
    work = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    try:
        bench = Bench(plan, work)
        bench.servers(report)
        bench.certificates(report)
        if bench.errors:
            report.notes.append(
                f"{bench.errors} requests were answered with an error: figures "
                "that include them are not trustworthy"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.notes.append(f"the run took {time.monotonic() - started:.0f} s")

    print("\n".join(table(report)))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(as_json(report), indent=2, ensure_ascii=False))
    print(f"\n  JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

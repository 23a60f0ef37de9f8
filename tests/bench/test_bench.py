"""scripts/bench at its small size: every figure is printed and saved as JSON.

Timings depend on the machine, so nothing here judges them; the bench's own
PASS and FAIL do that.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {
    "module_over_plain": "requests/s of a logged-in module page",
    "module_over_static": "over a static Jinja page of the same size",
    "p99_while_submitting": "while quiz submissions stream in",
    "p99_during_logins": "during a burst of logins",
    "submission_scaling": "median quiz submission",
    "dashboard_scaling": "median learner dashboard",
    "cohort_overview_scaling": "cohort overview",
    "quiz_results_scaling": "quiz results page with item statistics",
    "certificate_over_plain": "one certificate PDF in a warm process",
    "certificate_memory": "memory after rendering",
    "issue_speedup": "with 2 workers, speed-up over 1",
    "server_peak_memory": "peak memory of the server",
}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_bench_small_prints_and_saves_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    lines = done.stdout.splitlines()
    for key, words in FIGURES.items():
        matching = [line for line in lines if words in line]
        assert matching, f"no line for {key} in:\n{done.stdout}"
        assert any(("PASS" in line) or ("FAIL" in line) for line in matching)

    report = json.loads(out.read_text())
    figures = {f["key"]: f for f in report["figures"]}
    assert set(figures) == set(FIGURES)
    for figure in figures.values():
        assert isinstance(figure["value"], float)
        assert figure["passed"] in (True, False)
        assert figure["target"] and figure["figure"]
    assert report["load_generator"]
    # Every request the load sends is one the site should accept; an error
    # answer means the harness and the app disagree (a stale CSRF token, say).
    assert not [n for n in report["notes"] if "answered with an error" in n]

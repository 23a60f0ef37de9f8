"""Eligibility imports: every bad row reported, nothing written, idempotent."""

from pathlib import Path

import pytest

from academy.services.academy import Academy

HEADER = "email,name,course_id,course_name,grade_percent,forum_posts,forum_upvotes,forum_flags\n"
GOOD = "ana@example.org,Ana Silva,py101,Python,92,40,30,0\n"


def test_import_good_file_then_again_changes_nothing(academy: Academy) -> None:
    data = (HEADER + GOOD + "ben@example.org,Ben,py101,Python,75.5,3,1,2\n").encode()
    first = academy.eligibility.import_csv(data, "m")
    assert first.ok and first.added == 2 and first.updated == 0
    second = academy.eligibility.import_csv(data, "m")
    assert (
        second.ok
        and second.added == 0
        and second.updated == 0
        and second.unchanged == 2
    )
    assert academy.eligibility.decision("ana@example.org").eligible
    ben = academy.eligibility.decision("BEN@example.org")
    assert not ben.eligible and len(ben.reasons) == 4


def test_import_dry_run_writes_nothing(academy: Academy) -> None:
    report = academy.eligibility.import_csv((HEADER + GOOD).encode(), "m", dry_run=True)
    assert report.ok and report.added == 1
    assert academy.store.eligibility("ana@example.org") is None


BAD_FILES = {
    "empty": (b"", "empty"),
    "latin-1": (
        (HEADER + "zoe@example.org,Zoë,c,C,90,1,1,0\n").encode("latin-1"),
        "not UTF-8",
    ),
    "missing-column": (b"email,name\nana@example.org,Ana\n", "missing column(s)"),
    "unknown-column": (
        (HEADER.strip() + ",extra\n" + GOOD.strip() + ",x\n").encode(),
        "unknown column",
    ),
    "bad-email": ((HEADER + "not-an-email,A,c,C,90,1,1,0\n").encode(), "row 2: email"),
    "grade-over-100": (
        (HEADER + "a@example.org,A,c,C,101,1,1,0\n").encode(),
        "row 2: grade_percent must be from 0 to 100",
    ),
    "grade-not-number": (
        (HEADER + "a@example.org,A,c,C,ninety,1,1,0\n").encode(),
        "row 2: grade_percent must be a number",
    ),
    "negative-posts": (
        (HEADER + "a@example.org,A,c,C,90,-1,1,0\n").encode(),
        "row 2: forum_posts must not be negative",
    ),
    "fractional-flags": (
        (HEADER + "a@example.org,A,c,C,90,1,1,0.5\n").encode(),
        "row 2: forum_flags must be a whole number",
    ),
    "blank-name": (
        (HEADER + "a@example.org,,c,C,90,1,1,0\n").encode(),
        "row 2: name is empty",
    ),
    "short-row": ((HEADER + "a@example.org,A,c\n").encode(), "row 2: has fewer values"),
    "long-row": (
        (HEADER + GOOD.strip() + ",extra\n").encode(),
        "row 2: has more values",
    ),
    "duplicate": (
        (HEADER + GOOD + GOOD).encode(),
        "row 3: repeats ana@example.org in course py101 (first on row 2)",
    ),
    "nan-grade": (
        (HEADER + "a@example.org,A,c,C,nan,1,1,0\n").encode(),
        "grade_percent",
    ),
    "binary": (b"\x00\x01\x02PK", "NUL"),
}


@pytest.mark.parametrize("name", list(BAD_FILES), ids=list(BAD_FILES))
def test_import_bad_file_changes_nothing(academy: Academy, name: str) -> None:
    data, message = BAD_FILES[name]
    mixed = (
        data
        if name in ("empty", "latin-1", "missing-column", "unknown-column", "binary")
        else data + GOOD.replace("ana", "zed").encode()
    )
    report = academy.eligibility.import_csv(mixed, "m")
    assert not report.ok
    assert any(message in str(e) for e in report.errors), [
        str(e) for e in report.errors
    ]
    assert academy.store.all_eligibility() == []
    assert not any(e.action == "eligibility.import" for e in academy.store.audit())


def test_import_reports_every_bad_row(academy: Academy) -> None:
    data = (
        HEADER
        + GOOD
        + "x,A,c,C,90,1,1,0\n"
        + GOOD.replace("92", "900")
        + "b@example.org,B,c,C,90,1,1,-3\n"
    )
    report = academy.eligibility.import_csv(data.encode(), "m")
    # Numbered as a spreadsheet shows them: the header is row 1.
    assert [e.row for e in report.errors] == [3, 4, 5]
    assert report.rows == 4


def test_import_numbers_rows_after_one_the_reader_could_not_split(
    academy: Academy,
) -> None:
    data = HEADER + "a@example.org,A,c\n" + "x,A,c,C,90,1,1,0\n" + GOOD
    report = academy.eligibility.import_csv(data.encode(), "m")
    assert [(e.row, e.message.split()[0]) for e in report.errors] == [
        (2, "has"),
        (3, "email"),
    ]
    assert report.rows == 3


def test_import_file_problem_is_not_given_a_row(academy: Academy) -> None:
    report = academy.eligibility.import_csv(HEADER.encode(), "m")
    assert [str(e) for e in report.errors] == ["there are no rows to import"]


def test_override_needs_reason_and_is_audited(academy: Academy) -> None:
    from academy.domain.errors import Invalid

    with pytest.raises(Invalid):
        academy.eligibility.override("a@example.org", True, "", "m")
    decision = academy.eligibility.override(
        "a@example.org", True, "Grade confirmed by staff", "m"
    )
    assert decision.eligible and decision.overridden
    entry = academy.store.audit()[-1]
    assert (
        entry.action == "eligibility.override"
        and entry.reason == "Grade confirmed by staff"
    )
    cleared = academy.eligibility.override(
        "a@example.org", None, "Back to the record", "m"
    )
    assert not cleared.eligible


def test_cli_import_dry_run_and_errors(tmp_path: Path, academy: Academy) -> None:
    import subprocess
    import sys

    academy.close()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x,A,c,C,90,1,1,0\n")
    env_args = ["--data", str(academy.settings.data_dir)]
    dry = subprocess.run(
        [
            sys.executable,
            "-m",
            "academy",
            *env_args,
            "import-eligibility",
            str(good),
            "--dry-run",
        ],
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0 and "Would change 1 of 1" in dry.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "academy", *env_args, "import-eligibility", str(bad)],
        capture_output=True,
        text=True,
    )
    assert (
        wrong.returncode == 1
        and "row 2: email" in wrong.stderr
        and "Nothing was changed" in wrong.stdout
    )

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


BIG = "x" * 140_000  # past the csv module's field limit of 131,072 characters
UNCLOSED = 'a quoted value is not closed (a " without its partner)'
ROW_PROBLEMS = {
    "value-past-csv-limit": (
        GOOD + GOOD.replace("ana", "bo") + f"c@example.org,{BIG},c,C,90,1,1,0\n",
        [
            (
                4,
                "a value is longer than 300 characters, so the rows after it were not read",
            )
        ],
    ),
    "unclosed-quote": (
        GOOD
        + 'b@example.org,"Bob,py101,Python,90,1,1,0\n'
        + GOOD.replace("ana", "zed"),
        [(3, UNCLOSED)],
    ),
    "unclosed-quote-on-last-line": (
        GOOD + 'b@example.org,"Bob,py101,Python,90,1,1,0',
        [(3, UNCLOSED)],
    ),
    "unclosed-quote-past-csv-limit": (
        GOOD
        + 'b@example.org,"Bob,py101,Python,90,1,1,0\n'
        + GOOD.replace("ana", "zed") * 3000,
        [(3, UNCLOSED)],
    ),
    "unclosed-quote-in-last-column": (
        GOOD
        + 'b@example.org,Bob,py101,Python,90,1,1,"0\n'
        + GOOD.replace("ana", "zed"),
        [(3, UNCLOSED)],
    ),
    "line-break-in-quoted-value": (
        GOOD
        + 'b@example.org,"Bo\nb",py101,Python,90,1,1,0\n'
        + GOOD.replace("ana", "zed"),
        [(3, "a value has a line break in it; keep each value on one line")],
    ),
    "after-a-blank-line": (
        GOOD + "\n" + "x,A,c,C,90,1,1,0\n",
        [(4, "email 'x' is not an email address")],
    ),
    "literal-quote-in-a-short-row": (
        GOOD + 'b@example.org,Bo 5" tall,c\n',
        [(3, "has fewer values than the header has columns")],
    ),
}


@pytest.mark.parametrize(
    ("body", "expected"), list(ROW_PROBLEMS.values()), ids=list(ROW_PROBLEMS)
)
def test_import_csv_problem_is_on_the_spreadsheet_row(
    academy: Academy, body: str, expected: list[tuple[int, str]]
) -> None:
    report = academy.eligibility.import_csv((HEADER + body).encode(), "m")
    assert [(e.row, e.message) for e in report.errors] == expected
    assert academy.store.all_eligibility() == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER.replace("course_id", '"course_id'), UNCLOSED),
        (HEADER.replace("name", BIG, 1), "a value is longer than 300 characters"),
        (HEADER.replace("name", "n" * 500, 1), "unknown column(s) '" + "n" * 40 + "…'"),
    ],
    ids=["unclosed-quote", "past-csv-limit", "long-unknown-column"],
)
def test_import_csv_header_problem_is_plain(
    academy: Academy, header: str, message: str
) -> None:
    report = academy.eligibility.import_csv((header + GOOD).encode(), "m")
    assert [e.row for e in report.errors] == [0]
    assert message in report.errors[0].message
    assert len(report.errors[0].message) < 300


NUMBER_PROBLEMS = {
    "superscript-digit": (
        "forum_flags",
        "²",
        "forum_flags must be a whole number, got '²'",
    ),
    "arabic-indic-digits": (
        "forum_posts",
        "١٢",
        "forum_posts must be a whole number, got '١٢'",
    ),
    "underscore": (
        "forum_upvotes",
        "1_000",
        "forum_upvotes must be a whole number, got '1_000'",
    ),
    "several-signs": (
        "forum_posts",
        "++5",
        "forum_posts must be a whole number, got '++5'",
    ),
    "5000-digits": (
        "forum_flags",
        "9" * 5000,
        f"forum_flags is implausibly large ({'9' * 40}…)",
    ),
    "10-to-the-400": (
        "forum_posts",
        str(10**400),
        f"forum_posts is implausibly large (1{'0' * 39}…)",
    ),
    "long-negative": (
        "forum_posts",
        "-" + "9" * 5000,
        f"forum_posts must not be negative, got -{'9' * 39}…",
    ),
    "long-word": (
        "forum_posts",
        "y" * 5000,
        f"forum_posts must be a whole number, got '{'y' * 40}…'",
    ),
    "zero-padded": (
        "forum_posts",
        "0" * 400 + "5",
        "forum_posts is longer than 300 characters",
    ),
    "grade-exponent": (
        "grade_percent",
        "1e2",
        "grade_percent must be a number from 0 to 100, got '1e2'",
    ),
    "grade-nan": (
        "grade_percent",
        "nan",
        "grade_percent must be a number from 0 to 100, got 'nan'",
    ),
    "grade-infinity": (
        "grade_percent",
        "inf",
        "grade_percent must be a number from 0 to 100, got 'inf'",
    ),
    "grade-superscript": (
        "grade_percent",
        "9²",
        "grade_percent must be a number from 0 to 100, got '9²'",
    ),
    "grade-5000-digits": (
        "grade_percent",
        "9" * 5000,
        f"grade_percent must be from 0 to 100, got {'9' * 40}…",
    ),
}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    list(NUMBER_PROBLEMS.values()),
    ids=list(NUMBER_PROBLEMS),
)
def test_import_csv_number_problem_is_plain(
    academy: Academy, column: str, value: str, message: str
) -> None:
    values = dict(zip(HEADER.strip().split(","), GOOD.strip().split(","), strict=True))
    row = ",".join({**values, column: value}.values())
    report = academy.eligibility.import_csv((HEADER + row + "\n").encode(), "m")
    assert [str(e) for e in report.errors] == [f"row 2: {message}"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("92", 92.0), ("92.5%", 92.5), (".5", 0.5), ("100.", 100.0), (" +7 ", 7.0)],
    ids=["whole", "percent-sign", "leading-point", "trailing-point", "plus-sign"],
)
def test_import_csv_grade_plain_decimal_is_read(
    academy: Academy, value: str, expected: float
) -> None:
    row = f"ana@example.org,Ana,py101,Python,{value},40,30,0\n"
    report = academy.eligibility.import_csv((HEADER + row).encode(), "m")
    assert report.ok, report.errors
    record = academy.store.eligibility("ana@example.org")
    assert record is not None and record.courses[0].grade_percent == expected


SUMMARIES = {
    "csv-unreadable": (
        b"",
        "Nothing was changed: the file could not be read.",
    ),
    "csv-header-only": (
        HEADER.encode(),
        "Nothing was changed: the file has no rows.",
    ),
    "csv-one-problem": (
        (HEADER + "x,A,c,C,90,1,1,0\n").encode(),
        "Nothing was changed: 1 problem in 1 row. Fix it and import the file again.",
    ),
    "csv-two-problems": (
        (HEADER + "x,A,c,C,90,1,1,0\n" + GOOD + "y,A,c,C,90,1,1,0\n").encode(),
        "Nothing was changed: 2 problems in 3 rows. Fix them and import the file again.",
    ),
}


@pytest.mark.parametrize(
    ("data", "summary"), list(SUMMARIES.values()), ids=list(SUMMARIES)
)
def test_import_csv_summary_reads_naturally(
    academy: Academy, data: bytes, summary: str
) -> None:
    assert academy.eligibility.import_csv(data, "m").summary() == summary


@pytest.mark.parametrize(
    ("records", "summary"),
    [
        ([], "Nothing was changed: no records were sent."),
        (
            [{"email": "x"}],
            "Nothing was changed: 1 problem in 1 record. Fix it and send the records again.",
        ),
    ],
    ids=["no-records", "one-problem"],
)
def test_import_rows_summary_asks_for_the_records_again(
    academy: Academy, records: list[dict[str, str]], summary: str
) -> None:
    report = academy.eligibility.import_rows(records, "m")
    assert report.summary() == summary
    assert "file" not in " ".join(str(e) for e in report.errors)


def test_cli_import_unreadable_file_summary_reads_naturally(
    tmp_path: Path, academy: Academy, capsys: pytest.CaptureFixture[str]
) -> None:
    from academy import cli

    academy.close()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    argv = ["--data", str(academy.settings.data_dir), "import-eligibility", str(empty)]
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert out.strip() == "Nothing was changed: the file could not be read."
    assert err.strip() == f"{empty}: the file is empty"


def test_token_revoke_twice_is_a_conflict_audited_once(academy: Academy) -> None:
    from academy.domain.errors import Conflict

    token, _ = academy.tokens.create("LMS", "m")
    academy.tokens.revoke(token.id, "m")
    with pytest.raises(Conflict, match="already revoked"):
        academy.tokens.revoke(token.id, "m")
    revokes = [e for e in academy.store.audit() if e.action == "token.revoke"]
    assert len(revokes) == 1


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("", "Required."),
        ("n" * 101, "Keep the name to 100 characters or fewer."),
    ],
    ids=["empty", "101-characters"],
)
def test_token_create_bad_name_says_why(
    academy: Academy, name: str, field: str
) -> None:
    from academy.domain.errors import Invalid

    with pytest.raises(Invalid) as raised:
        academy.tokens.create(name, "m")
    assert raised.value.fields == {"name": field}
    assert academy.tokens.all() == []


def test_token_create_name_of_100_characters_is_kept(academy: Academy) -> None:
    token, _ = academy.tokens.create("n" * 100, "m")
    assert token.name == "n" * 100

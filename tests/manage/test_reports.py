"""CSV reports: documented columns, spreadsheet safety, downloads."""

import csv
import io

import pytest

from academy import cli
from academy.domain.certificate import Certificate
from academy.services import reports
from academy.services.reports import COLUMNS, QUIZ_COLUMN, export, neutralise, write_csv

from .conftest import RIGHT, WRONG, People, eligible_csv, register


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def activity(people: People, academy):
    users = register(academy, 2)
    academy.learning.submit_attempt(users[0], "mentor-role", WRONG)
    academy.learning.submit_attempt(users[0], "mentor-role", RIGHT)
    academy.eligibility.import_csv(eligible_csv(users[0].email), "test")
    return users


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_reports_header_is_the_documented_columns(activity, academy, kind):
    header = _rows(export(academy, kind))[0]
    documented = [name for name, _ in COLUMNS[kind]]
    if kind == "grades":
        slugs = [q.slug for q in academy.ctx.content.curriculum.ordered_quizzes]
        documented += [f"best_{s}" for s in slugs]
        assert QUIZ_COLUMN[0] == "best_<quiz>"
    assert header == documented


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_reports_lines_end_with_crlf(activity, academy, kind):
    text = export(academy, kind)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_reports_grades_one_row_per_learner(activity, people: People, academy):
    rows = _rows(export(academy, "grades"))
    header, body = rows[0], rows[1:]
    emails = sorted(r[header.index("email")] for r in body)
    assert emails == sorted([u.email for u in activity] + [people.learner.email])
    mine = next(r for r in body if r[1] == activity[0].email)
    assert mine[header.index("best_mentor-role")] == "100"
    assert mine[header.index("quizzes_passed")] == "1"
    assert mine[header.index("eligible")] == "yes"
    assert mine[header.index("cohort")] == "Open enrolment"


def test_reports_responses_one_row_per_answer(activity, academy):
    rows = _rows(export(academy, "responses"))
    header, body = rows[0], rows[1:]
    assert len(body) == 2 * len(RIGHT)  # two attempts, six graded questions
    first = [r for r in body if r[header.index("attempt")] == "1"]
    answer = {r[header.index("question")]: r[header.index("answer")] for r in first}
    assert answer["which-break-code"] == "d"
    assert answer["name-the-action"] == "ignore"
    marks = {r[header.index("mark")] for r in first}
    assert marks == {"0"}


def test_reports_eligibility_rows(activity, academy):
    rows = _rows(export(academy, "eligibility"))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["email"] == activity[0].email
    assert (row["eligible"], row["registered"], row["course_id"]) == (
        "yes",
        "yes",
        "py101",
    )


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("", ""),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "plain", "empty"],
)
def test_reports_formula_starts_are_neutralised(cell, shown):
    assert neutralise(cell) == shown
    assert _rows(write_csv(["h"], [[cell]]))[1] == [shown]


def test_reports_learner_name_cannot_run_as_a_formula(people: People, academy):
    user = academy.accounts.register('=cmd|" /C calc"!A0', "evil@example.org", "x" * 12)
    academy.learning.submit_attempt(user, "mentor-role", RIGHT)
    rows = _rows(export(academy, "grades"))
    names = [r[0] for r in rows[1:]]
    assert '\'=cmd|" /C calc"!A0' in names
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_reports_download_is_an_audited_attachment(
    activity, people: People, academy, kind
):
    response = people.manager_browser.get(f"/manage/reports/{kind}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="{kind}-'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    entry = academy.store.audit()[-1]
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "report.export",
        kind,
    )


def test_reports_page_documents_every_column(people: People):
    page = people.manager_browser.get("/manage/reports").text
    for kind, columns in COLUMNS.items():
        assert f'href="/manage/reports/{kind}.csv"' in page
        for name, _ in columns:
            assert f"<code>{name}</code>" in page


def test_reports_certificates_issued_together_sorted_by_name_then_id(
    people: People, academy
):
    users = register(academy, 4)
    at = academy.ctx.now()
    written = [("Zed", "d" * 32), ("Amy", "c" * 32), ("Bo", "b" * 32), ("Bo", "a" * 32)]
    for user, (name, cert_id) in zip(users, written, strict=True):
        academy.store.save_certificate(
            Certificate(cert_id, user.id, name, user.email, at, "salt")
        )
    rows = _rows(export(academy, "certificates"))[1:]
    assert [(r[1], r[0]) for r in rows] == sorted((n, i) for n, i in written)


def test_reports_csv_pieces_join_to_the_whole_text(monkeypatch):
    monkeypatch.setattr(reports, "CHUNK", 10)
    rows = [[f"=cell {i}", i, None] for i in range(20)]
    pieces = list(reports.csv_chunks(["a", "b", "c"], rows))
    assert len(pieces) > 5
    assert "".join(pieces) == write_csv(["a", "b", "c"], rows)
    assert pieces[0].startswith("\ufeffa,b,c\r\n")


def test_reports_download_streams_without_the_whole_text(
    activity, people: People, academy, monkeypatch
):
    expected = export(academy, "responses")

    def whole_text(*args: object) -> str:
        raise AssertionError("the download built the whole report at once")

    monkeypatch.setattr(reports, "CHUNK", 200)
    monkeypatch.setattr(reports, "export", whole_text)
    monkeypatch.setattr(reports, "write_csv", whole_text)
    response = people.manager_browser.get("/manage/reports/responses.csv")
    assert response.status_code == 200
    assert response.text == expected


def test_reports_command_line_export_streams_the_same_text(
    activity, academy, settings, monkeypatch, capsys
):
    expected = export(academy, "responses")
    academy.close()  # the command takes the data folder's lock
    monkeypatch.setattr(reports, "export", None)  # only the pieces may be used
    args = ["--data", str(settings.data_dir), "--content", str(settings.content_dir)]
    assert cli.main([*args, "export", "responses"]) == 0
    assert capsys.readouterr().out == expected

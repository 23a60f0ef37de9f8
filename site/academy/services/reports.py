"""The CSV reports a manager downloads or the command line prints.

Each report's columns are listed with what they mean, so the reports page can
explain them. Rows are produced as the text is sent, and every cell is made
inert for spreadsheets, since names and replies are typed by learners.
"""

import csv
import io
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from academy.domain.certificate import Certificate
from academy.domain.eligibility import decide
from academy.domain.errors import NotFound
from academy.domain.records import AuditEntry
from academy.services.listing import Person
from academy.store import email_key

if TYPE_CHECKING:
    from academy.services.academy import Academy

logger = logging.getLogger(__name__)

Columns = tuple[tuple[str, str], ...]

COLUMNS: dict[str, Columns] = {
    "grades": (
        ("name", "Name as registered (and printed on the certificate)"),
        ("email", "Email address of the account"),
        ("cohort", "Name of the learner's cohort"),
        ("status", "on track, behind, late, complete or certified, at export time"),
        ("modules_done", "Modules marked complete"),
        ("quizzes_passed", "Quizzes passed"),
        ("replies_approved", "Practice replies approved by a manager"),
        ("percent", "Share of all training items done, 0-100"),
        (
            "completed_at",
            "When the training was completed (UTC, ISO 8601); empty if not",
        ),
        ("eligible", "yes or no: eligibility from course records or an override"),
        ("certificate_id", "The newest certificate's id; empty if none"),
        ("certificate_status", "valid, expired, revoked or superseded; empty if none"),
    ),
    "responses": (
        ("email", "Email address of the learner"),
        ("quiz", "Quiz slug"),
        ("attempt", "Attempt number, from 1"),
        ("submitted_at", "When the attempt was submitted (UTC, ISO 8601)"),
        ("question", "Question id within the quiz"),
        ("kind", "single, multiple, true_false or short"),
        ("answer", "Chosen option ids separated by '|', true/false, or the text typed"),
        ("mark", "1 if correct, 0 if not"),
    ),
    "certificates": (
        ("id", "Certificate id, as in its verification link"),
        ("name", "Name printed on the certificate"),
        ("email", "Recipient's email address"),
        ("issued_at", "When it was issued (UTC, ISO 8601)"),
        ("expires_at", "When it expires (UTC, ISO 8601); empty if never"),
        ("status", "valid, expired, revoked or superseded, at export time"),
        ("revoked_at", "When it was revoked; empty if not"),
        ("revocation_reason", "The reason given for revoking it"),
        ("replaces", "Id of the certificate this one reissued"),
        ("superseded_by", "Id of the certificate that reissued this one"),
        ("verify_url", "Public verification page"),
    ),
    "eligibility": (
        ("email", "Email address the course platform sent"),
        ("name", "Name in the course record"),
        ("course_id", "Course id; empty for an override without course records"),
        ("course_name", "Course name"),
        ("grade_percent", "Course grade, 0-100"),
        ("forum_posts", "Forum posts written"),
        ("forum_upvotes", "Upvotes received"),
        ("forum_flags", "Moderation flags received"),
        ("updated_at", "When this record was last loaded (UTC, ISO 8601)"),
        ("eligible", "yes or no: the decision for this email address"),
        ("override", "eligible or not eligible when a manager decided; else empty"),
        ("override_reason", "The manager's reason"),
        ("registered", "yes if a learner's account uses this email address"),
    ),
}
QUIZ_COLUMN = (
    "best_<quiz>",
    "Grades only: one column per quiz, in schedule order: best score in percent, "
    "empty if never attempted",
)
AUDIT_COLUMNS: Columns = (
    ("at", "When it happened (UTC, ISO 8601)"),
    ("actor", "Who did it: a user id, 'system', 'cli' or 'token:<id>'"),
    ("actor_name", "The actor's name when the actor is an account; else empty"),
    ("actor_email", "The actor's email address when the actor is an account"),
    ("action", "What was done, e.g. certificate.revoke"),
    ("subject", "What it was done to: a user id, email, certificate or cohort"),
    ("subject_name", "Name of the learner, manager or cohort the subject is"),
    ("subject_email", "Email address of the learner or manager the subject is"),
    ("detail", "Details of the change"),
    ("reason", "The reason the actor gave"),
)
KINDS = tuple(COLUMNS)
CHUNK = 64 * 1024  # characters of CSV a streamed report sends at a time

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Make a cell inert in spreadsheets by prefixing a quote to formula starts."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> str:
    # Most cells are text: checked first, as a report can have millions of cells.
    if type(value) is str:
        text = value
    elif value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    # neutralise(), written out: this runs once per cell.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Iterator[str]:
    """CSV text in pieces of about CHUNK characters, so a large report streams.

    Byte order mark first, CRLF lines, every cell neutralised.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if out.tell() >= CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole CSV text (see csv_chunks)."""
    return "".join(csv_chunks(header, rows))


def header(academy: "Academy", kind: str) -> list[str]:
    names = [name for name, _ in COLUMNS[kind]]
    if kind == "grades":
        quizzes = academy.ctx.content.curriculum.ordered_quizzes
        names += [f"best_{q.slug}" for q in quizzes]
    return names


def export_chunks(academy: "Academy", kind: str) -> Iterator[str]:
    """One report as CSV text in pieces; NotFound, at once, for an unknown kind.

    Rows are read as the pieces are taken, so the responses report (one row
    per answer, every attempt of every learner) is never whole in memory.
    """
    if kind not in COLUMNS:
        raise NotFound(f"There is no report called “{kind}”.")
    rows = {
        "grades": _grades,
        "responses": _responses,
        "certificates": _certificates,
        "eligibility": _eligibility,
    }[kind](academy)
    return csv_chunks(header(academy, kind), rows)


def export(academy: "Academy", kind: str) -> str:
    """One report as CSV text; NotFound for an unknown kind."""
    return "".join(export_chunks(academy, kind))


def audit_csv(entries: Iterable[AuditEntry], people: Mapping[str, Person]) -> str:
    """The entries as CSV; `people` names the actors and subjects it knows."""
    nobody = Person("")
    rows = (
        (
            e.at,
            e.actor_id,
            (actor := people.get(e.actor_id, nobody)).name,
            actor.email,
            e.action,
            e.subject,
            (subject := people.get(e.subject, nobody)).name,
            subject.email,
            e.detail,
            e.reason,
        )
        for e in entries
    )
    return write_csv([name for name, _ in AUDIT_COLUMNS], rows)


def _newest_certificates(academy: "Academy") -> dict[str, Certificate]:
    newest: dict[str, Certificate] = {}
    for cert in academy.certificates.all():
        held = newest.get(cert.user_id)
        if held is None or cert.issued_at > held.issued_at:
            newest[cert.user_id] = cert
    return newest


def _grades(academy: "Academy") -> Iterable[Sequence[object]]:
    now = academy.ctx.now()
    cohorts = {c.id: c.name for c in academy.store.cohorts()}
    certificates = _newest_certificates(academy)
    slugs = [q.slug for q in academy.ctx.content.curriculum.ordered_quizzes]
    summaries = sorted(
        academy.summaries.all(),
        key=lambda s: (cohorts.get(s.cohort_id, ""), s.name.casefold(), s.email),
    )
    for s in summaries:
        cert = certificates.get(s.user_id)
        best = academy.quiz_results.best_by_quiz(s.user_id)
        yield (
            s.name,
            s.email,
            cohorts.get(s.cohort_id, s.cohort_id),
            s.status(now).value,
            s.modules_done,
            s.quizzes_passed,
            s.replies_approved,
            s.percent,
            s.completed_at,
            s.eligible,
            cert.id if cert else None,
            cert.status(now).value if cert else None,
            *(best.get(slug) for slug in slugs),
        )


def _answer_text(values: Sequence[str]) -> str:
    return "|".join(values)


def _responses(academy: "Academy") -> Iterable[Sequence[object]]:
    curriculum = academy.ctx.content.curriculum
    order = {q.slug: i for i, q in enumerate(curriculum.ordered_quizzes)}
    kinds = {
        slug: {g.id: g.kind.value for g in quiz.graded_questions}
        for slug, quiz in curriculum.quizzes.items()
    }
    learners = sorted(academy.summaries.all(), key=lambda s: s.email.casefold())
    for summary in learners:
        attempts = sorted(
            academy.store.attempts(summary.user_id),
            key=lambda a: (order.get(a.quiz_slug, 999), a.number),
        )
        for attempt in attempts:
            # A quiz no longer in the curriculum: its answers as they were.
            graded = kinds.get(attempt.quiz_slug, {})
            for question_id in graded or sorted(attempt.answers):
                yield (
                    summary.email,
                    attempt.quiz_slug,
                    attempt.number,
                    attempt.submitted_at,
                    question_id,
                    graded.get(question_id, ""),
                    _answer_text(attempt.answers.get(question_id, ())),
                    attempt.marks.get(question_id),
                )


def _certificates(academy: "Academy") -> Iterable[Sequence[object]]:
    now = academy.ctx.now()
    # Ties broken by name and id, so the site and the command line agree.
    ordered = sorted(
        academy.certificates.all(),
        key=lambda c: (c.issued_at, c.recipient_name, c.id),
    )
    for cert in ordered:
        yield (
            cert.id,
            cert.recipient_name,
            cert.recipient_email,
            cert.issued_at,
            cert.expires_at,
            cert.status(now).value,
            cert.revoked_at,
            cert.revocation_reason,
            cert.replaces,
            cert.superseded_by,
            academy.urls.verify(cert.id),
        )


def _eligibility(academy: "Academy") -> Iterable[Sequence[object]]:
    thresholds = academy.ctx.content.program.thresholds
    registered = {email_key(s.email) for s in academy.summaries.all()}
    for record in academy.store.all_eligibility():
        decision = decide(record, thresholds)
        override = record.override
        common = (
            decision.eligible,
            None
            if override is None
            else ("eligible" if override.eligible else "not eligible"),
            None if override is None else override.reason,
            email_key(record.email) in registered,
        )
        if not record.courses:
            yield (record.email, *([None] * 8), *common)
        for course in record.courses:
            yield (
                record.email,
                course.name,
                course.course_id,
                course.course_name,
                course.grade_percent,
                course.forum_posts,
                course.forum_upvotes,
                course.forum_flags,
                course.updated_at,
                *common,
            )

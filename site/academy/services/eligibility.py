"""Eligibility from the course platform: CSV imports, pushed records, overrides."""

import csv
import io
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from academy.domain.eligibility import Decision, decide
from academy.domain.errors import Invalid
from academy.domain.records import CourseRecord, Eligibility, EligibilityOverride
from academy.services.accounts import EMAIL
from academy.services.certificates import require_reason
from academy.services.context import Context
from academy.store import email_key

logger = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "name",
    "course_id",
    "course_name",
    "grade_percent",
    "forum_posts",
    "forum_upvotes",
    "forum_flags",
)
MAX_ROWS = 200_000
CSV_FIRST_ROW = 2  # as a spreadsheet numbers it: the header is row 1
MAX_FIELD = 300


@dataclass(frozen=True)
class RowError:
    # In a CSV file, the row a spreadsheet shows (the header is row 1); in a
    # JSON push, the record's position counting from 1. Zero: the whole input.
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    newly_eligible: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was changed: {len(self.errors)} problem(s) in "
                f"{self.rows} row(s). Fix them and import the file again."
            )
        verb = "Would change" if self.dry_run else "Changed"
        return (
            f"{verb} {self.added + self.updated} of {self.rows} record(s): "
            f"{self.added} new, {self.updated} updated, {self.unchanged} unchanged."
        )


Numbered = list[tuple[int, dict[str, str]]]


def parse_csv(data: bytes) -> tuple[Numbered, list[RowError]]:
    """Rows of an eligibility CSV with their row numbers, and the unreadable ones."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [
            RowError(
                0, f"the file is not UTF-8 text (line {line}); save it as CSV UTF-8"
            )
        ]
    if "\x00" in text:
        return [], [
            RowError(0, "the file contains NUL characters; is it really a CSV file?")
        ]
    if not text.strip():
        return [], [RowError(0, "the file is empty")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(repr(u) for u in unknown))
        if len(set(header)) != len(header):
            parts.append("a column appears twice")
        expected = ",".join(COLUMNS)
        return [], [RowError(0, f"header: {'; '.join(parts)}. Expected: {expected}")]
    reader.fieldnames = header
    rows: Numbered = []
    errors: list[RowError] = []
    try:
        for number, raw in enumerate(reader, start=CSV_FIRST_ROW):
            if number - CSV_FIRST_ROW >= MAX_ROWS:
                return [], [
                    RowError(number, f"more than {MAX_ROWS:,} rows; split the file")
                ]
            if None in raw:
                errors.append(
                    RowError(number, "has more values than the header has columns")
                )
                continue
            if any(v is None for v in raw.values()):
                errors.append(
                    RowError(number, "has fewer values than the header has columns")
                )
                continue
            rows.append((number, {k: (v or "").strip() for k, v in raw.items()}))
    except csv.Error as error:
        errors.append(RowError(reader.line_num, f"cannot be read as CSV: {error}"))
    return rows, errors


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+").isdigit():
        number = int(value)
    elif (
        isinstance(value, str)
        and value.strip().startswith("-")
        and value.strip()[1:].isdigit()
    ):
        raise ValueError(f"{name} must not be negative, got {value.strip()}")
    else:
        raise ValueError(f"{name} must be a whole number, got {str(value)[:40]!r}")
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {number}")
    if number > 10_000_000:
        raise ValueError(f"{name} is implausibly large ({number})")
    return number


def _percent(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("grade_percent must be a number from 0 to 100")
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValueError(
            f"grade_percent must be a number from 0 to 100, got {str(value)[:40]!r}"
        ) from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError(f"grade_percent must be from 0 to 100, got {str(value)[:40]}")
    return number


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is empty")
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_FIELD:
        raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
    if any(ord(c) < 32 for c in cleaned):
        raise ValueError(f"{name} contains control characters")
    return cleaned


def record_from(raw: Mapping[str, Any], ctx: Context) -> CourseRecord:
    """One validated course record; ValueError says what is wrong."""
    email = _text(raw.get("email"), "email")
    if not EMAIL.match(email):
        raise ValueError(f"email {email[:60]!r} is not an email address")
    return CourseRecord(
        email=email_key(email),
        name=_text(raw.get("name"), "name"),
        course_id=_text(raw.get("course_id"), "course_id"),
        course_name=_text(raw.get("course_name"), "course_name"),
        grade_percent=_percent(raw.get("grade_percent")),
        forum_posts=_integer(raw.get("forum_posts"), "forum_posts"),
        forum_upvotes=_integer(raw.get("forum_upvotes"), "forum_upvotes"),
        forum_flags=_integer(raw.get("forum_flags"), "forum_flags"),
        updated_at=ctx.now(),
    )


class EligibilityService:
    def __init__(self, ctx: Context, on_change: Callable[[str], None]) -> None:
        self.ctx = ctx
        # Called with each registered learner's user id whose eligibility changed.
        self.on_change = on_change

    def decision(self, email: str) -> Decision:
        return decide(
            self.ctx.store.eligibility(email), self.ctx.content.program.thresholds
        )

    def import_csv(
        self, data: bytes, actor: str, dry_run: bool = False, source: str = "csv"
    ) -> ImportReport:
        rows, errors = parse_csv(data)
        return self._import(rows, actor, dry_run, source, errors)

    def import_rows(
        self,
        rows: Iterable[Mapping[str, Any]],
        actor: str,
        dry_run: bool = False,
        source: str = "api",
    ) -> ImportReport:
        """Validate every record first; write nothing unless all are good."""
        return self._import(enumerate(rows, start=1), actor, dry_run, source, [])

    def _import(
        self,
        rows: Iterable[tuple[int, Any]],
        actor: str,
        dry_run: bool,
        source: str,
        errors: list[RowError],
    ) -> ImportReport:
        report = ImportReport(dry_run=dry_run, errors=list(errors))
        # Rows the CSV reader could not split still count towards the total.
        report.rows = sum(1 for e in errors if e.row)
        records: list[CourseRecord] = []
        seen: dict[tuple[str, str], int] = {}
        for number, raw in rows:
            report.rows += 1
            if not isinstance(raw, Mapping):
                report.errors.append(
                    RowError(number, "is not an object with the eligibility fields")
                )
                continue
            try:
                record = record_from(raw, self.ctx)
            except ValueError as error:
                report.errors.append(RowError(number, str(error)))
                continue
            key = (record.email, record.course_id)
            if key in seen:
                report.errors.append(
                    RowError(
                        number,
                        f"repeats {record.email} in course {record.course_id} "
                        f"(first on row {seen[key]})",
                    )
                )
                continue
            seen[key] = number
            records.append(record)
        if report.errors:
            report.errors.sort(key=lambda e: e.row)
            return report
        if report.rows == 0:
            report.errors.append(RowError(0, "there are no rows to import"))
            return report

        changed = self._merge(records, report)
        if dry_run or not changed:
            return report
        before = {e.email: self.decision(e.email).eligible for e in changed}
        self.ctx.store.save_eligibility(changed)
        self.ctx.audit(
            actor,
            "eligibility.import",
            source,
            report.summary(),
            rows=str(report.rows),
            added=str(report.added),
            updated=str(report.updated),
        )
        for entry in changed:
            user = self.ctx.store.user_by_email(entry.email)
            if self.decision(entry.email).eligible and not before[entry.email]:
                report.newly_eligible.append(entry.email)
            if user is not None:
                self.on_change(user.id)
        return report

    def _merge(
        self, records: list[CourseRecord], report: ImportReport
    ) -> list[Eligibility]:
        by_email: dict[str, list[CourseRecord]] = {}
        for record in records:
            by_email.setdefault(record.email, []).append(record)
        changed = []
        for email, incoming in by_email.items():
            current = self.ctx.store.eligibility(email) or Eligibility(email=email)
            courses = {c.course_id: c for c in current.courses}
            touched = False
            for record in incoming:
                old = courses.get(record.course_id)
                if old is None:
                    report.added += 1
                elif old.same_facts(record):
                    report.unchanged += 1
                    continue
                else:
                    report.updated += 1
                courses[record.course_id] = record
                touched = True
            if touched:
                changed.append(replace(current, courses=tuple(courses.values())))
        return changed

    def override(
        self, email: str, eligible: bool | None, reason: str, actor: str
    ) -> Decision:
        """Set (or with eligible=None, clear) a manager's decision, with a reason."""
        reason = require_reason(reason)
        key = email_key(email)
        if not EMAIL.match(key):
            raise Invalid(
                "That is not an email address.", {"email": "Check the address."}
            )
        current = self.ctx.store.eligibility(key) or Eligibility(email=key)
        override = (
            None
            if eligible is None
            else EligibilityOverride(eligible, reason, actor, self.ctx.now())
        )
        self.ctx.store.save_eligibility([replace(current, override=override)])
        verdict = {True: "eligible", False: "not eligible", None: "cleared"}[eligible]
        self.ctx.audit(actor, "eligibility.override", key, verdict, reason)
        user = self.ctx.store.user_by_email(key)
        if user is not None:
            self.on_change(user.id)
        return self.decision(key)

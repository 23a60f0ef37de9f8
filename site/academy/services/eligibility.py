"""Eligibility from the course platform: CSV imports, pushed records, overrides."""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from academy.domain.eligibility import Decision, decide
from academy.domain.errors import Invalid
from academy.domain.records import CourseRecord, Eligibility, EligibilityOverride
from academy.services.accounts import EMAIL
from academy.services.certificates import require_reason
from academy.services.context import Context
from academy.services.course_records import RowError, clip, parse_csv, record_from
from academy.store import email_key

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    newly_eligible: list[str] = field(default_factory=list)
    # Records pushed through the API rather than a file: the summary says so.
    pushed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            what, source = ("record", "records") if self.pushed else ("row", "file")
            again = "send the records again" if self.pushed else "import the file again"
            if any(e.row for e in self.errors):
                them = "it" if len(self.errors) == 1 else "them"
                return (
                    f"Nothing was changed: {_count(len(self.errors), 'problem')} in "
                    f"{_count(self.rows, what)}. Fix {them} and {again}."
                )
            if self.errors[0].message == _nothing(what):
                empty = (
                    "no records were sent" if self.pushed else "the file has no rows"
                )
                return f"Nothing was changed: {empty}."
            return f"Nothing was changed: the {source} could not be read."
        verb = "Would change" if self.dry_run else "Changed"
        return (
            f"{verb} {self.added + self.updated} of {self.rows} record(s): "
            f"{self.added} new, {self.updated} updated, {self.unchanged} unchanged."
        )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _nothing(what: str) -> str:
    return f"there are no {what}s to import"


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
        return self._import(rows, actor, ImportReport(dry_run=dry_run), source, errors)

    def import_rows(
        self,
        rows: Iterable[Mapping[str, Any]],
        actor: str,
        dry_run: bool = False,
        source: str = "api",
    ) -> ImportReport:
        """Validate every record first; write nothing unless all are good."""
        report = ImportReport(dry_run=dry_run, pushed=True)
        return self._import(enumerate(rows, start=1), actor, report, source, [])

    def _import(
        self,
        rows: Iterable[tuple[int, Any]],
        actor: str,
        report: ImportReport,
        source: str,
        errors: list[RowError],
    ) -> ImportReport:
        report.errors = list(errors)
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
                        f"repeats {clip(record.email)} in course "
                        f"{clip(record.course_id)} "
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
            what = "record" if report.pushed else "row"
            report.errors.append(RowError(0, _nothing(what)))
            return report

        merged = self._merge(records, report)
        if report.dry_run or not merged:
            return report
        changed = [new for _, new in merged]
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
        # Decided from the records in hand: reading each one back from its
        # bucket made a large import spend minutes after the write.
        thresholds = self.ctx.content.program.thresholds
        for old, new in merged:
            if (
                decide(new, thresholds).eligible
                and not decide(old, thresholds).eligible
            ):
                report.newly_eligible.append(new.email)
            user = self.ctx.store.user_by_email(new.email)
            if user is not None:
                self.on_change(user.id)
        return report

    def _merge(
        self, records: list[CourseRecord], report: ImportReport
    ) -> list[tuple[Eligibility, Eligibility]]:
        """Each changed learner's record before and after, counting into `report`."""
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
                new = replace(current, courses=tuple(courses.values()))
                changed.append((current, new))
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

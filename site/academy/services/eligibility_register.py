"""Eligibility records as the manager lists them, and the CSV import behind them."""

from collections.abc import Mapping

from academy.domain.eligibility import decide
from academy.domain.errors import Invalid
from academy.domain.records import Eligibility
from academy.services.console_views import EligibilityRow
from academy.services.context import Context
from academy.services.eligibility import EligibilityService, ImportReport
from academy.services.listing import Page, matches, page_number, paginate, search_text
from academy.services.summaries import SummaryIndex


class EligibilityRegister:
    """The course records the academy holds: searched, and imported from a file."""

    def __init__(
        self, ctx: Context, summaries: SummaryIndex, eligibility: EligibilityService
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.eligibility = eligibility

    def eligibility_list(self, params: Mapping[str, str]) -> Page[EligibilityRow]:
        """Eligibility records, searched by email, name or course.

        The records come from memory; only the page shown is decided, so a
        view costs the same with 100 records as with 10,000.
        """
        needle = search_text(params.get("q"))
        records = [
            record
            for record in self.ctx.store.all_eligibility()
            if not needle
            or matches(
                needle,
                record.email,
                *(c.name for c in record.courses),
                *(c.course_id for c in record.courses),
                *(c.course_name for c in record.courses),
            )
        ]
        shown = paginate(records, page_number(params.get("page")))
        thresholds = self.ctx.content.program.thresholds
        rows = tuple(
            EligibilityRow(record, decide(record, thresholds), self._learner(record))
            for record in shown.items
        )
        return Page(rows, shown.number, shown.size, shown.total)

    def _learner(self, record: Eligibility) -> bool:
        """Whether a learner's account uses the record's email address."""
        user = self.ctx.store.user_by_email(record.email)
        return user is not None and not user.is_manager

    def import_eligibility(
        self, data: bytes, filename: str, actor: str, dry_run: bool
    ) -> ImportReport:
        """Import a CSV; every attempt is audited, including refused and dry runs."""
        if not data:
            message = "Choose a CSV file to upload."
            raise Invalid("Nothing was imported.", {"file": message})
        source = " ".join(filename.replace("\\", "/").split("/")[-1].split())[:100]
        source = source or "upload.csv"
        report = self.eligibility.import_csv(data, actor, dry_run, source)
        # The service audits only imports that changed something.
        if not report.ok or dry_run or not (report.added or report.updated):
            outcome = (
                "refused" if not report.ok else "dry run" if dry_run else "no change"
            )
            self.ctx.audit(
                actor,
                "eligibility.import",
                source,
                f"{outcome}: {report.summary()}",
                rows=str(report.rows),
                errors=str(len(report.errors)),
            )
        return report

"""Eligibility records as the manager lists them, and the CSV import behind them."""

from collections.abc import Mapping

from academy.domain.eligibility import decide
from academy.domain.errors import Invalid
from academy.services.console_views import EligibilityRow
from academy.services.context import Context
from academy.services.eligibility import EligibilityService, ImportReport
from academy.services.listing import Page, matches, page_number, paginate, search_text
from academy.services.summaries import SummaryIndex
from academy.store import email_key


class EligibilityRegister:
    """The course records the academy holds: searched, and imported from a file."""

    def __init__(
        self, ctx: Context, summaries: SummaryIndex, eligibility: EligibilityService
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.eligibility = eligibility

    def eligibility_list(self, params: Mapping[str, str]) -> Page[EligibilityRow]:
        """Eligibility records, searched by email, name or course."""
        needle = search_text(params.get("q"))
        thresholds = self.ctx.content.program.thresholds
        registered = {email_key(s.email) for s in self.summaries.all()}
        rows = [
            EligibilityRow(
                record, decide(record, thresholds), record.email in registered
            )
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
        return paginate(rows, page_number(params.get("page")))

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

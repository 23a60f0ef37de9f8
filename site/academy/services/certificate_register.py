"""The certificates as the manager lists them: all of them, those due, issuing."""

from collections.abc import Mapping, Sequence

from academy.domain.errors import Conflict
from academy.services.certificates import Certificates
from academy.services.console_views import CertificateView
from academy.services.context import Context
from academy.services.listing import (
    NEVER,
    Page,
    matches,
    page_number,
    paginate,
    search_text,
)
from academy.services.summaries import LearnerSummary, SummaryIndex


class CertificateRegister:
    """Every certificate issued, and the learners whose certificate is due."""

    def __init__(
        self, ctx: Context, summaries: SummaryIndex, certificates: Certificates
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.certificates = certificates

    def certificate_list(self, params: Mapping[str, str]) -> Page[CertificateView]:
        """Every certificate, newest first, searched by id, name or email.

        This reads the file of each certificate holder; the certificate index
        holds ids only. Fine for thousands, the list to index next if it grows.
        """
        needle = search_text(params.get("q"))
        now = self.ctx.now()
        views = [
            CertificateView(c, c.status(now))
            for c in self.certificates.all()
            if not needle or matches(needle, c.id, c.recipient_name, c.recipient_email)
        ]
        return paginate(views, page_number(params.get("page")))

    def certificates_due(self) -> list[LearnerSummary]:
        """Learners complete and eligible but without a certificate, oldest first."""
        due = (self.summaries.get(user_id) for user_id in self.certificates.ready())
        return sorted((s for s in due if s), key=lambda s: s.completed_at or NEVER)

    def issue(self, user_ids: Sequence[str] | None, actor: str) -> int:
        """Issue now to these learners, or to everyone due; how many were issued."""
        targets = self.certificates.ready() if user_ids is None else list(user_ids)
        issued = sum(
            1 for u in targets if self.certificates.issue_if_due(u, actor) is not None
        )
        if user_ids is not None and not issued:
            raise Conflict("No certificate is due for this learner.")
        return issued

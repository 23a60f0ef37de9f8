"""The audit log as the manager reads it: filtered, newest first, with names."""

from academy.domain.records import AuditEntry
from academy.services.console_views import AuditPage
from academy.services.context import Context
from academy.services.learners import Learners
from academy.services.listing import AuditFilter, paginate


class AuditLog:
    """Everything done to the academy's records, and by whom."""

    def __init__(self, ctx: Context, learners: Learners) -> None:
        self.ctx = ctx
        self.learners = learners

    def audit_entries(self, chosen: AuditFilter) -> list[AuditEntry]:
        """Entries the filter keeps, newest first."""
        return [e for e in reversed(self.ctx.store.audit()) if chosen.keeps(e)]

    def audit_page(self, chosen: AuditFilter) -> AuditPage:
        """One page of the filtered log, with names for the people in it."""
        entries = paginate(self.audit_entries(chosen), chosen.page)
        people = [e.actor_id for e in entries.items] + [
            e.subject for e in entries.items
        ]
        actions = sorted({e.action for e in self.ctx.store.audit()})
        return AuditPage(entries, actions, self.learners.names(people))

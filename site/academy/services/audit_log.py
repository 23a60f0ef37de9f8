"""The audit log as the manager reads it: filtered, newest first, with names."""

from collections.abc import Sequence

from academy.domain.records import AuditEntry
from academy.services.console_views import AuditPage
from academy.services.context import Context
from academy.services.learners import Learners
from academy.services.listing import AuditFilter, Person, paginate
from academy.services.reports import audit_csv


class AuditLog:
    """Everything done to the academy's records, and by whom."""

    def __init__(self, ctx: Context, learners: Learners) -> None:
        self.ctx = ctx
        self.learners = learners

    def audit_entries(self, chosen: AuditFilter) -> list[AuditEntry]:
        """Entries the filter keeps, newest first.

        Sorted by time, not by place in the file: entries can be written out
        of order (backdated demo data, clocks set by hand). The sort is stable,
        so entries of the same moment keep the last written first.
        """
        log = self.ctx.store.audit()
        people = self.people(log) if chosen.names_people else {}
        kept = [e for e in reversed(log) if chosen.keeps(e, people)]
        return sorted(kept, key=lambda e: e.at, reverse=True)

    def people(self, entries: Sequence[AuditEntry]) -> dict[str, Person]:
        """Whom the actors and subjects stand for: learners, managers, cohorts."""
        ids = {e.actor_id for e in entries} | {e.subject for e in entries}
        cohorts = {c.id: c.name for c in self.ctx.store.cohorts()}
        people = {}
        for key in ids:
            summary = self.learners.summaries.get(key)
            user = self.ctx.store.user(key) if summary is None else None
            if summary is not None:
                people[key] = Person(summary.name, summary.email)
            elif user is not None:
                people[key] = Person(user.name, user.email)
            elif key in cohorts:
                people[key] = Person(cohorts[key])
        return people

    def audit_page(self, chosen: AuditFilter) -> AuditPage:
        """One page of the filtered log, with names for the people in it."""
        entries = paginate(self.audit_entries(chosen), chosen.page)
        people = [e.actor_id for e in entries.items] + [
            e.subject for e in entries.items
        ]
        actions = sorted({e.action for e in self.ctx.store.audit()})
        return AuditPage(entries, actions, self.learners.names(people))

    def audit_export(self, chosen: AuditFilter) -> str:
        """The filtered log as CSV, names and emails beside the ids."""
        entries = self.audit_entries(chosen)
        return audit_csv(entries, self.people(entries))

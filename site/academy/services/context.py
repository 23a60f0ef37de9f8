"""What every use case shares: settings, storage, content, clock."""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from academy.clock import Clock
from academy.content import Content
from academy.domain.records import OPEN_COHORT_ID, AuditEntry, Cohort, User
from academy.domain.schedule import Schedule
from academy.settings import Settings
from academy.store import Store

logger = logging.getLogger(__name__)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


@dataclass
class Context:
    settings: Settings
    store: Store
    content: Content
    clock: Clock

    def now(self) -> datetime:
        return self.clock.now()

    def cohort(self, cohort_id: str) -> Cohort | None:
        return next((c for c in self.store.cohorts() if c.id == cohort_id), None)

    def open_cohort(self) -> Cohort:
        """The cohort self-registered learners join; created on first use."""
        cohort = self.cohort(OPEN_COHORT_ID)
        if cohort is None:
            cohort = Cohort(
                id=OPEN_COHORT_ID,
                name="Open enrolment",
                timezone=self.settings.timezone,
                created_at=self.now(),
            )
            self.store.save_cohort(cohort)
        return cohort

    def schedule(self, user: User) -> Schedule:
        cohort = self.cohort(user.cohort_id)
        timezone = cohort.timezone if cohort else self.settings.timezone
        return Schedule(user.start_date, timezone, user.extension_days)

    def audit(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: str = "",
        reason: str = "",
        **data: str,
    ) -> None:
        entry = AuditEntry(self.now(), actor, action, subject, detail, reason, data)
        self.store.append_audit(entry)
        logger.info("audit: %s %s %s %s", actor, action, subject, detail)


Listener = Callable[[str], None]

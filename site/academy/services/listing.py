"""Paging, searching and filtering the lists of the manager's console."""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from academy.domain.progress import Status
from academy.domain.records import (
    AuditEntry,
)
from academy.services.summaries import LearnerSummary

T = TypeVar("T")

PAGE_SIZE = 50
MAX_SEARCH = 100

# Those who need a manager's attention first.
STATUS_ORDER = (
    Status.LATE,
    Status.BEHIND,
    Status.ON_TRACK,
    Status.COMPLETE,
    Status.CERTIFIED,
)
NEVER = datetime.min.replace(tzinfo=UTC)
# Revoking and reissuing name the learner as subject and the certificate ids
# in the detail; a search for a certificate looks there.
CERTIFICATE_ID = re.compile(r"\b[0-9a-f]{32}\b")


# -- pages and filters ----------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_index(self) -> int:
        """The 1-based position of the first item shown, for "51 to 100 of 812"."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything unreadable is page 1."""
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """One page of `items`; a number past the end shows the last page."""
    pages = max(1, math.ceil(len(items) / size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return Page(tuple(items[start : start + size]), number, size, len(items))


def search_text(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_SEARCH]


def matches(needle: str, *haystack: str) -> bool:
    folded = needle.casefold()
    return any(folded in text.casefold() for text in haystack)


# Each order: its label, its key, and whether to run the key backwards (for
# text, which cannot be negated).
Sort = tuple[str, Callable[[tuple[LearnerSummary, Status]], Any], bool]


def _by_name(r: tuple[LearnerSummary, Status]) -> Any:
    return (r[0].name.casefold(), r[0].email)


def _by_progress(r: tuple[LearnerSummary, Status]) -> Any:
    return (r[0].percent, r[0].name.casefold())


def _by_activity(r: tuple[LearnerSummary, Status]) -> Any:
    return (r[0].last_active_at or NEVER, r[0].name.casefold())


def _by_progress_desc(r: tuple[LearnerSummary, Status]) -> Any:
    return (-r[0].percent, r[0].name.casefold())


def _by_activity_desc(r: tuple[LearnerSummary, Status]) -> Any:
    # Never active sorts last: the earliest moment, negated, is the largest.
    return (-(r[0].last_active_at or NEVER).timestamp(), r[0].name.casefold())


def _by_status(r: tuple[LearnerSummary, Status]) -> Any:
    return (STATUS_ORDER.index(r[1]), r[0].name.casefold())


SORTS: dict[str, Sort] = {
    "name": ("name, A to Z", _by_name, False),
    "name-desc": ("name, Z to A", _by_name, True),
    "progress": ("progress, least first", _by_progress, False),
    "progress-desc": ("progress, most first", _by_progress_desc, False),
    "activity": ("last activity, longest ago first", _by_activity, False),
    "activity-desc": ("last activity, most recent first", _by_activity_desc, False),
    "status": ("status, late first", _by_status, False),
}

# The eligibility filter's values, as the query string carries them.
ELIGIBILITY = {"yes": True, "no": False}


@dataclass(frozen=True)
class LearnerFilter:
    """What an overview shows: a status, a search, an order and a page."""

    status: Status | None = None
    search: str = ""
    sort: str = "name"
    page: int = 1
    eligible: bool | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> "LearnerFilter":
        """Read a query string; unknown values fall back to the defaults."""
        raw_status = params.get("status", "")
        status = next((s for s in Status if s.value == raw_status), None)
        sort = params.get("sort", "name")
        return cls(
            status=status,
            search=search_text(params.get("q")),
            sort=sort if sort in SORTS else "name",
            page=page_number(params.get("page")),
            eligible=ELIGIBILITY.get(params.get("eligible", "")),
        )

    @property
    def params(self) -> dict[str, str]:
        """The filter as query parameters (without the page), for links."""
        eligible = {True: "yes", False: "no", None: ""}[self.eligible]
        return {
            "status": self.status.value if self.status else "",
            "eligible": eligible,
            "q": self.search,
            "sort": self.sort,
        }

    def apply(
        self, summaries: Sequence[LearnerSummary], now: datetime
    ) -> list[tuple[LearnerSummary, Status]]:
        """The summaries this filter keeps, each with its status, in order."""
        rows = [(s, s.status(now)) for s in summaries]
        if self.status is not None:
            rows = [r for r in rows if r[1] is self.status]
        if self.eligible is not None:
            rows = [r for r in rows if r[0].eligible is self.eligible]
        if self.search:
            rows = [r for r in rows if matches(self.search, r[0].name, r[0].email)]
        _, key, backwards = SORTS[self.sort]
        rows.sort(key=key, reverse=backwards)
        return rows


@dataclass(frozen=True)
class Person:
    """Whom an id in the audit log stands for, so it can be found by name."""

    name: str
    email: str = ""


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    subject: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> "AuditFilter":
        """Read a query string; every field is optional."""
        return cls(
            action=search_text(params.get("action")),
            actor=search_text(params.get("actor")),
            subject=search_text(params.get("subject")),
            page=page_number(params.get("page")),
        )

    @property
    def params(self) -> dict[str, str]:
        return {"action": self.action, "actor": self.actor, "subject": self.subject}

    @property
    def names_people(self) -> bool:
        """Whether keeps() needs to know whom the ids stand for."""
        return bool(self.actor or self.subject)

    def keeps(self, entry: AuditEntry, people: Mapping[str, Person]) -> bool:
        """Action matches exactly or as a prefix ("certificate."); the rest contain.

        Actor and subject match the id or the name or email of whom it stands
        for, ignoring case; the subject also matches certificate ids in the detail.
        """
        actor = _known_as(entry.actor_id, people)
        subject = _known_as(entry.subject, people)
        subject += tuple(CERTIFICATE_ID.findall(entry.detail))
        return (
            (not self.action or entry.action.startswith(self.action))
            and (not self.actor or matches(self.actor, *actor))
            and (not self.subject or matches(self.subject, *subject))
        )


def _known_as(key: str, people: Mapping[str, Person]) -> tuple[str, ...]:
    person = people.get(key)
    return (key,) if person is None else (key, person.name, person.email)

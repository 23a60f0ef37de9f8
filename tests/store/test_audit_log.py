"""The audit log survives closing and reopening the store, whatever its text."""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from academy.domain.records import AuditEntry
from academy.store import Store

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Any text, with the line breaks Python knows of drawn often enough to be met.
REASONS = st.text(
    st.one_of(st.characters(), st.sampled_from("\n\r\x0b\x0c\x1c\x85\u2028\u2029"))
)


def _reopened(entries: list[AuditEntry]) -> list[AuditEntry]:
    with tempfile.TemporaryDirectory() as folder:
        first = Store(Path(folder)).open()
        try:
            for entry in entries:
                first.append_audit(entry)
        finally:
            first.close()
        again = Store(Path(folder)).open()
        try:
            return again.audit()
        finally:
            again.close()


@settings(max_examples=40, deadline=None)
@given(st.lists(REASONS, min_size=1, max_size=4))
def test_audit_entries_round_trip_through_reopen(reasons: list[str]) -> None:
    entries = [
        AuditEntry(AT + timedelta(seconds=n), "m1", "x.y", "u_1", "detail", reason)
        for n, reason in enumerate(reasons)
    ]
    assert _reopened(entries) == entries


def test_audit_reason_with_line_separators_is_kept() -> None:
    reasons = ["pasted\u2028from Word", "para\u2029sep", "nel\x85", "cr\rlf", "\ud800"]
    entries = [AuditEntry(AT, "m1", "x.y", "u_1", "", r) for r in reasons]
    assert [e.reason for e in _reopened(entries)] == reasons

"""Update-or-insert for a TinyDB table, in one write.

Learner files, cohorts, tokens and eligibility buckets all replace a document
by its key, and a crash must never leave one half done.
"""

from typing import Any

from tinydb.queries import QueryLike
from tinydb.table import Table


def upsert(table: Table, doc: dict[str, Any], cond: QueryLike) -> None:
    """Update or insert with exactly one write.

    TinyDB's own upsert first writes an unchanged table and then inserts, so a
    crash between the two could leave a file holding an empty table.
    """
    if table.contains(cond):
        table.update(doc, cond)
    else:
        table.insert(doc)

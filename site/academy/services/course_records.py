"""Course records as the course platform sends them: CSV files and JSON.

Every value is checked and every problem is named by the row a spreadsheet
shows, in words a community manager can act on.
"""

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from academy.domain.records import CourseRecord
from academy.services.accounts import EMAIL
from academy.services.context import Context
from academy.store import email_key

COLUMNS = (
    "email",
    "name",
    "course_id",
    "course_name",
    "grade_percent",
    "forum_posts",
    "forum_upvotes",
    "forum_flags",
)
MAX_ROWS = 200_000
CSV_FIRST_ROW = 2  # as a spreadsheet numbers it: the header is row 1
MAX_FIELD = 300
MAX_COUNT = 10_000_000
ECHO = 40  # characters of a bad value a message repeats
UNCLOSED = 'a quoted value is not closed (a " without its partner)'


@dataclass(frozen=True)
class RowError:
    # In a CSV file, the row a spreadsheet shows (the header is row 1); in a
    # JSON push, the record's position counting from 1. Zero: the whole input.
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


def clip(text: str) -> str:
    """A value as a message may echo it: short enough to read."""
    return text if len(text) <= ECHO else text[:ECHO] + "…"


def _quoted(text: str) -> str:
    return repr(clip(text))


Numbered = list[tuple[int, dict[str, str]]]
# Plain ASCII digits only: str.isdigit() and float() also take "²", "١٢",
# "1_000", "1e2" and "nan".
_WHOLE = re.compile(r"(?P<sign>[+-]?)(?P<digits>[0-9]+)")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class _Lines:
    """The file's lines as the csv reader takes them; `taken`: the current row's."""

    def __init__(self, text: str) -> None:
        self._source = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._source)
        self.taken.append(line)
        return line


def _ends_quoted(raw: str) -> bool:
    """Whether the csv reader is still inside a quoted value at the end of `raw`."""
    quoted = closed = False
    starting = True  # at the start of a value, where a quote opens one
    for char in raw:
        if quoted:
            if char == '"':
                quoted, closed = False, True
        elif closed and char == '"':  # "" inside a quoted value is one "
            quoted, closed = True, False
        elif starting and char == '"':
            quoted, starting = True, False
        else:
            closed, starting = False, char in ",\r\n"
    return quoted


def _broken(lines: _Lines, values: list[str], columns: int) -> str | None:
    """What is wrong with a row over several lines or with the wrong number of values.

    No column allows a line break, so a value with one is most likely a quote
    left open, which swallows the rows after it. None: nothing of that kind.
    """
    several = len(lines.taken) > 1 or any("\n" in v or "\r" in v for v in values)
    if not several and len(values) == columns:
        return None
    if _ends_quoted("".join(lines.taken)):
        return UNCLOSED
    if several:
        return "a value has a line break in it; keep each value on one line"
    return None


def _unreadable(error: csv.Error, lines: _Lines) -> str:
    if _ends_quoted("".join(lines.taken)):
        # An open quote runs on until the value outgrows the reader's limit.
        return UNCLOSED
    if "field larger than field limit" in str(error):
        return f"a value is longer than {MAX_FIELD:,} characters"
    return "cannot be read as CSV; save it from the spreadsheet as CSV UTF-8"


def parse_csv(data: bytes) -> tuple[Numbered, list[RowError]]:
    """Rows of an eligibility CSV with their row numbers, and the unreadable ones."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [
            RowError(
                0, f"the file is not UTF-8 text (line {line}); save it as CSV UTF-8"
            )
        ]
    if "\x00" in text:
        return [], [
            RowError(0, "the file contains NUL characters; is it really a CSV file?")
        ]
    if not text.strip():
        return [], [RowError(0, "the file is empty")]
    lines = _Lines(text)
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as error:
        return [], [RowError(0, f"header: {_unreadable(error, lines)}")]
    problem = _broken(lines, header, len(header))
    if problem:
        return [], [RowError(0, f"header: {problem}")]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(_quoted(u) for u in unknown))
        if len(set(header)) != len(header):
            parts.append("a column appears twice")
        expected = ",".join(COLUMNS)
        return [], [RowError(0, f"header: {'; '.join(parts)}. Expected: {expected}")]
    rows: Numbered = []
    errors: list[RowError] = []
    # A spreadsheet shows a blank line as a row, and a value over several
    # lines as one row: so number the reader's rows, blank ones included.
    number, read = CSV_FIRST_ROW - 1, 0
    while True:
        lines.taken.clear()
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # The reader cannot find the next row from the middle of this one.
            problem = _unreadable(error, lines)
            if problem != UNCLOSED:
                problem += ", so the rows after it were not read"
            errors.append(RowError(number, problem))
            break
        if not values:
            continue
        read += 1
        if read > MAX_ROWS:
            return [], [
                RowError(number, f"more than {MAX_ROWS:,} rows; split the file")
            ]
        problem = _broken(lines, values, len(header))
        if problem:
            errors.append(RowError(number, problem))
            if problem == UNCLOSED:
                break  # the rows after the quote were read into this one
        elif len(values) > len(header):
            errors.append(
                RowError(number, "has more values than the header has columns")
            )
        elif len(values) < len(header):
            errors.append(
                RowError(number, "has fewer values than the header has columns")
            )
        else:
            rows.append(
                (number, {k: v.strip() for k, v in zip(header, values, strict=True)})
            )
    return rows, errors


def _integer(value: Any, name: str) -> int:
    if value is None:
        raise ValueError(f"{name} is missing")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} must be a number")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {clip(str(value))}")
        if value > MAX_COUNT:
            raise ValueError(f"{name} is implausibly large ({clip(str(value))})")
        return value
    if isinstance(value, float):
        raise ValueError(f"{name} must be a whole number, got {clip(repr(value))}")
    text = value.strip()
    if not text:
        raise ValueError(f"{name} is empty")
    match = _WHOLE.fullmatch(text)
    if match is None:
        raise ValueError(f"{name} must be a whole number, got {_quoted(text)}")
    if match["sign"] == "-" and match["digits"].strip("0"):
        raise ValueError(f"{name} must not be negative, got {clip(text)}")
    # int() of thousands of digits is slow, and refused past a limit.
    digits = match["digits"].lstrip("0") or "0"
    if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        raise ValueError(f"{name} is implausibly large ({clip(digits)})")
    if len(text) > MAX_FIELD:  # zeros in front: no value may be this long
        raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
    return int(digits)


def _percent(value: Any) -> float:
    name = "grade_percent"
    if value is None:
        raise ValueError(f"{name} is missing")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} must be a number from 0 to 100")
    if isinstance(value, int):
        if not 0 <= value <= 100:
            raise ValueError(f"{name} must be from 0 to 100, got {clip(str(value))}")
        return float(value)
    if isinstance(value, float):
        number, shown = value, repr(value)
    else:
        shown = value.strip()
        text = shown.removesuffix("%").rstrip()
        if not text:
            raise ValueError(f"{name} is empty")
        if not _DECIMAL.fullmatch(text):
            raise ValueError(
                f"{name} must be a number from 0 to 100, got {_quoted(shown)}"
            )
        number = float(text)
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError(f"{name} must be from 0 to 100, got {clip(shown)}")
    if len(shown) > MAX_FIELD:  # zeros around it: no value may be this long
        raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
    return number


def _text(value: Any, name: str) -> str:
    if value is None:
        raise ValueError(f"{name} is missing")
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError(f"{name} is empty")
    if len(cleaned) > MAX_FIELD:
        raise ValueError(f"{name} is longer than {MAX_FIELD} characters")
    if any(ord(c) < 32 for c in cleaned):
        raise ValueError(f"{name} contains control characters")
    return cleaned


def record_from(raw: Mapping[str, Any], ctx: Context) -> CourseRecord:
    """One validated course record; ValueError says what is wrong."""
    email = _text(raw.get("email"), "email")
    if not EMAIL.match(email):
        raise ValueError(f"email {_quoted(email)} is not an email address")
    return CourseRecord(
        email=email_key(email),
        name=_text(raw.get("name"), "name"),
        course_id=_text(raw.get("course_id"), "course_id"),
        course_name=_text(raw.get("course_name"), "course_name"),
        grade_percent=_percent(raw.get("grade_percent")),
        forum_posts=_integer(raw.get("forum_posts"), "forum_posts"),
        forum_upvotes=_integer(raw.get("forum_upvotes"), "forum_upvotes"),
        forum_flags=_integer(raw.get("forum_flags"), "forum_flags"),
        updated_at=ctx.now(),
    )

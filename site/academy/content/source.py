"""Reading content files, checking their tables and pointing at lines in them."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 512 * 1024
# Deeper than any real content, far shallower than Python's recursion limit.
MAX_NESTING = 100
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# tomllib puts the place in its message: "Invalid value (at line 2, column 7)".
_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = " (at end of document)"

Expected = type | tuple[type, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, at a line (1-based) of a file.

    Line 0 means the problem is about no line of a file (a missing folder, say);
    it prints as the message alone, so the message names what it is about.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.message
        return f"{self.path}:{self.line}: {self.message}"


class SourceFile:
    """A content file's text, with helpers to report problems by line."""

    def __init__(self, path: Path, label: str, text: str, line_offset: int = 0) -> None:
        self.path = path
        self.label = label
        self.text = text
        self.lines = text.split("\n")
        self.line_offset = line_offset
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.label, line + self.line_offset, message))

    def lines_matching(
        self, pattern: str, start_line: int = 1, end_line: int | None = None
    ) -> list[int]:
        """The numbers of the lines in [start_line, end_line) matching `pattern`."""
        regex = re.compile(pattern)
        stop = len(self.lines) + 1 if end_line is None else end_line
        return [
            number
            for number in range(max(start_line, 1), min(stop, len(self.lines) + 1))
            if regex.search(self.lines[number - 1])
        ]

    def line_of(
        self, pattern: str, start_line: int = 1, end_line: int | None = None
    ) -> int:
        """The first line in [start_line, end_line) matching `pattern`, else start."""
        found = self.lines_matching(pattern, start_line, end_line)
        return found[0] if found else start_line

    def key_line(
        self, key: str, start_line: int = 1, end_line: int | None = None
    ) -> int:
        return self.line_of(rf"^\s*{re.escape(key)}\s*=", start_line, end_line)

    def parse_toml(self) -> dict[str, Any] | None:
        try:
            return tomllib.loads(self.text)
        except RecursionError:
            # tomllib parses nested arrays and tables by recursion, so a file
            # nested a few thousand deep exhausts the stack instead of failing.
            line = self._deep_line()
            self.problem(line, "invalid TOML: arrays or tables nested too deeply")
            return None
        except tomllib.TOMLDecodeError as error:
            message, line = str(error), 1
            place = _TOML_PLACE.search(message)
            if place is not None:
                # Report tomllib's line as the file's line, and only once.
                line = int(place.group(1))
                message = f"{message[: place.start()]} (column {place.group(2)})"
            elif message.endswith(_TOML_END):
                line = len(self.lines)
                message = message.removesuffix(_TOML_END) + " at the end"
            self.problem(line, f"invalid TOML: {message}")
            return None

    def _deep_line(self) -> int:
        """The first line where brackets open more than MAX_NESTING deep."""
        depth = 0
        for number, line in enumerate(self.lines, start=1):
            for char in line:
                depth += char in "[{"
                depth -= char in "]}"
                if depth > MAX_NESTING:
                    return number
        return 1


class Table:
    """The keys of one TOML table that have the expected type, and its lines."""

    def __init__(
        self,
        source: SourceFile,
        values: dict[str, Any],
        start_line: int,
        end_line: int | None,
    ) -> None:
        self.source = source
        self.values = values
        self.start_line = start_line
        self.end_line = end_line

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def line(self, key: str) -> int:
        """The line that sets `key` in this table, else the table's first line."""
        return self.source.key_line(key, self.start_line, self.end_line)

    def problem(self, key: str | None, message: str) -> None:
        """Record a problem at the key's line, or at the table's first line."""
        line = self.start_line if key is None else self.line(key)
        self.source.problem(line, message)


def read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """The file's UTF-8 text, or None after recording why it cannot be read."""
    # The size is checked before reading, and at most one byte past the limit
    # is read: a huge file, or a link to a device, is refused without filling
    # memory.
    data = b""
    try:
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        problems.append(Problem(label, 1, f"cannot be read: {error.strerror}"))
        return None
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        # A device or a file still growing can read longer than its stat says.
        told = f"{size:,}" if size > MAX_FILE_BYTES else f"over {MAX_FILE_BYTES:,}"
        problems.append(
            Problem(
                label,
                1,
                f"is {told} bytes; content files may be at most "
                f"{MAX_FILE_BYTES:,} bytes",
            )
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                label,
                line,
                f"is not valid UTF-8 (byte {error.start}): save it as UTF-8",
            )
        )
        return None
    if "\x00" in text:
        problems.append(
            Problem(
                label,
                text[: text.index("\x00")].count("\n") + 1,
                "contains a NUL character",
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def check_table(
    source: SourceFile,
    raw: dict[str, Any],
    required: dict[str, Expected],
    optional: dict[str, Expected],
    where: str,
    start_line: int,
    end_line: int | None = None,
) -> Table:
    """Report unknown, missing, mistyped and blank keys; keep the usable ones.

    Every key is looked at, whatever is wrong with the others, so one mistake
    hides no other; the caller goes on to check the values that were kept.
    """
    table = Table(source, {}, start_line, end_line)
    known = {**required, **optional}
    for key, value in raw.items():
        if key not in known:
            names = ", ".join(sorted(known))
            table.problem(key, f"unknown key {key!r} in {where} (known: {names})")
        elif not _is(value, known[key]):
            table.problem(
                key,
                f"{key!r} in {where} must be {_type_name(known[key])}, "
                f"not {type(value).__name__}",
            )
        elif isinstance(value, str) and not value.strip():
            table.problem(key, f"{key!r} in {where} is empty")
        else:
            table.values[key] = value
    for key in required:
        if key not in raw:
            table.problem(None, f"missing key {key!r} in {where}")
    return table


def is_text_list(value: object) -> bool:
    """True for a non-empty list of strings that are not blank."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and item.strip() for item in value)
    )


def _is(value: object, expected: Expected) -> bool:
    # bool is an int in Python, but `day = true` is a mistake, not day 1.
    if isinstance(value, bool) and expected in (int, float, (int, float)):
        return False
    return isinstance(value, expected)


def _type_name(expected: Expected) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        list: "an array",
        dict: "a table",
        float: "a number",
    }
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)
    return names.get(expected, expected.__name__)

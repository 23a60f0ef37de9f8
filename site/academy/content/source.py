"""Reading content files and pointing at lines in them."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 512 * 1024
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, at a line (1-based)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class SourceFile:
    """A content file's text, with helpers to report problems by line."""

    def __init__(self, path: Path, label: str, text: str, line_offset: int = 0) -> None:
        self.path = path
        self.label = label
        self.text = text
        self.line_offset = line_offset
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.label, line + self.line_offset, message))

    def line_of(self, pattern: str, start_line: int = 1) -> int:
        """The first line at or after `start_line` matching `pattern`, else start."""
        regex = re.compile(pattern)
        for number, line in enumerate(self.text.splitlines(), start=1):
            if number >= start_line and regex.search(line):
                return number
        return start_line

    def key_line(self, key: str, start_line: int = 1) -> int:
        return self.line_of(rf"^\s*{re.escape(key)}\s*=", start_line)

    def parse_toml(self) -> dict[str, Any] | None:
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"line (\d+)", str(error))
            line = int(match.group(1)) if match else 1
            self.problem(line, f"invalid TOML: {error}")
            return None


def read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """The file's UTF-8 text, or None after recording why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(label, 1, f"cannot be read: {error.strerror}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.append(
            Problem(
                label,
                1,
                f"is {len(data):,} bytes; content files may be at most "
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


def check_keys(
    source: SourceFile,
    table: dict[str, Any],
    required: dict[str, type | tuple[type, ...]],
    optional: dict[str, type | tuple[type, ...]],
    where: str,
    line: int,
) -> bool:
    """Report unknown, missing and mistyped keys; True when all is well."""
    ok = True
    for key in table:
        if key not in required and key not in optional:
            known = ", ".join(sorted({*required, *optional}))
            source.problem(
                source.key_line(key, line),
                f"unknown key {key!r} in {where} (known: {known})",
            )
            ok = False
    for key in required:
        if key not in table:
            source.problem(line, f"missing key {key!r} in {where}")
            ok = False
    for key, expected in {**required, **optional}.items():
        if key in table and not _is(table[key], expected):
            source.problem(
                source.key_line(key, line),
                f"{key!r} in {where} must be {_type_name(expected)}, "
                f"not {type(table[key]).__name__}",
            )
            ok = False
    return ok


def _is(value: object, expected: type | tuple[type, ...]) -> bool:
    # bool is an int in Python, but `day = true` is a mistake, not day 1.
    if isinstance(value, bool) and expected in (int, float, (int, float)):
        return False
    return isinstance(value, expected)


def _type_name(expected: type | tuple[type, ...]) -> str:
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

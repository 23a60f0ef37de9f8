"""Loading modules: Markdown files with TOML front matter between `+++` lines."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from academy.content.markdown import render
from academy.content.source import (
    SLUG,
    Problem,
    SourceFile,
    Table,
    check_table,
    is_text_list,
    read_text,
)
from academy.domain.curriculum import Module
from academy.domain.schedule import TRAINING_DAYS

FENCE = "+++"

REQUIRED: dict[str, Any] = {
    "title": str,
    "day": int,
    "minutes": int,
    "objectives": list,
}
OPTIONAL: dict[str, Any] = {"summary": str, "quiz": str}


@dataclass(frozen=True)
class LoadedModule:
    """One module file: the module if it has no problems, and what other files
    are checked against, which is known even when it has some."""

    label: str
    slug: str
    module: Module | None
    quiz_slug: str | None
    quiz_line: int
    quiz_known: bool  # False when the front matter could not say which quiz
    links: tuple[tuple[str, int], ...]  # (href, line in the file)


def load_module(path: Path, label: str, problems: list[Problem]) -> LoadedModule:
    """Parse and check one module file; record every problem found."""
    unread = LoadedModule(label, path.stem, None, None, 1, False, ())
    text = read_text(path, label, problems)
    if text is None:
        return unread
    whole = SourceFile(path, label, text)
    if not SLUG.match(path.stem):
        whole.problem(1, "file name must be a slug: lowercase letters, digits, hyphens")
    lines = whole.lines
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    opened = lines[0].strip() == FENCE
    if not opened:
        whole.problem(1, f"must start with front matter between two {FENCE!r} lines")
    elif end is None:
        whole.problem(1, f"front matter is not closed by a second {FENCE!r} line")
    problems.extend(whole.problems)
    if not opened or end is None:
        return unread

    front = SourceFile(path, label, "\n".join(lines[1:end]), line_offset=1)
    body = "\n".join(lines[end + 1 :])
    rendered = render(body)
    # Links are checked against other modules later; keep their lines in the
    # file, where the body's first line is line end + 2.
    links = tuple((href, line + end + 1) for href, line in rendered.links)
    if not body.strip():
        front.problem(end + 1, "the module has no text after its front matter")

    raw = front.parse_toml()
    if raw is None:
        problems.extend(front.problems)
        return LoadedModule(label, path.stem, None, None, 1, False, links)
    meta = check_table(front, raw, REQUIRED, OPTIONAL, "the front matter", 1)
    _check_values(meta)
    problems.extend(front.problems)

    module = None
    if not whole.problems and not front.problems:
        module = Module(
            slug=path.stem,
            title=meta.get("title").strip(),
            day=meta.get("day"),
            minutes=meta.get("minutes"),
            summary=meta.get("summary", "").strip(),
            objectives=tuple(o.strip() for o in meta.get("objectives")),
            body_html=rendered.html,
            word_count=len(body.split()),
            quiz_slug=meta.get("quiz"),
            headings=rendered.headings,
        )
    quiz_known = "quiz" in meta or "quiz" not in raw
    quiz_line = meta.line("quiz") + front.line_offset
    return LoadedModule(
        label, path.stem, module, meta.get("quiz"), quiz_line, quiz_known, links
    )


def _check_values(meta: Table) -> None:
    """Report values of the right type that are still out of range."""
    day = meta.get("day")
    if day is not None and not 1 <= day <= TRAINING_DAYS:
        meta.problem("day", f"day must be between 1 and {TRAINING_DAYS}, not {day}")
    minutes = meta.get("minutes")
    if minutes is not None and not 1 <= minutes <= 240:
        meta.problem("minutes", "minutes must be between 1 and 240")
    if "objectives" in meta and not is_text_list(meta.get("objectives")):
        meta.problem("objectives", "objectives must be a non-empty list of text")

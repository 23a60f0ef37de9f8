"""Loading modules: Markdown files with TOML front matter between `+++` lines."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from academy.content.markdown import render
from academy.content.source import SLUG, Problem, SourceFile, check_keys, read_text
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
    module: Module
    label: str
    quiz_line: int
    links: tuple[tuple[str, int], ...]  # (href, line in the file)


def load_module(path: Path, label: str, problems: list[Problem]) -> LoadedModule | None:
    """Parse and check one module file; record every problem found."""
    text = read_text(path, label, problems)
    if text is None:
        return None
    whole = SourceFile(path, label, text)
    if not SLUG.match(path.stem):
        whole.problem(1, "file name must be a slug: lowercase letters, digits, hyphens")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        whole.problem(1, f"must start with front matter between two {FENCE!r} lines")
        problems.extend(whole.problems)
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        whole.problem(1, f"front matter is not closed by a second {FENCE!r} line")
        problems.extend(whole.problems)
        return None
    problems.extend(whole.problems)

    front = SourceFile(path, label, "\n".join(lines[1:end]), line_offset=1)
    meta = front.parse_toml()
    body = "\n".join(lines[end + 1 :])
    loaded = None
    if meta is not None:
        loaded = _build(path.stem, label, front, meta, body, end + 1)
    problems.extend(front.problems)
    return loaded


def _build(
    slug: str,
    label: str,
    front: SourceFile,
    meta: dict[str, Any],
    body: str,
    body_offset: int,
) -> LoadedModule | None:
    if not check_keys(front, meta, REQUIRED, OPTIONAL, "the front matter", 1):
        return None
    ok = True
    if not 1 <= meta["day"] <= TRAINING_DAYS:
        front.problem(
            front.key_line("day"),
            f"day must be between 1 and {TRAINING_DAYS}, not {meta['day']}",
        )
        ok = False
    if not 1 <= meta["minutes"] <= 240:
        front.problem(front.key_line("minutes"), "minutes must be between 1 and 240")
        ok = False
    objectives = meta["objectives"]
    if not objectives or not all(isinstance(o, str) and o.strip() for o in objectives):
        front.problem(
            front.key_line("objectives"), "objectives must be a non-empty list of text"
        )
        ok = False
    if not meta["title"].strip():
        front.problem(front.key_line("title"), "title must not be empty")
        ok = False
    if not body.strip():
        front.problem(body_offset, "the module has no text after its front matter")
        ok = False
    if not ok:
        return None

    rendered = render(body)
    # Links are checked against other modules later; keep their real line numbers.
    links = tuple((href, line + body_offset) for href, line in rendered.links)
    module = Module(
        slug=slug,
        title=meta["title"].strip(),
        day=meta["day"],
        minutes=meta["minutes"],
        summary=meta.get("summary", "").strip(),
        objectives=tuple(o.strip() for o in objectives),
        body_html=rendered.html,
        word_count=len(body.split()),
        quiz_slug=meta.get("quiz"),
        headings=rendered.headings,
    )
    return LoadedModule(module, label, front.key_line("quiz") + 1, links)

"""Markdown to HTML, with raw HTML disabled and anchors on section headings."""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, int], ...]  # (href, 1-based line within the source)


def _parser() -> MarkdownIt:
    # "html": False turns any raw HTML in content into visible text.
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "smartquotes", "replacements"]
    )


_MD = _parser()


def _anchor(text: str, seen: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    anchor, n = base, 2
    while anchor in seen:
        anchor, n = f"{base}-{n}", n + 1
    seen.add(anchor)
    return anchor


def render(source: str) -> Rendered:
    """Render a Markdown document once; collect its h2 headings and its links."""
    tokens = _MD.parse(source)
    lines = source.split("\n")
    headings: list[tuple[str, str]] = []
    links: list[tuple[str, int]] = []
    seen: set[str] = set()
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = tokens[i + 1].content
            anchor = _anchor(title, seen)
            token.attrSet("id", anchor)
            headings.append((anchor, title))
        if token.type == "inline":
            links.extend(_links(token, lines))
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Rendered(html=html, headings=tuple(headings), links=tuple(links))


def _links(inline: Token, lines: list[str]) -> list[tuple[str, int]]:
    """Each link in a block of text, with the line (1-based) it is written on."""
    first, end = (inline.map[0] + 1, inline.map[1]) if inline.map else (1, 1)
    line = first
    found = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            href = str(child.attrGet("href"))
            found.append((href, _line_with(href, lines, line, end)))
    return found


def _line_with(href: str, lines: list[str], line: int, end: int) -> int:
    # Counting line breaks misses those inside a code span, so the link is on
    # this line or a later one of its block: the first that spells its target.
    # The parser percent-encodes targets, so look for the decoded spelling too.
    spellings = {href, unquote(href)}
    for number in range(line, min(end, len(lines)) + 1):
        if any(spelling in lines[number - 1] for spelling in spellings):
            return number
    return line


def render_inline(source: str) -> str:
    """Render a short piece of Markdown (an option, a feedback line) without <p>."""
    return str(_MD.renderInline(source))


def render_block(source: str) -> str:
    return str(_MD.render(source))

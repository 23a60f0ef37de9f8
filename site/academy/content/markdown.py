"""Markdown to HTML, with raw HTML disabled and anchors on section headings."""

import re
from dataclasses import dataclass

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
            line = token.map[0] + 1 if token.map else 1
            links.extend((href, line) for href in _hrefs(token.children or []))
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Rendered(html=html, headings=tuple(headings), links=tuple(links))


def _hrefs(children: list[Token]) -> list[str]:
    return [str(t.attrGet("href")) for t in children if t.type == "link_open"]


def render_inline(source: str) -> str:
    """Render a short piece of Markdown (an option, a feedback line) without <p>."""
    return str(_MD.renderInline(source))


def render_block(source: str) -> str:
    return str(_MD.render(source))

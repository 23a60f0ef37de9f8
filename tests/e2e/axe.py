"""Running axe-core, from its npm package, inside a page."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ROOT

AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_source() -> Path:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/test installs it with npm)")
    return AXE


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's WCAG 2.2 A and AA violations on the page as it is now."""
    page.add_script_tag(path=str(axe_source()))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return "\n".join(lines)

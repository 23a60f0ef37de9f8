"""Accessibility checks inside a page: axe-core from its npm package, and
target sizes measured directly."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.e2e.conftest import ROOT, missing

AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_source() -> Path:
    if not AXE.exists():
        missing("axe-core is not installed (scripts/test installs it with npm)")
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


# Every target the pointer can hit, measured as the browser lays it out. A
# target under 24 by 24 CSS px passes only by WCAG 2.2's exceptions, as in
# axe's target-size rule: inline in a sentence, or spaced so that a 24 px
# circle on its centre touches no other target and no other such circle.
TARGETS_JS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, ' +
    'textarea, summary, [tabindex]:not([tabindex="-1"])';
  const shown = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 &&
      style.visibility !== 'hidden' && !el.closest('.visually-hidden');
  };
  const inSentence = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') {
      block = block.parentElement;
    }
    const own = el.textContent.trim();
    const all = block ? block.textContent.replace(/\\s+/g, ' ').trim() : '';
    return all.replace(own, '').replace(/[\\s,.:;·|›()]/g, '').length > 0;
  };
  const targets = [...document.querySelectorAll(selector)].filter(shown);
  const boxes = targets.map(el => el.getBoundingClientRect());
  const small = targets.map((el, i) =>
    (boxes[i].width < 23.95 || boxes[i].height < 23.95) && !inSentence(el));
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const reach = (p, r) => Math.hypot(
    Math.max(r.left - p[0], 0, p[0] - r.right),
    Math.max(r.top - p[1], 0, p[1] - r.bottom));
  const problems = [];
  targets.forEach((el, i) => {
    if (!small[i]) return;
    const c = centre(boxes[i]);
    const crowded = targets.some((other, j) => {
      if (j === i || other.contains(el) || el.contains(other)) return false;
      if (reach(c, boxes[j]) < 12) return true;
      const d = centre(boxes[j]);
      return small[j] && Math.hypot(c[0] - d[0], c[1] - d[1]) < 24;
    });
    if (crowded) {
      const r = boxes[i];
      problems.push(`${el.outerHTML.slice(0, 90)}: ` +
        `${r.width.toFixed(1)}x${r.height.toFixed(1)}px`);
    }
  });
  return problems;
}
"""


def small_targets(page: Page) -> list[str]:
    """Targets under 24 by 24 CSS px that no WCAG 2.2 exception allows."""
    found: list[str] = page.evaluate(TARGETS_JS)
    return found

"""Real Chromium for the page tests: Debian's `chromium` driven by Playwright, one browser per session.

Playwright's own browser download cannot be reached here, so the system browser is launched by
path. Each check a page gets: axe-core (no "serious" or "critical" violation), no request to
another origin, and, in a phone-sized window, no horizontal scrolling.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 360, "height": 740}


def axe_violations(page):
    """Serious and critical axe-core violations on the page, as readable lines."""
    page.evaluate(AXE)  # evaluated, not a <script>: the page's CSP stays as it is
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")}`);
        }"""
    )
    return found


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


class OriginWatch:
    """Every request the page makes to an origin other than the live server's."""

    def __init__(self, context, base_url):
        self.origin = urlsplit(base_url)[:2]
        self.foreign = []
        context.on("request", self._seen)

    def _seen(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts[:2] != self.origin:
            self.foreign.append(request.url)


# What a finger taps: every control, and every link that stands alone (a link inside a sentence is
# exempt, as WCAG 2.5.5 allows). Radio buttons and checkboxes count
# through their label, which is the target.
TAP_TARGETS = """() => {
  const seen = [];
  // A link inside a sentence: its block says more than the link does.
  const inText = el => {
    const block = el.closest("p, li, td, dd, dt");
    return block !== null && block.innerText.trim().length > el.innerText.trim().length;
  };
  const exempt = el => el.tagName === "A" && !el.classList.contains("button")
    && !el.closest(".action, .pages, .cta, .balance, .links, .top") && inText(el);
  const targets = document.querySelectorAll(
    "a[href], button, select, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), label.choice");
  for (const el of targets) {
    if (exempt(el) || el.closest(".visually-hidden") || el.classList.contains("skip")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.width < 44 || box.height < 44) {
      seen.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || "").trim().slice(0, 30)}" ` +
                `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return seen;
}"""


def small_tap_targets(page):
    """Controls and standalone links smaller than 44 x 44 CSS pixels, as readable lines."""
    return page.evaluate(TAP_TARGETS)

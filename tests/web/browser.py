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

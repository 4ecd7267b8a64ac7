"""The key pages drawn in Chromium at 375 px (Playwright with Debian's chromium): how wide each
page is, and axe-core's violations by rule. Returns None when there is no browser to draw with.

Playwright's sync API runs an event loop in this thread while it works: nothing here touches the
database, and the caller saves only after `draw` has returned."""

import logging
import time
from pathlib import Path

from .checks import BrowserFinding

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "fixtures" / "axe.min.js"
WIDTH = 375
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => [v.id, v.nodes.length]);
}"""

log = logging.getLogger(__name__)


def available() -> bool:
    if not CHROMIUM.exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def draw(urls: list[str], *, rate: float | None = 2.0) -> list[BrowserFinding] | None:
    if not urls or not available():
        return None
    from playwright.sync_api import Error, sync_playwright

    axe = AXE.read_text(encoding="utf-8")
    findings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": 812}, bypass_csp=True)
            page = context.new_page()
            for url in urls:
                started = time.monotonic()
                try:
                    page.goto(url, wait_until="load", timeout=20_000)
                    width = int(page.evaluate("document.documentElement.scrollWidth"))
                    page.add_script_tag(content=axe)
                    violations = {rule: int(n) for rule, n in page.evaluate(AXE_RUN)}
                    findings.append(BrowserFinding(url, width, violations))
                except Error as exc:
                    log.info("webcheck could not draw %s: %s", url, exc)
                    findings.append(BrowserFinding(url, error=str(exc).splitlines()[0][:200]))
                if rate:  # a page and what it loads, within the host's rate
                    time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
        finally:
            browser.close()
    return findings

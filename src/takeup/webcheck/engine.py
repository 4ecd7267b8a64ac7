"""One website engagement check from start to end, without the database: crawl, find the key
pages, draw them in Chromium, ask the key pages' links, run the checks and score D16 and D17.
The command line uses it as it is; `services.run_execute` stores what it returns."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import browser as browser_module
from .checks import BrowserFinding, Result, Site, key_page_links, run_checks
from .crawl import DEFAULT_MAX_PAGES, DEFAULT_RATE, Crawl, Crawler
from .keypages import KeyPage, ServiceRef, find
from .scores import scores


@dataclass
class SiteCheck:
    crawl: Crawl
    key_pages: dict[str, KeyPage]
    checks: list[Result]
    d16: int | None
    d17: int | None
    browser: list[BrowserFinding] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.crawl.start_url,
            "home": self.crawl.home,
            "pages": len(self.crawl.pages),
            "budget_reached": self.crawl.budget_reached,
            "d16": self.d16,
            "d17": self.d17,
            "key_pages": {k: p.url for k, p in self.key_pages.items()},
            "checks": [
                {
                    "id": c.id,
                    "result": c.result,
                    "url": c.url,
                    "evidence": c.evidence,
                    "cannot_see": c.cannot_see,
                    "detail": c.detail,
                }
                for c in self.checks
            ],
        }


def check_site(
    url: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    rate: float | None = DEFAULT_RATE,
    services: list[ServiceRef] | None = None,
    use_browser: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SiteCheck:
    """Raises `crawl.CrawlFailed` when the home page cannot be read."""
    crawler = Crawler(url, max_pages=max_pages, rate=rate, progress=progress)
    crawl = crawler.run()
    key_pages = find(crawl, services)
    site = Site(crawl, key_pages)
    statuses = {}
    for link in key_page_links(site):
        fetched = crawl.get(link)
        if fetched is not None:
            statuses[link] = fetched.status
        elif crawler.allowed(link):
            statuses[link] = crawler.status_of(link)
    drawn = None
    if use_browser:
        read = [
            k.url for k in key_pages.values() if k.fetched and not k.kind.startswith("service:")
        ]
        drawn = browser_module.draw(list(dict.fromkeys(read)), rate=rate)
    checks = run_checks(site, drawn, statuses)
    d16, d17 = scores(checks)
    return SiteCheck(crawl, key_pages, checks, d16, d17, drawn)

"""A polite crawler of one council's own website: httpx, robots.txt read with protego, a rate
limit per host, a page budget, the same host only, and the pages sitemap.xml lists.

It fetches one page at a time (one connection to the council's server), breadth first from the
home page, so the pages a few clicks from home are fetched before the budget runs out; the
sitemap's pages come after the home page's own links. No database: `crawl` returns what it read.
"""

import re
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from urllib.parse import urldefrag, urlsplit, urlunsplit

import httpx
from protego import Protego

from .parse import ParsedPage, parse

USER_AGENT = "TakeupWebcheck/1.0 (website engagement check; +https://takeup.example/webcheck)"
ROBOTS_AGENT = "TakeupWebcheck"
DEFAULT_RATE = 2.0  # requests a second, per host
DEFAULT_MAX_PAGES = 500
MAX_BYTES = 3_000_000  # a page larger than this is read only this far
MAX_SITEMAPS = 20
# Not pages: listed as links but never fetched as pages (the broken-link check may still ask).
NOT_PAGES = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|csv|zip|jpe?g|png|gif|svg|webp|ico|mp3|mp4|css|js|xml|rss)$",
    re.IGNORECASE,
)
LOC = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.IGNORECASE | re.DOTALL)


class CrawlFailed(Exception):
    """The crawl could not start: the home page could not be read."""


@dataclass
class Fetched:
    """One page as fetched: `status` 0 when the request itself failed (then `error` says why)."""

    url: str
    status: int
    content_type: str = ""
    error: str = ""
    page: ParsedPage | None = None


@dataclass
class Crawl:
    start_url: str
    home: str  # the home page's address after any redirects
    pages: dict[str, Fetched] = field(default_factory=dict)  # by address, in fetch order
    redirects: dict[str, str] = field(default_factory=dict)  # asked for → ended at
    refused_by_robots: list[str] = field(default_factory=list)
    sitemap_pages: int = 0
    budget_reached: bool = False
    seconds: float = 0.0

    def resolve(self, url: str) -> str:
        return self.redirects.get(url, url)

    def get(self, url: str) -> Fetched | None:
        return self.pages.get(self.resolve(url))


@lru_cache(maxsize=65536)
def normalise(url: str) -> str:
    """The address without its #fragment, with its scheme and host in lower case and a path."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


class RateLimit:
    """At most `per_second` request starts a second; None or 0 for no limit."""

    def __init__(
        self,
        per_second: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1 / per_second if per_second else 0.0
        self.clock, self.sleep = clock, sleep
        self.next = 0.0

    def slow_to(self, seconds_between: float) -> None:
        self.interval = max(self.interval, seconds_between)

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if now < self.next:
            self.sleep(self.next - now)
            now = self.next
        self.next = now + self.interval


class Crawler:
    def __init__(
        self,
        start_url: str,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        rate: float | None = DEFAULT_RATE,
        client: httpx.Client | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if not start_url.startswith(("http://", "https://")):
            start_url = "https://" + start_url
        self.start_url = normalise(start_url)
        self.max_pages = max_pages
        self.rate = rate
        self.client = client or httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(15.0),
            follow_redirects=True,
        )
        self.progress = progress
        self.limits: dict[str, RateLimit] = {}
        self.robots: dict[str, Protego | None] = {}
        self.host = urlsplit(self.start_url).netloc
        self.statuses: dict[str, int] = {}

    # Politeness

    def _limit(self, url: str) -> RateLimit:
        host = urlsplit(url).netloc
        if host not in self.limits:
            self.limits[host] = RateLimit(self.rate)
        return self.limits[host]

    def _request(self, method: str, url: str) -> httpx.Response:
        self._limit(url).wait()
        return self.client.request(method, url)

    def _robots(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            rules = None
            try:
                response = self._request("GET", origin + "/robots.txt")
                if response.status_code == 200:
                    rules = Protego.parse(response.text)
                    delay = rules.crawl_delay(ROBOTS_AGENT)
                    if delay:
                        self._limit(url).slow_to(float(delay))
            except httpx.HTTPError:
                rules = None
            self.robots[origin] = rules
        return self.robots[origin]

    def allowed(self, url: str) -> bool:
        rules = self._robots(url)
        return rules is None or bool(rules.can_fetch(url, ROBOTS_AGENT))

    def same_host(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"http", "https"} and parts.netloc.lower() == self.host

    # Fetching

    def fetch(self, url: str) -> tuple[str, Fetched]:
        """(the address it ended at, what was read)."""
        return self._read(url, self._download(url))

    def _download(self, url: str) -> httpx.Response | str:
        """The response, or why there is none: the part that waits on the network."""
        try:
            return self._request("GET", url)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"

    def _read(self, url: str, response: httpx.Response | str) -> tuple[str, Fetched]:
        """The page read from its response: the part that works the processor."""
        if isinstance(response, str):
            return url, Fetched(url=url, status=0, error=response)
        final = normalise(str(response.url))
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        fetched = Fetched(url=final, status=response.status_code, content_type=kind)
        if response.status_code < 400 and kind in {"text/html", "application/xhtml+xml"}:
            fetched.page = parse(final, response.text[:MAX_BYTES])
        return final, fetched

    def status_of(self, url: str) -> int:
        """The status a link answers with (0 when it cannot be reached), asked once: HEAD, then
        GET where HEAD is refused. Only for this host, within the rate limit and robots.txt."""
        url = normalise(url)
        if url not in self.statuses:
            try:
                response = self._request("HEAD", url)
                if response.status_code in {405, 501}:
                    response = self._request("GET", url)
                self.statuses[url] = response.status_code
            except httpx.HTTPError:
                self.statuses[url] = 0
        return self.statuses[url]

    def _sitemap(self, rules: Protego | None, origin: str) -> list[str]:
        wanted: deque[str] = deque(list(rules.sitemaps) if rules is not None else [])
        if not wanted:
            wanted.append(origin + "/sitemap.xml")
        pages: list[str] = []
        read = 0
        while wanted and read < MAX_SITEMAPS:
            address = wanted.popleft()
            read += 1
            if not self.same_host(address) or not self.allowed(address):
                continue
            try:
                response = self._request("GET", address)
            except httpx.HTTPError:
                continue
            if response.status_code != 200:
                continue
            locs = [unescape(loc) for loc in LOC.findall(response.text)]
            if "<sitemapindex" in response.text[:2000].lower():
                wanted.extend(locs)
            else:
                pages.extend(locs)
        return pages

    def run(self) -> Crawl:
        started = time.perf_counter()
        if not self.allowed(self.start_url):
            raise CrawlFailed(f"robots.txt does not allow {self.start_url} to be read.")
        home, fetched = self.fetch(self.start_url)
        if fetched.status == 0 or fetched.status >= 400 or fetched.page is None:
            reason = fetched.error or f"it answered {fetched.status} {fetched.content_type}"
            raise CrawlFailed(f"The home page {self.start_url} could not be read: {reason}")
        self.host = urlsplit(home).netloc
        result = Crawl(start_url=self.start_url, home=home)
        if home != self.start_url:
            result.redirects[self.start_url] = home
        result.pages[home] = fetched
        seen = {self.start_url, home}
        queue: deque[str] = deque()

        def add(url: str) -> None:
            url = normalise(url)
            if url in seen or not self.same_host(url) or NOT_PAGES.search(urlsplit(url).path):
                return
            seen.add(url)
            queue.append(url)

        for link in fetched.page.links:
            add(link.url)
        origin = f"{urlsplit(home).scheme}://{self.host}"
        sitemap = self._sitemap(self.robots.get(origin) or self._robots(home), origin)
        before = len(queue)
        for url in sitemap:
            add(url)
        result.sitemap_pages = len(queue) - before
        self._report(len(result.pages))
        # One download ahead: the next page comes over the network while this one is read.
        # Still one request at a time to the host, each within the rate limit.
        ahead: dict[str, Future[httpx.Response | str]] = {}
        with ThreadPoolExecutor(max_workers=1) as downloads:
            self._pages(result, queue, seen, add, ahead, downloads)
        result.seconds = time.perf_counter() - started
        return result

    def _pages(
        self,
        result: Crawl,
        queue: deque[str],
        seen: set[str],
        add: Callable[[str], None],
        ahead: dict[str, Future[httpx.Response | str]],
        downloads: ThreadPoolExecutor,
    ) -> None:
        while queue:
            if len(result.pages) >= self.max_pages:
                result.budget_reached = True
                for pending in ahead.values():
                    pending.cancel()
                break
            url = queue.popleft()
            if not self.allowed(url):
                result.refused_by_robots.append(url)
                continue
            started = ahead.pop(url, None)
            response = started.result() if started is not None else self._download(url)
            if queue and len(result.pages) + 1 < self.max_pages and self.allowed(queue[0]):
                ahead[queue[0]] = downloads.submit(self._download, queue[0])
            final, page = self._read(url, response)
            if final != url:
                result.redirects[url] = final
                if final in result.pages or not self.same_host(final):
                    continue
                seen.add(final)
            result.pages[final] = page
            self.statuses[final] = page.status
            if page.page is not None:
                for link in page.page.links:
                    add(link.url)
            self._report(len(result.pages))

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.max_pages)


def crawl(
    start_url: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    rate: float | None = DEFAULT_RATE,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Crawl, Crawler]:
    """Crawl from `start_url`; the crawler is returned too, to ask about links afterwards."""
    crawler = Crawler(start_url, max_pages=max_pages, rate=rate, progress=progress)
    return crawler.run(), crawler

"""Finding the key pages of a crawled site by their content and links, not by a fixed address:
home, contact us, emergencies, jobs, planning, A–Z, find your councillor, and each catalogue
service's page. Pure: reads a `Crawl`.

A page scores for a kind when its title or a heading names it (3), when a link to it says so (2,
and 1 more when that link is on the home page) and when its address does (1). The best score of at
least 3 wins; ties go to the page fewer clicks from home, then to the shorter address. A link's
target that was not read (robots.txt, the budget) can still be the key page, without its content.
"""

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from .crawl import Crawl, normalise

KINDS: dict[str, re.Pattern[str]] = {
    "contact": re.compile(r"\bcontact(ing)?( us| the council)?\b|\bget in touch\b", re.I),
    "emergencies": re.compile(r"\bemergenc(y|ies)\b", re.I),
    "jobs": re.compile(r"\b(jobs|careers|vacancies|work for us)\b", re.I),
    "planning": re.compile(r"\bplanning\b", re.I),
    "a_to_z": re.compile(r"\ba\s*(to|-|–)\s*z\b", re.I),
    "councillor": re.compile(r"\bcouncillors?\b", re.I),
}
MIN_SCORE = 3


@dataclass(frozen=True)
class KeyPage:
    kind: str  # "home", one of KINDS, or "service:<slug>"
    url: str
    fetched: bool  # whether its content was read
    depth: int | None  # clicks from the home page, None when no link chain reaches it
    why: str  # what found it, in words


@dataclass(frozen=True)
class ServiceRef:
    slug: str
    name: str
    online_url: str


def depths(crawl: Crawl) -> dict[str, int]:
    """Clicks from the home page to each page, following links on the pages read."""
    found = {crawl.home: 0}
    queue = deque([crawl.home])
    while queue:
        url = queue.popleft()
        read = crawl.pages.get(url)
        if read is None or read.page is None:
            continue
        for link in read.page.links:
            target = crawl.resolve(normalise(link.url))
            if target not in found:
                found[target] = found[url] + 1
                queue.append(target)
    return found


def _path_words(url: str) -> str:
    return re.sub(r"[-_/.]+", " ", urlsplit(url).path)


def find(crawl: Crawl, services: list[ServiceRef] | None = None) -> dict[str, KeyPage]:
    clicks = depths(crawl)
    found = {"home": KeyPage("home", crawl.home, True, 0, "the address the crawl started from")}
    # Words of the links to each address, and whether one of them is on the home page.
    linked: dict[str, list[tuple[str, bool]]] = {}
    for url, fetched in crawl.pages.items():
        if fetched.page is None:
            continue
        for link in fetched.page.links:
            target = crawl.resolve(normalise(link.url))
            if urlsplit(target).netloc != urlsplit(crawl.home).netloc:
                continue
            linked.setdefault(target, []).append((link.text, url == crawl.home))
    candidates = set(linked) | set(crawl.pages)
    candidates.discard(crawl.home)
    for kind, pattern in KINDS.items():
        best: tuple[float, int, int, str, str] | None = None
        for url in candidates:
            candidate = crawl.pages.get(url)
            score = 0.0
            why = []
            if candidate is not None and candidate.page is not None:
                if pattern.search(candidate.page.names):
                    score += 3
                    why.append(f"its title or heading says “{candidate.page.names[:80]}”")
            elif candidate is not None:
                continue  # read, but not a page (an error or a file)
            words = [(t, on_home) for t, on_home in linked.get(url, []) if pattern.search(t)]
            if words:
                score += 2 + (1 if any(on_home for _t, on_home in words) else 0)
                why.append(f"a link to it says “{words[0][0]}”")
            if pattern.search(_path_words(url)):
                score += 1
            if score < MIN_SCORE:
                continue
            depth = clicks.get(url, 99)
            key = (-score, depth, len(url), url, "; ".join(why))
            if best is None or key < best:
                best = key
        if best is not None:
            url = best[3]
            chosen = crawl.pages.get(url)
            found[kind] = KeyPage(
                kind,
                url,
                chosen is not None and chosen.page is not None,
                clicks.get(url),
                best[4] or "its address",
            )
    for service in services or []:
        page = _service_page(crawl, service, linked, clicks)
        if page is not None:
            found[page.kind] = page
    return found


def _service_page(
    crawl: Crawl,
    service: ServiceRef,
    linked: dict[str, list[tuple[str, bool]]],
    clicks: dict[str, int],
) -> KeyPage | None:
    kind = f"service:{service.slug}"
    if service.online_url:
        url = crawl.resolve(normalise(service.online_url))
        if urlsplit(url).netloc == urlsplit(crawl.home).netloc:
            fetched = crawl.pages.get(url)
            read = fetched is not None and fetched.page is not None
            return KeyPage(kind, url, read, clicks.get(url), "the service's own address")
    words = [w for w in re.findall(r"[a-z]+", service.name.lower()) if len(w) > 3]
    if not words:
        return None
    best: tuple[int, int, str] | None = None
    for url, fetched in crawl.pages.items():
        if fetched.page is None:
            continue
        names = fetched.page.names.lower()
        link_words = " ".join(t.lower() for t, _h in linked.get(url, []))
        if all(w in names for w in words) or all(w in link_words for w in words):
            key = (clicks.get(url, 99), len(url), url)
            if best is None or key < best:
                best = key
    if best is None:
        return None
    return KeyPage(kind, best[2], True, clicks.get(best[2]), f"it is named “{service.name}”")

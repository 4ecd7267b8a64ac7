"""Findability: the council's own site search, asked in residents' words, and where the page
they need comes in the results. Pure. Better connected counts a page found in the top five.

What it cannot see: results drawn by JavaScript after the page loads (then nothing is found, and
the check says the results page had no links to read), and a search that needs a cookie."""

from html.parser import HTMLParser
from urllib.parse import quote_plus, urljoin, urlsplit

TOP = 5


def search_url(template: str, terms: str) -> str:
    """The template with the words in place of {terms}."""
    return template.replace("{terms}", quote_plus(terms.strip()))


def same_page(a: str, b: str) -> bool:
    """Two addresses of one page: the scheme, a "www.", a trailing slash and case in the host
    aside."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (
        pa.netloc.lower().removeprefix("www.") == pb.netloc.lower().removeprefix("www.")
        and (pa.path.rstrip("/") or "/") == (pb.path.rstrip("/") or "/")
        and pa.query == pb.query
    )


class _Links(HTMLParser):
    """Links in the main content (or the body where there is no <main>), outside nav, header
    and footer: a site's menus are not results."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.skip = 0
        self.main_links: list[str] = []
        self.body_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main += 1
        if tag in ("nav", "header", "footer"):
            self.skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href and not self.skip:
            (self.main_links if self.in_main else self.body_links).append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main" and self.in_main:
            self.in_main -= 1
        if tag in ("nav", "header", "footer") and self.skip:
            self.skip -= 1


def result_links(html: str, page_url: str) -> list[str]:
    """The results page's links in order, made absolute, each once; links back to the search
    itself (other pages of results, a new search) left out."""
    parser = _Links()
    parser.feed(html)
    found: list[str] = []
    search_path = urlsplit(page_url).path
    for href in parser.main_links or parser.body_links:
        url = urljoin(page_url, href)
        if urlsplit(url).scheme not in ("http", "https") or urlsplit(url).path == search_path:
            continue
        if not any(same_page(url, seen) for seen in found):
            found.append(url)
    return found


def rank_of(expected: str, links: list[str]) -> int | None:
    return next((i for i, url in enumerate(links, start=1) if same_page(url, expected)), None)

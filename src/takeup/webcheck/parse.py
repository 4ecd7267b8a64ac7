"""Reading one HTML page into what the checks need: its links (with their words and where on the
page they are), its title and headings, its text in order, its viewport meta and the controls
that only work with JavaScript. Pure: no network, no database.

libxml2 (lxml) reads the page into a tree, forgiving broken HTML as a browser does. (Python's
own html.parser, driven tag by tag, took about as long as fetching the page; see
docs/performance.md.)"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urldefrag, urljoin

from lxml import etree

# Elements whose contents are not text a reader sees.
HIDDEN = {"script", "style", "noscript", "template", "svg"}
BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "section", "br", "tr"}
PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
FORM_MARK = "\ue000"  # a private-use character: never in a page


@dataclass(frozen=True)
class Link:
    """A link on a page: its absolute address (no #fragment), its words, and where it is."""

    url: str
    text: str
    in_footer: bool = False
    in_image_map: bool = False


@dataclass(frozen=True)
class ScriptControl:
    """A control that needs JavaScript to go anywhere (a button or a `javascript:` link)."""

    text: str
    snippet: str


@dataclass
class ParsedPage:
    url: str
    title: str = ""
    headings: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    script_controls: list[ScriptControl] = field(default_factory=list)
    viewport: str | None = None  # the viewport meta's content, None when there is none
    has_password_input: bool = False
    has_email_input: bool = False
    text: str = ""  # the visible text, in order, blocks separated by new lines
    text_before_form: str | None = None  # the text before the first form (None: no form)

    @property
    def names(self) -> str:
        """The title and headings, which say what the page is."""
        return " ".join([self.title, *self.headings])


@lru_cache(maxsize=65536)
def absolute(base: str, href: str) -> str:
    """The link's address without its #fragment (a site repeats its menus on every page)."""
    return urldefrag(urljoin(base, href))[0]


SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _text(el: Any) -> str:
    return "".join(el.itertext())


# Compiled once: compiling it for every page cost as much as the rest of the page's reading.
FOOTERS = etree.XPath(
    "//*[@role='contentinfo' or contains(translate(@id, 'FOTER', 'foter'), 'footer')"
    " or contains(translate(@class, 'FOTER', 'foter'), 'footer')]"
)


def _footers(root: Any) -> set[Any]:
    """The elements that are a footer: <footer>, role=contentinfo, or "footer" in id or class."""
    return set(root.iter("footer")) | set(FOOTERS(root))


def _link_text(el: Any) -> str:
    words = [_text(el)]
    words += [img.get("alt", "") for img in el.iter("img")]
    text = _clean(" ".join(words))
    return text or el.get("aria-label", "") or el.get("title", "")


def parse(url: str, html: str) -> ParsedPage:
    page = ParsedPage(url=url)
    if not html.strip():
        return page
    try:
        root = etree.fromstring(html, PARSER)
    except (etree.ParserError, ValueError):
        return page
    if root is None:
        return page
    page.title = _clean(root.findtext(".//title") or "")
    etree.strip_elements(root, *HIDDEN, with_tail=False)
    base = url
    for el in root.iter("base"):
        if el.get("href"):
            base = urljoin(url, el.get("href"))
            break
    for el in root.iter("meta"):
        if (el.get("name") or "").lower() == "viewport":
            page.viewport = el.get("content", "")
            break
    for el in root.iter("input"):
        kind = (el.get("type") or "text").lower()
        page.has_password_input |= kind == "password"
        page.has_email_input |= kind == "email" or "email" in (el.get("name") or "").lower()
    page.headings = [_clean(_text(el)) for el in root.iter("h1", "h2", "h3")]
    footers = _footers(root)
    in_footer = {el for footer in footers for el in footer.iter("a", "area")}
    in_map = {el for m in root.iter("map") for el in m.iter("a", "area")}
    for el in root.iter("a", "area", "button"):
        if el.tag == "button":
            text = _clean(_text(el))
            if text:
                page.script_controls.append(ScriptControl(text, f"<button>{text}</button>"))
            continue
        href = (el.get("href") or "").strip()
        text = _link_text(el) if el.tag == "a" else _clean(el.get("alt") or el.get("title") or "")
        if el.tag == "a" and (href in {"", "#"} or href.lower().startswith("javascript:")):
            if text:
                page.script_controls.append(ScriptControl(text, f'<a href="{href}">{text}</a>'))
            continue
        if not href or href.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        page.links.append(
            Link(
                url=absolute(base, href),
                text=text,
                in_footer=el in in_footer,
                in_image_map=el.tag == "area" or el in in_map,
            )
        )
    # The visible text in order, a line per block; a mark where the first form starts.
    for el in root.iter(*BLOCK):
        el.tail = "\n" + (el.tail or "")
        el.text = "\n" + (el.text or "")
    form = next(root.iter("form"), None)
    if form is not None:
        form.text = FORM_MARK + (form.text or "")
    body = root.find("body")
    text = _text(body if body is not None else root)
    if form is not None:
        before, _mark, text_after = text.partition(FORM_MARK)
        page.text_before_form = _clean(before)
        text = before + text_after
    lines = (_clean(line) for line in text.split("\n"))
    page.text = "\n".join(line for line in lines if line)
    return page

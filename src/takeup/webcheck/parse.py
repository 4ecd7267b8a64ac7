"""Reading one HTML page into what the checks need: its links (with their words and where on the
page they are), its title and headings, its text in order, its viewport meta and the controls
that only work with JavaScript. Pure: no network, no database."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

# Elements whose contents are not text a reader sees.
HIDDEN = {"script", "style", "noscript", "template", "svg"}
BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "section", "br", "tr"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


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


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Reader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage(url=url)
        self.base = url
        self.stack: list[tuple[str, bool]] = []  # (tag, is footer)
        self.hidden = 0
        self.in_map = 0
        self.in_title = False
        self.heading: list[str] | None = None
        self.anchor: tuple[str | None, dict[str, str], list[str]] | None = None
        self.button: list[str] | None = None
        self.text: list[str] = []

    @property
    def in_footer(self) -> bool:
        return any(footer for _tag, footer in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag in HIDDEN:
            self.hidden += 1
        if tag not in VOID:
            names = f"{a.get('id', '')} {a.get('class', '')}".lower()
            footer = tag == "footer" or a.get("role") == "contentinfo" or "footer" in names
            self.stack.append((tag, footer))
        if tag in BLOCK:
            self.text.append("\n")
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.page.url, a["href"])
        elif tag == "title":
            self.in_title = True
        elif tag in {"h1", "h2", "h3"}:
            self.heading = []
        elif tag == "meta" and a.get("name", "").lower() == "viewport":
            self.page.viewport = a.get("content", "")
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self.page.has_password_input |= kind == "password"
            self.page.has_email_input |= kind == "email" or "email" in a.get("name", "").lower()
        elif tag == "map":
            self.in_map += 1
        elif tag == "area" and a.get("href"):
            self._link(a["href"], a.get("alt", "") or a.get("title", ""), in_map=True)
        elif tag == "a":
            self.anchor = (a.get("href"), a, [])
        elif tag == "button":
            self.button = []
        elif tag == "form" and self.page.text_before_form is None:
            self.page.text_before_form = "".join(self.text)
        if tag == "img" and self.anchor is not None:
            self.anchor[2].append(a.get("alt", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in BLOCK:
            self.text.append("\n")
        if tag == "title":
            self.in_title = False
        elif tag in {"h1", "h2", "h3"} and self.heading is not None:
            self.page.headings.append(_clean("".join(self.heading)))
            self.heading = None
        elif tag == "map" and self.in_map:
            self.in_map -= 1
        elif tag == "a" and self.anchor is not None:
            href, attrs, words = self.anchor
            self.anchor = None
            text = _clean(" ".join(words)) or attrs.get("aria-label", "") or attrs.get("title", "")
            if href is None or href.strip() in {"", "#"} or href.lower().startswith("javascript:"):
                if text:
                    self.page.script_controls.append(
                        ScriptControl(text=text, snippet=f'<a href="{href or ""}">{text}</a>')
                    )
            else:
                self._link(href, text)
        elif tag == "button" and self.button is not None:
            text = _clean("".join(self.button))
            if text:
                self.page.script_controls.append(
                    ScriptControl(text=text, snippet=f"<button>{text}</button>")
                )
            self.button = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
            return
        if self.hidden:
            return
        self.text.append(data)
        if self.heading is not None:
            self.heading.append(data)
        if self.anchor is not None:
            self.anchor[2].append(data)
        if self.button is not None:
            self.button.append(data)

    def _link(self, href: str, text: str, *, in_map: bool = False) -> None:
        href = href.strip()
        if href.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
            return
        url = urldefrag(urljoin(self.base, href))[0]
        self.page.links.append(
            Link(
                url=url,
                text=_clean(text),
                in_footer=self.in_footer,
                in_image_map=in_map or bool(self.in_map),
            )
        )


def parse(url: str, html: str) -> ParsedPage:
    reader = _Reader(url)
    reader.feed(html)
    reader.close()
    page = reader.page
    page.title = _clean(page.title)
    lines = (_clean(line) for line in "".join(reader.text).split("\n"))
    page.text = "\n".join(line for line in lines if line)
    if page.text_before_form is not None:
        page.text_before_form = _clean(page.text_before_form)
    return page

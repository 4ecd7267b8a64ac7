"""Havering's digital principles (seeds/000 §4) as a checklist per service, and what a service's
own web page shows about them. Pure: no network, no database.

What the page reading cannot see: a phone number or address in a picture or a PDF, a form that
asks for a cheque only after its first page, and anything drawn by JavaScript."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
ONLINE, NOT_ONLINE, NEW = "online", "not_online", "new"

# item → (the state it applies to, what it asks). The identifiers are kept for the API; the
# pages' words, in English and Welsh, are reports.ITEM_LABELS.
ITEMS: dict[str, tuple[str, str]] = {
    "promoted_everywhere": (ONLINE, "The online service is promoted wherever the service is"),
    "no_phone_published": (ONLINE, "No phone number is published for it"),
    "no_email_published": (ONLINE, "No email address is published for it"),
    "no_post_or_cheques": (ONLINE, "It does not ask for post or cheques"),
    "one_phone_number": (NOT_ONLINE, "One phone number only is published"),
    "no_email_not_online": (NOT_ONLINE, "No email address is published"),
    "all_information_online": (NOT_ONLINE, "All its information is on the website"),
    "digital_by_default": (NEW, "It is designed digital by default"),
    "online_only_if_possible": (NEW, "It is online only, if that is possible"),
}

# A UK phone number as councils print it: 01708 434343, 0300 123 4567, (01733) 747474, +44 ...
PHONE = re.compile(
    r"(?<![\d/])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)]?){9,10}(?![\d/])",
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
CHEQUE = re.compile(r"\bcheques?\b|\bpostal orders?\b", re.IGNORECASE)
POST_TO = re.compile(
    r"\b(?i:post|send|return)\b[^.]{0,60}\b(?i:to)\b[^.]{0,120}\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"
)


def items_for(state: str) -> list[str]:
    return [key for key, (applies, _text) in ITEMS.items() if applies == state]


def state_of(*, online_url: str, stages: Mapping[str, tuple[date | None, date | None]]) -> str:
    """New while it is being scoped, developed or deployed and not yet live; else online when it
    has an online address; else not online yet."""
    building = {"scoping", "developing", "deploying"} & set(stages)
    live = any(stages.get(s, (None, None))[1] for s in ("live", "online_only"))
    if building and not live:
        return NEW
    return ONLINE if online_url else NOT_ONLINE


@dataclass(frozen=True)
class Finding:
    item: str
    result: str
    evidence: str


class _Text(HTMLParser):
    """The page's visible text and its mailto: links; scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.mailto: list[str] = []
        self.tel: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "noscript"):
            self._skip += 1
        href = dict(attrs).get("href") or ""
        if href.lower().startswith("mailto:"):
            self.mailto.append(href[7:].split("?")[0])
        if href.lower().startswith("tel:"):
            self.tel.append(href[4:])
        if tag in ("p", "li", "br", "div", "h1", "h2", "h3", "td", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "noscript") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 60) : end + 60].split())[:300]


def read_page(html: str, state: str) -> list[Finding]:
    """What the service's page shows for the items of its state that a page can show; the rest
    are left to staff."""
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    phones = [(m.start(), m.end()) for m in PHONE.finditer(text)]
    numbers = {re.sub(r"\D", "", text[a:b])[-10:] for a, b in phones} | {
        re.sub(r"\D", "", t)[-10:] for t in parser.tel
    }
    emails = [m for m in EMAIL.finditer(text)]
    findings: list[Finding] = []

    def phone_evidence() -> str:
        if phones:
            return _snippet(text, *phones[0])
        return f"tel:{parser.tel[0]}"

    def email_evidence() -> str:
        if emails:
            return _snippet(text, emails[0].start(), emails[0].end())
        return f"mailto:{parser.mailto[0]}"

    has_email = bool(emails or parser.mailto)
    if state == ONLINE:
        findings.append(
            Finding("no_phone_published", FAIL, phone_evidence())
            if numbers
            else Finding("no_phone_published", PASS, "No phone number in the page's text.")
        )
        findings.append(
            Finding("no_email_published", FAIL, email_evidence())
            if has_email
            else Finding("no_email_published", PASS, "No email address in the page's text.")
        )
        cheque = CHEQUE.search(text) or POST_TO.search(text)
        findings.append(
            Finding("no_post_or_cheques", FAIL, _snippet(text, cheque.start(), cheque.end()))
            if cheque
            else Finding(
                "no_post_or_cheques", PASS, "No cheque or postal address asked for on the page."
            )
        )
    elif state == NOT_ONLINE:
        if len(numbers) > 1:
            findings.append(
                Finding(
                    "one_phone_number",
                    FAIL,
                    f"{len(numbers)} different numbers, the first: {phone_evidence()}",
                )
            )
        elif numbers:
            findings.append(Finding("one_phone_number", PASS, phone_evidence()))
        findings.append(
            Finding("no_email_not_online", FAIL, email_evidence())
            if has_email
            else Finding("no_email_not_online", PASS, "No email address in the page's text.")
        )
    return findings


def score(results: dict[str, str]) -> tuple[int, int]:
    """(passed, answered): unknowns are not counted either way."""
    answered = [r for r in results.values() if r in (PASS, FAIL)]
    return sum(1 for r in answered if r == PASS), len(answered)

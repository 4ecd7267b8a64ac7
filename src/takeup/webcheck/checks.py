"""The website engagement checks, from a crawl, its key pages, the browser's findings and the
links' statuses. Pure: no network, no database.

Each check gives "pass", "fail" or "unknown" with its evidence: the page's address and the snippet
or link that decided it. A page the crawl could not find or read makes the checks about that page
"unknown", never "fail": the page may be there, behind JavaScript or beyond the budget. What each
check cannot see is in `CANNOT_SEE` (and in docs/methods.md).
"""

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .crawl import Crawl, normalise
from .keypages import KINDS, KeyPage
from .parse import Link, ParsedPage

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

# The identifiers reports and other tools refer to (issue 14): keep them.
IDS = [
    "account_available",
    "account_promoted_home",
    "account_benefits_before_signup",
    "alerts_available",
    "alerts_promoted_home",
    "alerts_promoted_jobs",
    "alerts_promoted_planning",
    "social_home",
    "social_contact",
    "social_emergencies",
    "social_footer",
    "social_policy",
    "online_nudge_contact",
    "find_councillor",
    "mobile_viewport",
    "mobile_no_overflow",
    "accessibility",
    "broken_links",
]

CANNOT_SEE: dict[str, Promise] = {
    "account_available": _(
        "An account mentioned only in a picture or behind a JavaScript-only "
        "menu; whether the account works."
    ),
    "account_promoted_home": _(
        "A promotion that is only a picture without alternative text, or a "
        "banner drawn by JavaScript."
    ),
    "account_benefits_before_signup": _(
        "An account on another website (the crawl reads only the "
        "council's own host); benefits shown only in pictures."
    ),
    "alerts_available": _(
        "Alerts run by another service that is only linked with wording other "
        "than alerts or updates; whether the alerts are sent."
    ),
    "alerts_promoted_home": _("A promotion drawn by JavaScript or only in a picture."),
    "alerts_promoted_jobs": _("A jobs site on another host; a promotion drawn by JavaScript."),
    "alerts_promoted_planning": _(
        "A planning portal on another host; a promotion drawn by JavaScript."
    ),
    "social_home": _("Social media embedded by JavaScript (a feed widget) without a link."),
    "social_contact": _("A contact page reached only through a JavaScript menu."),
    "social_emergencies": _("An emergencies page reached only through a JavaScript menu."),
    "social_footer": _("Pages beyond the page budget."),
    "social_policy": _("A policy published only as a document on another website."),
    "online_nudge_contact": _(
        "The order in which a reader sees the page when its layout moves "
        "text around; phone numbers in pictures."
    ),
    "find_councillor": _("Links that need JavaScript; pages beyond the page budget."),
    "mobile_viewport": _("Pages other than the key pages."),
    "mobile_no_overflow": _(
        "Pages other than the key pages; overflow that appears only after someone opens a menu."
    ),
    "accessibility": _(
        "What axe-core cannot test automatically (about half of WCAG: meaning, "
        "order, captions); pages other than the key pages."
    ),
    "broken_links": _(
        "Links to other websites (not followed, to stay on the council's host); "
        "links on pages other than the key pages."
    ),
}

ACCOUNT = re.compile(
    r"\b(my account|your account|online account|customer account|create an account|"
    r"register for an account|sign in|log ?in|sign up for an account)\b",
    re.I,
)
ACCOUNT_BENEFITS = re.compile(
    r"\b(track|save time|any ?time|24 hours|pay|report|apply|book|see your|check your|"
    r"updates?|notif\w*|benefits?|you can|quicker|faster)\b",
    re.I,
)
ALERTS = re.compile(
    r"\b(e-?mail alerts?|alerts?|e-?mail updates|get updates|notify me|text alerts?|"
    r"subscribe to updates)\b",
    re.I,
)
NEWSLETTER = re.compile(r"\bnewsletters?\b", re.I)
SOCIAL_HOSTS = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "linkedin.com",
    "youtube.com",
    "tiktok.com",
    "threads.net",
    "bsky.app",
    "nextdoor.co.uk",
    "nextdoor.com",
    "flickr.com",
    "mastodon.social",
)
SOCIAL_POLICY = re.compile(
    r"\bsocial media (policy|guidelines|terms|house rules|acceptable use|use)\b", re.I
)
NUDGE = re.compile(
    r"\b(do it online|online|save time|my account|self-service|report it|apply for it|"
    r"pay for it)\b",
    re.I,
)
PHONE = re.compile(r"(\+44\s?\(?0?\)?\s?\d|\b0\d{2,4})[\d ]{6,11}\d")
FOOTER_SHARE = 0.8  # social links in the footer of at least this share of the pages read
MAX_CLICKS = 3  # find your councillor within this many clicks of the home page


@dataclass
class Result:
    id: str
    result: str
    url: str = ""
    evidence: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def cannot_see(self) -> str:
        return str(CANNOT_SEE[self.id])


@dataclass(frozen=True)
class BrowserFinding:
    """What Chromium saw on one key page at 375 px: the page's width and axe's violations."""

    url: str
    scroll_width: int = 0
    violations: dict[str, int] = field(default_factory=dict)  # rule → elements
    error: str = ""


def _snippet(text: str, start: int, end: int, around: int = 60) -> str:
    left = max(0, start - around)
    return ("…" if left else "") + text[left : end + around].replace("\n", " ") + "…"


def is_social(url: str) -> bool:
    host = urlsplit(url).netloc.lower().split(":")[0]
    return any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)


def _where(link: Link) -> str:
    if link.in_image_map:
        return " (in an image map)"
    if link.in_footer:
        return " (in the footer)"
    return ""


class Site:
    """One crawl with its key pages, ready for the checks."""

    def __init__(self, crawl: Crawl, key_pages: dict[str, KeyPage]) -> None:
        self.crawl = crawl
        self.key_pages = key_pages
        self.pages: list[ParsedPage] = [f.page for f in crawl.pages.values() if f.page]
        home = crawl.pages[crawl.home].page
        if home is None:  # the crawl fails without one
            raise ValueError("The crawl has no home page.")
        self.home: ParsedPage = home

    def parsed(self, url: str) -> ParsedPage | None:
        fetched = self.crawl.get(normalise(url))
        return fetched.page if fetched is not None else None

    def alert_page(self, url: str) -> bool | None:
        """True for an alerts sign-up page, False for anything else (a newsletter), None if the
        page was not read."""
        page = self.parsed(url)
        if page is None:
            return None
        if ALERTS.search(page.names):
            return True
        return bool(page.has_email_input and ALERTS.search(page.text))

    def alert_links(self, page: ParsedPage) -> tuple[list[Link], list[Link]]:
        """(links to email alerts, links that look like sign-ups but go to a newsletter)."""
        alerts, newsletters = [], []
        for link in page.links:
            target = self.alert_page(link.url)
            if (
                target
                or (target is None and ALERTS.search(link.text))
                or (ALERTS.search(link.text) and not NEWSLETTER.search(link.text))
            ):
                alerts.append(link)
            elif NEWSLETTER.search(link.text) or re.search(r"sign ?up|subscribe", link.text, re.I):
                newsletters.append(link)
        return alerts, newsletters

    def script_control(self, pattern: re.Pattern[str]) -> str:
        """A control on the home page that would lead there but needs JavaScript."""
        for control in self.home.script_controls:
            if pattern.search(control.text):
                return control.snippet
        return ""


def _missing(site: Site, check: str, kind: str, label: str) -> Result:
    control = site.script_control(KINDS[kind])
    if control:
        evidence = (
            f"No {label} was found by following links; the home page has {control}, which "
            "needs JavaScript, so the crawl could not follow it."
        )
    else:
        evidence = f"No {label} was found among the {len(site.pages)} pages read."
    return Result(check, UNKNOWN, site.crawl.home, evidence)


def _key(site: Site, kind: str) -> tuple[KeyPage | None, ParsedPage | None]:
    key = site.key_pages.get(kind)
    if key is None:
        return None, None
    return key, site.parsed(key.url)


def account_checks(site: Site) -> list[Result]:
    results = []
    home_links = [link for link in site.home.links if ACCOUNT.search(link.text)]
    any_link = home_links[:1]
    if not any_link:
        for page in site.pages:
            found = [link for link in page.links if ACCOUNT.search(link.text)]
            if found:
                any_link = [found[0]]
                break
    forms = [p for p in site.pages if p.has_password_input]
    if any_link:
        link = any_link[0]
        results.append(
            Result(
                "account_available",
                PASS,
                link.url,
                f"A link “{link.text}” goes to {link.url}.",
            )
        )
    elif forms:
        results.append(
            Result("account_available", PASS, forms[0].url, "A sign-in form with a password.")
        )
    else:
        results.append(
            Result(
                "account_available",
                FAIL,
                site.crawl.home,
                f"No link to sign in or to an account, and no sign-in form, on the "
                f"{len(site.pages)} pages read.",
            )
        )
    if home_links:
        results.append(
            Result(
                "account_promoted_home",
                PASS,
                site.crawl.home,
                f"The home page links to “{home_links[0].text}” ({home_links[0].url}).",
            )
        )
    else:
        results.append(
            Result(
                "account_promoted_home",
                FAIL,
                site.crawl.home,
                "The home page has no link to sign in or to an account.",
            )
        )
    # The page an account link leads to, or a sign-in form: does it say why before the form?
    landing: ParsedPage | None = None
    off_site = ""
    for link in any_link:
        landing = site.parsed(link.url)
        if landing is None and urlsplit(link.url).netloc != urlsplit(site.crawl.home).netloc:
            off_site = link.url
    if landing is None and forms:
        landing = forms[0]
    if results[0].result == FAIL:
        results.append(
            Result(
                "account_benefits_before_signup",
                FAIL,
                site.crawl.home,
                "There is no account whose benefits could be explained.",
            )
        )
    elif landing is None:
        results.append(
            Result(
                "account_benefits_before_signup",
                UNKNOWN,
                off_site or any_link[0].url,
                "The account's page is on another website or was not read, so what it says "
                "before sign-up could not be seen.",
            )
        )
    else:
        before = landing.text_before_form if landing.text_before_form is not None else ""
        if landing.text_before_form is None:
            before = landing.text
        hits = list(ACCOUNT_BENEFITS.finditer(before))
        if len(hits) >= 2:
            results.append(
                Result(
                    "account_benefits_before_signup",
                    PASS,
                    landing.url,
                    "Before the form: " + _snippet(before, hits[0].start(), hits[1].end()),
                )
            )
        else:
            results.append(
                Result(
                    "account_benefits_before_signup",
                    FAIL,
                    landing.url,
                    "The account's page does not say what an account lets you do before "
                    "asking you to sign up: " + (before[:140] or "(no text before the form)"),
                )
            )
    return results


def alert_checks(site: Site) -> list[Result]:
    results = []
    found: tuple[str, str] | None = None
    for read in site.pages:
        alerts, _n = site.alert_links(read)
        if alerts:
            found = (read.url, f"A link “{alerts[0].text}” goes to {alerts[0].url}.")
            break
        if ALERTS.search(read.names):
            found = (read.url, f"The page “{read.title or read.names}” is an alerts sign-up.")
            break
    if found:
        results.append(Result("alerts_available", PASS, found[0], found[1]))
    else:
        _a, newsletters = site.alert_links(site.home)
        note = (
            f" “{newsletters[0].text}” goes to a newsletter ({newsletters[0].url}), which is not "
            "an alert."
            if newsletters
            else ""
        )
        results.append(
            Result(
                "alerts_available",
                FAIL,
                site.crawl.home,
                f"No email alert sign-up on the {len(site.pages)} pages read.{note}",
            )
        )
    for check, kind, label in [
        ("alerts_promoted_home", "home", "home page"),
        ("alerts_promoted_jobs", "jobs", "jobs page"),
        ("alerts_promoted_planning", "planning", "planning page"),
    ]:
        key, page = _key(site, kind)
        if key is None:
            results.append(_missing(site, check, kind, label))
            continue
        if page is None:
            results.append(
                Result(check, UNKNOWN, key.url, f"The {label} was found but could not be read.")
            )
            continue
        alerts, newsletters = site.alert_links(page)
        if alerts:
            results.append(
                Result(
                    check,
                    PASS,
                    page.url,
                    f"The {label} links to “{alerts[0].text}” ({alerts[0].url}).",
                )
            )
        else:
            note = (
                f" Its “{newsletters[0].text}” goes to a newsletter, which is not an alert."
                if newsletters
                else ""
            )
            results.append(
                Result(check, FAIL, page.url, f"The {label} has no link to email alerts.{note}")
            )
    return results


def social_checks(site: Site) -> list[Result]:
    results = []
    for check, kind, label in [
        ("social_home", "home", "home page"),
        ("social_contact", "contact", "contact page"),
        ("social_emergencies", "emergencies", "emergencies page"),
    ]:
        key, page = _key(site, kind)
        if key is None:
            results.append(_missing(site, check, kind, label))
            continue
        if page is None:
            results.append(
                Result(check, UNKNOWN, key.url, f"The {label} was found but could not be read.")
            )
            continue
        social = [link for link in page.links if is_social(link.url)]
        if social:
            results.append(
                Result(
                    check,
                    PASS,
                    page.url,
                    f"The {label} links to {social[0].url}{_where(social[0])}"
                    + (f" and {len(social) - 1} more" if len(social) > 1 else "")
                    + ".",
                    {"links": sorted({link.url for link in social})},
                )
            )
        else:
            results.append(
                Result(check, FAIL, page.url, f"The {label} has no link to social media.")
            )
    with_footer = [p for p in site.pages if any(k.in_footer and is_social(k.url) for k in p.links)]
    share = len(with_footer) / len(site.pages)
    counted = f"{len(with_footer)} of the {len(site.pages)} pages read"
    if share >= FOOTER_SHARE:
        results.append(
            Result(
                "social_footer",
                PASS,
                with_footer[0].url,
                f"Social media links in the footer of {counted}.",
            )
        )
    else:
        results.append(
            Result(
                "social_footer",
                FAIL,
                site.crawl.home,
                f"Social media links in the footer of only {counted} "
                f"(at least {FOOTER_SHARE:.0%} wanted).",
            )
        )
    policy: tuple[str, str] | None = None
    for page in site.pages:
        if SOCIAL_POLICY.search(page.names):
            policy = (page.url, f"The page “{page.title}”.")
            break
        for link in page.links:
            if SOCIAL_POLICY.search(link.text):
                policy = (link.url, f"A link “{link.text}” on {page.url}.")
                break
        if policy:
            break
    if policy:
        results.append(Result("social_policy", PASS, policy[0], policy[1]))
    else:
        results.append(
            Result(
                "social_policy",
                FAIL,
                site.crawl.home,
                f"No social media policy on the {len(site.pages)} pages read.",
            )
        )
    return results


def nudge_check(site: Site) -> Result:
    key, page = _key(site, "contact")
    if key is None:
        return _missing(site, "online_nudge_contact", "contact", "contact page")
    if page is None:
        return Result(
            "online_nudge_contact", UNKNOWN, key.url, "The contact page could not be read."
        )
    nudge = NUDGE.search(page.text)
    phone = PHONE.search(page.text)
    if nudge and (phone is None or nudge.start() < phone.start()):
        return Result(
            "online_nudge_contact",
            PASS,
            page.url,
            "Online first: " + _snippet(page.text, nudge.start(), nudge.end()),
        )
    if phone is not None:
        evidence = "A phone number comes first: " + _snippet(page.text, phone.start(), phone.end())
    else:
        evidence = "The contact page does not point people online."
    return Result("online_nudge_contact", FAIL, page.url, evidence)


def councillor_check(site: Site) -> Result:
    key = site.key_pages.get("councillor")
    if key is not None and key.depth is not None:
        if key.depth <= MAX_CLICKS:
            return Result(
                "find_councillor",
                PASS,
                key.url,
                f"{key.depth} clicks from the home page ({key.why}).",
                {"clicks": key.depth},
            )
        return Result(
            "find_councillor",
            FAIL,
            key.url,
            f"{key.depth} clicks from the home page: more than {MAX_CLICKS}.",
            {"clicks": key.depth},
        )
    control = site.script_control(KINDS["councillor"])
    if control:
        return _missing(site, "find_councillor", "councillor", "“find your councillor” page")
    if site.crawl.budget_reached:
        return Result(
            "find_councillor",
            UNKNOWN,
            site.crawl.home,
            "Not found before the page budget ran out.",
        )
    return Result(
        "find_councillor",
        FAIL,
        site.crawl.home,
        f"No “find your councillor” page among the {len(site.pages)} pages read.",
    )


def _key_pages_read(site: Site) -> list[ParsedPage]:
    pages = []
    seen = set()
    for key in site.key_pages.values():
        page = site.parsed(key.url)
        if page is not None and page.url not in seen:
            seen.add(page.url)
            pages.append(page)
    return pages


def mobile_checks(site: Site, browser: list[BrowserFinding] | None) -> list[Result]:
    pages = _key_pages_read(site)
    missing = [p.url for p in pages if "width=device-width" not in (p.viewport or "").lower()]
    results = []
    if missing:
        results.append(
            Result(
                "mobile_viewport",
                FAIL,
                missing[0],
                f"{len(missing)} of {len(pages)} key pages have no viewport meta "
                "with width=device-width.",
                {"pages": missing},
            )
        )
    else:
        results.append(
            Result(
                "mobile_viewport",
                PASS,
                site.crawl.home,
                f'All {len(pages)} key pages have <meta name="viewport" '
                f'content="{site.home.viewport}">.',
            )
        )
    if browser is None:
        reason = "Chromium was not available, so the pages were not drawn."
        results.append(Result("mobile_no_overflow", UNKNOWN, site.crawl.home, reason))
        results.append(Result("accessibility", UNKNOWN, site.crawl.home, reason))
        return results
    drawn = [f for f in browser if not f.error]
    if not drawn:
        reason = (
            "Chromium could not draw the key pages: "
            + "; ".join(sorted({f.error for f in browser}))[:300]
        )
        results.append(Result("mobile_no_overflow", UNKNOWN, site.crawl.home, reason))
        results.append(Result("accessibility", UNKNOWN, site.crawl.home, reason))
        return results
    wide = [f for f in drawn if f.scroll_width > 375]
    if wide:
        results.append(
            Result(
                "mobile_no_overflow",
                FAIL,
                wide[0].url,
                f"{len(wide)} of {len(drawn)} key pages scroll sideways at 375 px "
                f"({wide[0].scroll_width} px wide).",
                {"pages": {f.url: f.scroll_width for f in wide}},
            )
        )
    else:
        results.append(
            Result(
                "mobile_no_overflow",
                PASS,
                drawn[0].url,
                f"None of the {len(drawn)} key pages scrolls sideways at 375 px.",
            )
        )
    rules: dict[str, int] = {}
    for finding in drawn:
        for rule, count in finding.violations.items():
            rules[rule] = rules.get(rule, 0) + count
    total = sum(rules.values())
    worst = next((f for f in drawn if f.violations), drawn[0])
    detail = {"rules": dict(sorted(rules.items())), "pages": len(drawn)}
    if total:
        listed = ", ".join(f"{rule} ({n})" for rule, n in sorted(rules.items()))
        results.append(
            Result(
                "accessibility",
                FAIL,
                worst.url,
                f"{total} axe violations on {len(drawn)} key pages: {listed}.",
                detail,
            )
        )
    else:
        results.append(
            Result(
                "accessibility",
                PASS,
                worst.url,
                f"0 axe violations on {len(drawn)} key pages.",
                detail,
            )
        )
    return results


def broken_links_check(site: Site, statuses: dict[str, int]) -> Result:
    """`statuses`: the status of each link on the key pages that was asked (this host only)."""
    broken = {url: status for url, status in statuses.items() if status == 0 or status >= 400}
    if broken:
        first = sorted(broken)[0]
        return Result(
            "broken_links",
            FAIL,
            first,
            f"{len(broken)} of {len(statuses)} links on the key pages are broken: "
            f"{first} answered {broken[first] or 'nothing'}.",
            {"links": dict(sorted(broken.items()))},
        )
    return Result(
        "broken_links",
        PASS,
        site.crawl.home,
        f"All {len(statuses)} links on the key pages to this website work.",
    )


def key_page_links(site: Site) -> list[str]:
    """The links on the key pages to the council's own host, each once."""
    host = urlsplit(site.crawl.home).netloc
    links: dict[str, None] = {}
    for page in _key_pages_read(site):
        for link in page.links:
            url = normalise(link.url)
            if urlsplit(url).netloc == host:
                links[url] = None
    return list(links)


def run_checks(
    site: Site, browser: list[BrowserFinding] | None, statuses: dict[str, int]
) -> list[Result]:
    results = [
        *account_checks(site),
        *alert_checks(site),
        *social_checks(site),
        nudge_check(site),
        councillor_check(site),
        *mobile_checks(site, browser),
        broken_links_check(site, statuses),
    ]
    order = {check: i for i, check in enumerate(IDS)}
    results.sort(key=lambda r: order[r.id])
    return results

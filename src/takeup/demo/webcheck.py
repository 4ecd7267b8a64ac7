"""Millbrook's website engagement checks: two stored runs, built directly rather than by
crawling (so `takeup demo` stays quick). The earlier one fails on alerts, social media, the
contact page, mobile overflow and a broken link; the later one has most of them fixed."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from takeup.organisations.models import Organisation
from takeup.webcheck.checks import FAIL, IDS, PASS, UNKNOWN, Result
from takeup.webcheck.models import Run
from takeup.webcheck.services import run_record

SITE = "https://www.millbrook.gov.uk"
KEY_PAGES = [
    ("home", f"{SITE}/", 0),
    ("contact", f"{SITE}/contact-us", 1),
    ("emergencies", f"{SITE}/emergencies", 1),
    ("jobs", f"{SITE}/jobs-and-careers", 1),
    ("planning", f"{SITE}/planning-and-building-control", 1),
    ("a_to_z", f"{SITE}/a-to-z", 1),
    ("councillor", f"{SITE}/council-and-democracy/find-your-councillor", 2),
]

# What each check found when everything passed: (page, evidence).
PASSED: dict[str, tuple[str, str]] = {
    "account_available": (
        f"{SITE}/my-millbrook",
        f"A link “My Millbrook account” goes to {SITE}/my-millbrook.",
    ),
    "account_promoted_home": (f"{SITE}/", "The home page links to “Sign in to My Millbrook”."),
    "account_benefits_before_signup": (
        f"{SITE}/my-millbrook",
        "Before the form: …With an account you can track your reports, pay your council tax "
        "any time and see your bin days…",
    ),
    "alerts_available": (f"{SITE}/alerts", "The page “Email alerts” is an alerts sign-up."),
    "alerts_promoted_home": (f"{SITE}/", "The home page links to “Get email alerts”."),
    "alerts_promoted_jobs": (f"{SITE}/jobs-and-careers", "The jobs page links to “Job alerts”."),
    "alerts_promoted_planning": (
        f"{SITE}/planning-and-building-control",
        "The planning page links to “Planning alerts near you”.",
    ),
    "social_home": (
        f"{SITE}/",
        "The home page links to https://www.facebook.com/millbrookcc (in the footer) and 2 more.",
    ),
    "social_contact": (
        f"{SITE}/contact-us",
        "The contact page links to "
        "https://www.facebook.com/millbrookcc (in the footer) and 2 more.",
    ),
    "social_emergencies": (
        f"{SITE}/emergencies",
        "The emergencies page links to https://x.com/millbrookcc and 2 more.",
    ),
    "social_footer": (f"{SITE}/", "Social media links in the footer of 412 of the 416 pages read."),
    "social_policy": (f"{SITE}/social-media-policy", "The page “Our social media policy”."),
    "online_nudge_contact": (
        f"{SITE}/contact-us",
        "Online first: Save time. Do it online: report, pay or apply any time…",
    ),
    "find_councillor": (
        f"{SITE}/council-and-democracy/find-your-councillor",
        "2 clicks from the home page.",
    ),
    "mobile_viewport": (
        f"{SITE}/",
        'All 7 key pages have <meta name="viewport" '
        'content="width=device-width, initial-scale=1">.',
    ),
    "mobile_no_overflow": (f"{SITE}/", "None of the 7 key pages scrolls sideways at 375 px."),
    "accessibility": (f"{SITE}/", "0 axe violations on 7 key pages."),
    "broken_links": (f"{SITE}/", "All 164 links on the key pages to this website work."),
}
EARLIER: dict[str, tuple[str, str, str]] = {
    "account_benefits_before_signup": (
        UNKNOWN,
        "https://myaccount.millbrook.gov.uk/",
        "The account's page is on another website or was not read, so what it says before "
        "sign-up could not be seen.",
    ),
    "alerts_promoted_home": (
        FAIL,
        f"{SITE}/",
        "The home page has no link to email alerts. "
        "Its “Sign up” goes to a newsletter, which is not an alert.",
    ),
    "alerts_promoted_jobs": (
        FAIL,
        f"{SITE}/jobs-and-careers",
        "The jobs page has no link to email alerts.",
    ),
    "social_contact": (FAIL, f"{SITE}/contact-us", "The contact page has no link to social media."),
    "social_emergencies": (
        FAIL,
        f"{SITE}/emergencies",
        "The emergencies page has no link to social media.",
    ),
    "social_footer": (
        FAIL,
        f"{SITE}/",
        "Social media links in the footer of only 37 of the 402 pages read (at least 80% wanted).",
    ),
    "social_policy": (FAIL, f"{SITE}/", "No social media policy on the 402 pages read."),
    "online_nudge_contact": (
        FAIL,
        f"{SITE}/contact-us",
        "A phone number comes first: …Call us on 01632 960 000 Monday to Friday, 9am to 5pm…",
    ),
    "mobile_no_overflow": (
        FAIL,
        f"{SITE}/planning-and-building-control",
        "1 of 7 key pages scroll sideways at 375 px (912 px wide).",
    ),
    "accessibility": (
        FAIL,
        f"{SITE}/",
        "6 axe violations on 7 key pages: color-contrast (4), image-alt (2).",
    ),
    "broken_links": (
        FAIL,
        f"{SITE}/jobs-and-careers/old-vacancies",
        "2 of 158 links on the "
        "key pages are broken: https://www.millbrook.gov.uk/jobs-and-careers/"
        "old-vacancies answered 404.",
    ),
}
LATER: dict[str, tuple[str, str, str]] = {
    "social_policy": (FAIL, f"{SITE}/", "No social media policy on the 416 pages read."),
    "accessibility": (FAIL, f"{SITE}/", "2 axe violations on 7 key pages: color-contrast (2)."),
}
DETAIL = {"accessibility": {"rules": {"color-contrast": 4, "image-alt": 2}, "pages": 7}}


def _results(changes: dict[str, tuple[str, str, str]]) -> list[Result]:
    results = []
    for check in IDS:
        if check in changes:
            outcome, url, evidence = changes[check]
        else:
            outcome, (url, evidence) = PASS, PASSED[check]
        results.append(Result(check, outcome, url, evidence, dict(DETAIL.get(check, {}))))
    return results


def demo_webcheck_create(org: Organisation, *, end: datetime | None = None) -> list[Run]:
    """Two checks of Millbrook's website: three months ago, and last week."""
    now = end or timezone.now()
    day = timezone.make_aware(datetime.combine(now.date(), time(6, 30)))
    later_detail = {"accessibility": {"rules": {"color-contrast": 2}, "pages": 7}}
    earlier = run_record(
        organisation=org,
        url=f"{SITE}/",
        results=_results(EARLIER),
        when=day - timedelta(days=91),
        pages_read=402,
        key_pages=KEY_PAGES,
    )
    later_results = _results(LATER)
    for result in later_results:
        result.detail = dict(later_detail.get(result.id, {}))
    later = run_record(
        organisation=org,
        url=f"{SITE}/",
        results=later_results,
        when=day - timedelta(days=6),
        pages_read=416,
        key_pages=KEY_PAGES,
    )
    return [earlier, later]


def demo_peer_checks(peers: list[Organisation], *, end: datetime | None = None) -> list[Run]:
    """One check each for the councils Millbrook is compared with, some better and some worse,
    so that the league table has a field."""
    now = end or timezone.now()
    day = timezone.make_aware(datetime.combine(now.date(), time(7)))
    failures = list(EARLIER.items())
    return [
        run_record(
            organisation=peer,
            url=f"https://www.{peer.slug}.gov.uk/",
            results=_results(dict(failures[: (3 * number) % (len(failures) + 1)])),
            when=day - timedelta(days=10 + number),
            pages_read=300 + 20 * number,
            key_pages=[],
        )
        for number, peer in enumerate(peers)
    ]

"""Millbrook's digital principles: a few services' checklists (one improving over the year), the
actions they led to, visitor parking's road to online only, two recorded phone messages (one that
sends callers online, one that does not) and findability's words with a history of searches."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from takeup.principles.models import (
    Action,
    ChecklistItem,
    PhoneMessage,
    ScoreSnapshot,
    SearchResult,
    SearchTerm,
    SiteSearch,
    Stage,
)

from .volumes import ONLINE_ONLY_SLUG, online_only_day

# service slug → item → (result, evidence), as staff and the page reading left them.
CHECKLISTS = {
    "pay-council-tax": {
        "promoted_everywhere": ("pass", "Pay online is the first link on the council tax pages"),
        "no_phone_published": ("fail", "Call 01632 960 123 to pay by card"),
        "no_email_published": ("pass", "No email address in the page's text."),
        "no_post_or_cheques": ("fail", "Send a cheque payable to Millbrook City Council"),
    },
    "report-a-missed-bin": {
        "promoted_everywhere": ("pass", "On the home page and the bins pages"),
        "no_phone_published": ("pass", "No phone number in the page's text."),
        "no_email_published": ("pass", "No email address in the page's text."),
        "no_post_or_cheques": ("pass", "No cheque or postal address asked for on the page."),
    },
    "apply-for-a-blue-badge": {
        "promoted_everywhere": ("unknown", ""),
        "no_phone_published": ("fail", "Ring 01632 960 456 for a paper form"),
        "no_email_published": ("fail", "bluebadge@millbrook.gov.uk"),
        "no_post_or_cheques": ("pass", "No cheque or postal address asked for on the page."),
    },
}


def demo_principles_create(org: Organisation, *, end: date) -> None:
    services = {s.slug: s for s in Service.objects.filter(organisation=org)}
    year_ago = end - timedelta(days=365)
    for slug, items in CHECKLISTS.items():
        service = services.get(slug)
        if service is None:
            continue
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                organisation=org,
                service=service,
                item=item,
                result=result,
                evidence=evidence,
                evidence_url=service.online_url,
                source=ChecklistItem.Source.PAGE
                if result != "unknown"
                else ChecklistItem.Source.STAFF,
            )
            for item, (result, evidence) in items.items()
        )
        passed = sum(1 for r, _e in items.values() if r == "pass")
        answered = sum(1 for r, _e in items.values() if r != "unknown")
        # A year ago each of these met one principle fewer: the history shows the gain.
        ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    organisation=org,
                    service=service,
                    day=year_ago,
                    passed=max(0, passed - 1),
                    answered=answered,
                ),
                ScoreSnapshot(
                    organisation=org, service=service, day=end, passed=passed, answered=answered
                ),
            ]
        )
    tax, badge = services.get("pay-council-tax"), services.get("apply-for-a-blue-badge")
    if tax is not None:
        Action.objects.bulk_create(
            [
                Action(
                    organisation=org,
                    service=tax,
                    item="no_phone_published",
                    text="Take the card payment line off the page; the contact centre keeps it",
                    owner="Revenues and web team",
                    due_on=end + timedelta(days=45),
                ),
                Action(
                    organisation=org,
                    service=tax,
                    item="no_post_or_cheques",
                    text="Stop asking for cheques on the payment page",
                    owner="Revenues",
                    due_on=end - timedelta(days=10),
                ),
            ]
        )
    if badge is not None:
        Action.objects.create(
            organisation=org,
            service=badge,
            item="no_email_published",
            text="Replace the Blue Badge mailbox with the online form",
            owner="Adult social care",
            due_on=end - timedelta(days=60),
            done_on=end - timedelta(days=70),
        )
    parking = services.get(ONLINE_ONLY_SLUG)
    if parking is not None:
        switch = online_only_day(end)
        Stage.objects.bulk_create(
            Stage(
                organisation=org, service=parking, stage=stage, planned_on=planned, actual_on=actual
            )
            for stage, planned, actual in (
                ("live", date(2020, 4, 1), date(2020, 4, 1)),
                ("online_only", switch - timedelta(days=30), switch),
            )
        )
    reason = services.get("report-a-missed-bin")
    PhoneMessage.objects.bulk_create(
        [
            PhoneMessage(
                organisation=org,
                kind=PhoneMessage.Kind.OUT_OF_HOURS,
                number="01632 960 000",
                text=(
                    "Thank you for calling Millbrook City Council. Our offices are now closed. "
                    "You can report a missed bin, pay your council tax and much more online at "
                    "millbrook dot gov dot uk, at any time."
                ),
                reason=reason,
                last_checked_on=end - timedelta(days=40),
            ),
            PhoneMessage(
                organisation=org,
                kind=PhoneMessage.Kind.BUSY,
                number="01632 960 000",
                text="All our advisers are busy. Please hold and your call will be answered.",
                reason=reason,
                last_checked_on=end - timedelta(days=200),
            ),
        ]
    )
    SiteSearch.objects.create(
        organisation=org, url_template="https://www.millbrook.gov.uk/search?q={terms}"
    )
    for words, path, ranks in (
        ("Break for carers", "/adult-care/carers/breaks", [9, 8, 3]),
        ("Respite care", "/adult-care/carers/breaks", [2, 2, 1]),
        ("Bin not collected", "/bins/missed", [None, 6, 4]),
    ):
        term = SearchTerm.objects.create(
            organisation=org, terms=words, expected_url=f"https://www.millbrook.gov.uk{path}"
        )
        for weeks_ago, rank in zip((8, 4, 0), ranks, strict=True):
            SearchResult.objects.create(
                term=term,
                checked_at=timezone.make_aware(
                    datetime.combine(end - timedelta(weeks=weeks_ago), time(6))
                ),
                rank=rank,
                found=[],
            )

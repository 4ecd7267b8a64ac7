"""Millbrook's six past campaigns, with the effect each had. Pure: no Django.

The lifts are built into the demo volumes (extra web transactions, the same number fewer by
phone and in person), so the estimates on the campaign pages have something real to find.
Arrivals through the tracked links follow each activity's dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .volumes import ONLINE_ONLY_SLUG, online_only_day

CARE = "ask-about-adult-social-care"
CARE_DIRECTORY = "find-care-and-support-services"
BLUE_BADGE = "apply-for-a-blue-badge"
BINS = "report-a-missed-bin"
PCN = "pay-a-penalty-charge-notice"


@dataclass(frozen=True)
class DemoActivity:
    medium: str
    place: str
    cost_pence: int
    arrivals_a_day: float
    qr_share: float = 0.0
    referrer: str = ""
    vanity: str = ""
    ward: str = ""
    start: date | None = None  # the campaign's dates unless given
    end: date | None = None


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    objective: str
    audience: str
    services: tuple[str, ...]
    start: date
    end: date
    budget_pence: int
    lift: float  # extra share of web transactions while it runs (half as much for 14 days after)
    activities: tuple[DemoActivity, ...]
    phase: str = ""
    parent: str = ""


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def demo_campaigns(end: date) -> list[DemoCampaign]:
    """The campaigns, dated back from the last day of the demo figures."""
    kirklees_year = end.year - 1 if end < date(end.year, 12, 1) + timedelta(days=70) else end.year
    march = _monday(date(kirklees_year, 3, 7))
    december = _monday(date(kirklees_year, 12, 7))
    facebook = _monday(end - timedelta(days=250))
    leaflets = _monday(end - timedelta(days=140))
    radio = _monday(end - timedelta(days=90))
    phone = _monday(end - timedelta(days=330))
    switch = online_only_day(end)
    return [
        DemoCampaign(
            name="Care online: Facebook",
            objective="More first enquiries about adult social care made online, by family "
            "and friends who look on behalf of someone.",
            audience="Adults aged 40 to 65 in Millbrook who care for a parent",
            services=(CARE,),
            start=facebook,
            end=facebook + timedelta(days=27),
            budget_pence=150_000,
            lift=0.30,
            activities=(
                DemoActivity(
                    "facebook",
                    "Facebook and Instagram, Millbrook",
                    150_000,
                    22,
                    0.0,
                    "l.facebook.com",
                ),
            ),
        ),
        DemoCampaign(
            name="Care online: GP surgery leaflets",
            objective="Tell people waiting at the GP that they can ask about care online.",
            audience="Older residents and their carers",
            services=(CARE, CARE_DIRECTORY),
            start=leaflets,
            end=leaflets + timedelta(days=41),
            budget_pence=90_000,
            lift=0.15,
            activities=(
                DemoActivity("leaflet", "12 GP surgeries", 60_000, 6, 0.85),
                DemoActivity("poster", "3 libraries", 30_000, 2, 0.9, ward="Millbrook Central"),
            ),
        ),
        DemoCampaign(
            name="Blue Badge online: texts to carers",
            objective="Test texts and letters to registered carers before a bigger push.",
            audience="4,200 registered carers",
            services=(BLUE_BADGE,),
            start=march,
            end=march + timedelta(days=27),
            budget_pence=1_000_000,
            lift=0.30,
            phase="Phase 1",
            activities=(
                DemoActivity("text", "4,200 carers", 40_000, 5),
                DemoActivity("letter", "1,100 carers without a mobile", 600_000, 1, 0.7),
                DemoActivity("briefing", "Carers' centre staff", 360_000, 0.5),
            ),
        ),
        DemoCampaign(
            name="Blue Badge online: texts to carers, phase 2",
            objective="Repeat phase 1's texts, which worked, and drop the letters, which did not.",
            audience="4,200 registered carers",
            services=(BLUE_BADGE,),
            start=december,
            end=december + timedelta(days=27),
            budget_pence=1_000_000,
            lift=0.45,
            phase="Phase 2",
            parent="Blue Badge online: texts to carers",
            activities=(
                DemoActivity("text", "4,200 carers, two texts", 80_000, 8),
                DemoActivity("briefing", "Carers' centre and GP practice staff", 420_000, 0.8),
            ),
        ),
        DemoCampaign(
            name="Millbrook FM: report a missed bin online",
            objective="A two-week radio test before committing the larger budget.",
            audience="Listeners to Millbrook FM's breakfast show",
            services=(BINS,),
            start=radio,
            end=radio + timedelta(days=13),
            budget_pence=200_000,
            lift=0.08,
            activities=(
                DemoActivity("radio", "Millbrook FM breakfast show", 200_000, 9, 0.0, "", "bins"),
            ),
        ),
        DemoCampaign(
            name="Out-of-hours phone message: pay a PCN online",
            objective="Callers who ring when the office is shut hear how to pay online.",
            audience="People who ring the parking line out of hours",
            services=(PCN,),
            start=phone,
            end=phone + timedelta(days=55),
            budget_pence=25_000,
            lift=0.10,
            activities=(
                DemoActivity("phone-message", "Parking line, evenings and weekends", 25_000, 4),
            ),
        ),
        DemoCampaign(
            name="Visitor parking permits go online-only",
            objective="Move visitor parking permits online, with help by phone for those "
            "who need it.",
            audience="Every resident permit holder",
            services=(ONLINE_ONLY_SLUG,),
            start=switch - timedelta(days=28),
            end=switch + timedelta(days=27),
            budget_pence=350_000,
            lift=0.0,  # the switch itself is in the volumes
            activities=(
                DemoActivity("letter", "8,000 permit holders", 300_000, 30, 0.6),
                DemoActivity("website", "Parking pages", 0, 45, 0.0, "www.millbrook.gov.uk"),
                DemoActivity(
                    "drop-in",
                    "Central library help sessions",
                    50_000,
                    1,
                    0.0,
                    start=switch,
                    end=switch + timedelta(days=27),
                ),
            ),
        ),
    ]


def lifts(campaigns: list[DemoCampaign]) -> dict[str, list[tuple[date, date, float]]]:
    """For each service: (from, to, extra share of web) while a campaign runs and after it."""
    out: dict[str, list[tuple[date, date, float]]] = {}
    for c in campaigns:
        if not c.lift:
            continue
        for slug in c.services:
            out.setdefault(slug, []).append((c.start, c.end, c.lift))
            out[slug].append((c.end + timedelta(days=1), c.end + timedelta(days=14), c.lift / 2))
    return out

"""Three years of daily volumes by channel for Millbrook's services. Pure: no Django.

Each service gets: a scale (transactions a year), weekly and yearly seasonality, a digital share
rising along its own S-curve from the day it went online, and channel splits for the rest.
Council tax peaks in March (annual bills); garden waste in February and March (renewals).
Visitor parking permits go online-only (Newham-style) on a fixed date: almost all online after.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

# Transactions a year, at the scale of a typical unitary council; the rest scale by kind.
ANNUAL = {
    "pay-council-tax": 420_000,
    "report-a-missed-bin": 36_000,
    "apply-for-a-visitor-parking-permit": 60_000,
    "renew-library-books": 150_000,
    "ask-about-adult-social-care": 9_000,
    "subscribe-to-garden-waste-collection": 28_000,
    "report-a-pothole": 12_000,
    "pay-a-penalty-charge-notice": 55_000,
    "apply-for-a-blue-badge": 6_500,
    "book-a-bulky-waste-collection": 14_000,
}
BY_KIND = {
    "pay": 30_000,
    "apply": 5_000,
    "report": 8_000,
    "book": 7_000,
    "ask": 4_000,
    "find": 20_000,
}
WEEKDAY = {
    "web": [1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65],
    "office": [1.15, 1.05, 1.0, 1.0, 0.95, 0.2, 0.0],
}
ONLINE_ONLY_SLUG = "apply-for-a-visitor-parking-permit"


def online_only_day(end: date) -> date:
    """When the demo's visitor parking permits went online-only: April of the year before."""
    return date(end.year - 1, 4, 1)


# Calls and visits per transaction in the offline channels: chasing progress and failure demand
# come on top of the transactions themselves.
CONTACTS_PER_TRANSACTION = {"phone": 1.45, "face-to-face": 1.2}


@dataclass(frozen=True)
class ServicePlan:
    slug: str
    kind: str
    area: str
    online_since: date | None


@dataclass(frozen=True)
class DemoVolume:
    slug: str
    channel: str
    day: date
    measure: str
    count: int


def _share_online(
    plan: ServicePlan,
    day: date,
    start: date,
    rng_speed: float,
    floor: float,
    ceiling: float,
    online_only: date,
) -> float:
    if plan.online_since is None or day < plan.online_since:
        return 0.0
    if plan.slug == ONLINE_ONLY_SLUG and day >= online_only:
        return 0.985
    years = (day - max(plan.online_since, start - timedelta(days=365 * 4))).days / 365
    curve = 1 / (1 + math.exp(-rng_speed * (years - 2.5)))
    return floor + (ceiling - floor) * curve


def daily_volumes(
    plans: list[ServicePlan],
    end: date,
    years: int = 3,
    seed: int = 2026,
    lifts: dict[str, list[tuple[date, date, float]]] | None = None,
) -> Iterator[DemoVolume]:
    """lifts: per service, campaigns' extra share of web transactions, taken from the other
    channels (channel shift), so take-up moves and the total does not."""
    rng = random.Random(seed)
    lifts = lifts or {}
    start = end - timedelta(days=365 * years - 1)
    online_only = online_only_day(end)
    for plan in plans:
        annual = ANNUAL.get(plan.slug, BY_KIND.get(plan.kind, 5_000))
        daily = annual / 365
        speed = rng.uniform(0.6, 1.8)
        floor, ceiling = rng.uniform(0.15, 0.4), rng.uniform(0.6, 0.93)
        if plan.slug == ONLINE_ONLY_SLUG:
            ceiling = 0.62  # before the switch to online-only
        completion = rng.uniform(0.72, 0.9)
        phone_share = 0.75 if plan.area != "Adult social care" else 0.6
        # Contacts from their own stream, so that adding them left the transactions as they were.
        contact_rng = random.Random(f"{seed}-{plan.slug}-contacts")
        day = start
        while day <= end:
            season = 1 + 0.12 * math.sin((day.timetuple().tm_yday - 30) / 365 * 2 * math.pi)
            if plan.area == "Council tax" and day.month == 3:
                season *= 2.6
            if plan.slug == "subscribe-to-garden-waste-collection" and day.month in (2, 3):
                season *= 3.0
            expected = daily * season
            online = _share_online(plan, day, start, speed, floor, ceiling, online_only)
            weekday = day.weekday()
            web = expected * online * WEEKDAY["web"][weekday]
            offline = expected * (1 - online) * WEEKDAY["office"][weekday]
            lift = sum(x for a, b, x in lifts.get(plan.slug, ()) if a <= day <= b)
            if lift:
                extra = min(web * lift, offline * 0.9)
                web, offline = web + extra, offline - extra
            if plan.slug == ONLINE_ONLY_SLUG and day >= online_only:
                offline *= 0.3  # what is left is by phone, with help
            assisted = web * max(0.01, 0.06 - 0.01 * (day.year - start.year))
            mix = {
                "web": web - assisted,
                "assisted-digital": assisted,
                "phone": offline * phone_share,
                "face-to-face": offline * (0.9 - phone_share)
                if plan.slug != ONLINE_ONLY_SLUG or day < online_only
                else 0.0,
                "email": offline * 0.07,
                "post": offline * 0.03,
            }
            for channel, mean in mix.items():
                count = noisy(rng, mean)
                if count:
                    yield DemoVolume(plan.slug, channel, day, "transactions", count)
                if channel in CONTACTS_PER_TRANSACTION and mean > 0:
                    calls = noisy(contact_rng, mean * CONTACTS_PER_TRANSACTION[channel])
                    yield DemoVolume(plan.slug, channel, day, "contacts", calls)
            if mix["web"] > 0:
                started = noisy(rng, mix["web"] / completion)
                yield DemoVolume(
                    plan.slug, "web", day, "starts", max(started, noisy(rng, mix["web"]))
                )
            day += timedelta(days=1)


def noisy(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:  # Poisson by inversion for small counts
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))

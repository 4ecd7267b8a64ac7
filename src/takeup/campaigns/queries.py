"""Reads for the campaign pages, the API and the ledger's charts."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import Service
from takeup.ledger import queries as ledger_queries
from takeup.ledger.queries import Scope
from takeup.organisations.models import Organisation

from . import changepoints
from .models import (
    Activity,
    Annotation,
    Arrival,
    ArrivalVisitor,
    Campaign,
    EffectEstimate,
    ReportShare,
    TrackedLink,
    VisitorSalt,
)


class RedirectLink(NamedTuple):
    """What /go/<code> needs, read in one query."""

    pk: int
    code: str
    destination: str
    expires_on: date | None
    organisation_id: int
    allowed_domains: list[str]
    medium: str
    campaign_name: str
    salt: str | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> "RedirectLink":
        # SQLite gives JSON and dates back as text.
        domains = json.loads(row[5]) if isinstance(row[5], str) else row[5]
        expires = date.fromisoformat(row[3]) if isinstance(row[3], str) else row[3]
        return cls(row[0], row[1], row[2], expires, row[4], domains, *row[6:])


def link_for_redirect(code: str, day: date) -> RedirectLink | None:
    """The link with this code or easy-to-say address, its organisation's allowed domains and
    the day's visitor salt. Raw SQL, one round trip: the ORM's query building took longer than
    the database on every redirect (bench/redirect.py)."""
    link, org = TrackedLink._meta.db_table, Organisation._meta.db_table
    activity, campaign = Activity._meta.db_table, Campaign._meta.db_table
    salt = VisitorSalt._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.id, l.code, l.destination, l.expires_on, l.organisation_id, "  # noqa: S608
            f"o.allowed_domains, a.medium, c.name, "
            f"(SELECT s.salt FROM {salt} s WHERE s.day = %s) "
            f"FROM {link} l JOIN {org} o ON o.id = l.organisation_id "
            f"JOIN {activity} a ON a.id = l.activity_id JOIN {campaign} c ON c.id = a.campaign_id "
            f"WHERE l.code = %s OR l.vanity = %s LIMIT 1",
            [day, code, code],
        )
        row = cursor.fetchone()
    return RedirectLink.of(row) if row else None


@dataclass
class ActivityRow:
    activity: Activity
    arrivals: int = 0
    qr: int = 0
    visitors: int = 0
    estimate: EffectEstimate | None = None


@dataclass
class CampaignRow:
    campaign: Campaign
    cost_pence: int
    activities: list[ActivityRow] = field(default_factory=list)
    estimates: list[EffectEstimate] = field(default_factory=list)

    @property
    def arrivals(self) -> int:
        return sum(a.arrivals for a in self.activities)


def campaigns_for(organisation: Organisation) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(organisation=organisation)
        .select_related("parent")
        .prefetch_related("services", "activities__link")
    )


def arrivals_by_activity(
    organisation_id: int, activity_ids: list[int]
) -> dict[int, dict[str, int]]:
    """People (not bots) who arrived through each activity's link: all, by QR and unique."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"arrivals": 0, "qr": 0, "visitors": 0})
    for row in (
        Arrival.objects.filter(
            organisation_id=organisation_id, link__activity_id__in=activity_ids, is_bot=False
        )
        .values("link__activity_id")
        .annotate(n=Sum("count"), qr=Sum("count", filter=Q(via=Arrival.Via.QR)))
    ):
        out[row["link__activity_id"]].update(arrivals=row["n"] or 0, qr=row["qr"] or 0)
    for visitors in (
        ArrivalVisitor.objects.filter(link__activity_id__in=activity_ids)
        .values("link__activity_id")
        .annotate(n=Count("pk"))
    ):
        out[visitors["link__activity_id"]]["visitors"] = visitors["n"]
    return out


def arrivals_by_send(link: TrackedLink) -> dict[str, int]:
    """People (not bots) who arrived through a link, by the campaign send their message came
    from; "" for arrivals that came another way."""
    return dict(
        Arrival.objects.filter(organisation_id=link.organisation_id, link=link, is_bot=False)
        .values("send")
        .annotate(n=Sum("count"))
        .values_list("send", "n")
    )


def campaign_rows(campaigns: list[Campaign]) -> list[CampaignRow]:
    """Each campaign with its activities' arrivals and the latest estimates: the comparison."""
    activity_ids = [a.pk for c in campaigns for a in c.activities.all()]
    counts = arrivals_by_activity(campaigns[0].organisation_id, activity_ids) if campaigns else {}
    estimates: dict[int, list[EffectEstimate]] = defaultdict(list)
    for e in EffectEstimate.objects.filter(campaign__in=campaigns).select_related("service"):
        estimates[e.campaign_id].append(e)
    rows = []
    for c in campaigns:
        acts = list(c.activities.all())
        row = CampaignRow(
            campaign=c,
            cost_pence=sum(a.cost_pence for a in acts) or c.budget_pence,
            estimates=[e for e in estimates[c.pk] if e.activity_id is None],
        )
        for a in acts:
            found = next((e for e in estimates[c.pk] if e.activity_id == a.pk), None)
            row.activities.append(ActivityRow(a, **counts.get(a.pk, {}), estimate=found))
        rows.append(row)
    return rows


def arrivals_daily(campaign: Campaign) -> list[dict[str, Any]]:
    """Arrivals a day per activity (people only), for the campaign page's chart."""
    rows = (
        Arrival.objects.filter(
            organisation_id=campaign.organisation_id,
            link__activity__campaign=campaign,
            is_bot=False,
        )
        .values("day", "link__activity_id")
        .annotate(n=Sum("count"))
        .order_by("day")
    )
    names = {a.pk: str(a) for a in campaign.activities.all()}
    return [
        {
            "day": r["day"].isoformat(),
            "activity": names.get(r["link__activity_id"], ""),
            "n": r["n"],
        }
        for r in rows
    ]


def arrivals_breakdown(campaign: Campaign) -> dict[str, list[tuple[str, int]]]:
    """People's arrivals by device and by referring site; and how many bots were left out."""
    base = Arrival.objects.filter(
        organisation_id=campaign.organisation_id, link__activity__campaign=campaign
    )
    devices = dict(Arrival.Device.choices)
    return {
        "device": [
            (str(devices.get(r["device"], r["device"])), r["n"])
            for r in base.filter(is_bot=False)
            .values("device")
            .annotate(n=Sum("count"))
            .order_by("-n")
        ],
        "referrer": [
            (r["referrer_host"] or "", r["n"])
            for r in base.filter(is_bot=False)
            .values("referrer_host")
            .annotate(n=Sum("count"))
            .order_by("-n")[:10]
        ],
        "bots": [("", base.filter(is_bot=True).aggregate(n=Sum("count"))["n"] or 0)],
    }


@dataclass(frozen=True)
class Band:
    start: date
    end: date
    label: str


def chart_bands(organisation_id: int, service_id: int | None, start: date, end: date) -> list[Band]:
    """Campaigns, activities and notes that touch a service (or any, when None) in a window."""
    bands: list[Band] = []
    campaigns = Campaign.objects.filter(
        organisation_id=organisation_id, starts_on__lte=end, ends_on__gte=start
    )
    activities = Activity.objects.filter(
        organisation_id=organisation_id, starts_on__lte=end, ends_on__gte=start
    ).select_related("campaign")
    notes = Annotation.objects.filter(organisation_id=organisation_id, starts_on__lte=end).filter(
        Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start)
    )
    if service_id is not None:
        campaigns = campaigns.filter(services=service_id)
        activities = activities.filter(campaign__services=service_id)
        notes = notes.filter(Q(services=service_id) | Q(services__isnull=True))
    bands += [Band(c.starts_on, c.ends_on, c.name) for c in campaigns.distinct()]
    bands += [
        Band(a.starts_on, a.ends_on, f"{a.campaign.name}: {a}")
        for a in activities.distinct()
        if (a.starts_on, a.ends_on) != (a.campaign.starts_on, a.campaign.ends_on)
    ]
    bands += [Band(n.starts_on, n.ends_on or n.starts_on, n.text) for n in notes.distinct()]
    return sorted(bands, key=lambda b: b.start)


def daily_digital(
    organisation: Organisation, service_ids: list[int], start: date, end: date
) -> dict[int, dict[date, float]]:
    """Daily digital self-service transactions per service, from daily figures only."""
    scope = Scope(organisation.pk, start, end, tuple(service_ids))
    return ledger_queries.daily_take_up_transactions(scope)


def total_transactions(service: Service, start: date, end: date) -> int:
    scope = Scope(service.organisation_id, start, end, (service.pk,))
    return ledger_queries.transactions_total(scope)


def latest_daily(service: Service) -> date | None:
    return ledger_queries.latest_daily_transactions(service.organisation_id, service.pk)


def busy_services(organisation: Organisation, start: date, end: date) -> set[int]:
    """Services some campaign promoted during the window: never controls."""
    return set(
        Campaign.services.through.objects.filter(
            campaign__organisation=organisation,
            campaign__starts_on__lte=end,
            campaign__ends_on__gte=start,
        ).values_list("service_id", flat=True)
    )


# A campaign's effect outlasts it (estimates include 28 days after by default): a break that
# soon after a campaign or an activity ends is the campaign's, not a mystery.
AFTER_EFFECT_DAYS = 28
LONGEST_AFTER_DAYS = 180  # EstimateForm's limit


def _campaign_spans(service: Service, lo: date, hi: date) -> list[tuple[date, date]]:
    """(start, end of the after-effect window) of each campaign and activity on the service
    near the breaks; the window is the longest a run of that campaign used, at least 28 days."""
    after = Coalesce(Max("runs__after_days"), Value(AFTER_EFFECT_DAYS))
    campaigns = list(
        Campaign.objects.filter(
            services=service,
            starts_on__lte=hi,
            ends_on__gte=lo - timedelta(days=LONGEST_AFTER_DAYS),
        ).annotate(after=after)
    )
    spans = [
        (c.starts_on, c.ends_on + timedelta(days=max(c.after, AFTER_EFFECT_DAYS)))
        for c in campaigns
    ]
    after_of = {c.pk: max(c.after, AFTER_EFFECT_DAYS) for c in campaigns}
    spans += [
        (a.starts_on, a.ends_on + timedelta(days=after_of.get(a.campaign_id, AFTER_EFFECT_DAYS)))
        for a in Activity.objects.filter(
            campaign__services=service,
            starts_on__lte=hi,
            ends_on__gte=lo - timedelta(days=LONGEST_AFTER_DAYS),
        )
    ]
    return spans


def unexplained_breaks(service: Service, breaks: list[date]) -> list[date]:
    """Change-points with no campaign, activity or note on this service to explain them: none
    starting within two weeks after the break, none ending within two weeks before it, and no
    campaign or activity whose after-effect window (AFTER_EFFECT_DAYS) holds it."""
    if not breaks:
        return []
    window = timedelta(days=14)
    lo, hi = min(breaks) - window, max(breaks) + window
    spans = _campaign_spans(service, lo, hi)
    spans += [
        (n.starts_on, n.ends_on or n.starts_on)
        for n in Annotation.objects.filter(
            Q(services=service) | Q(services__isnull=True),
            organisation_id=service.organisation_id,
            starts_on__lte=hi,
        ).distinct()
    ]
    return [
        day
        for day in breaks
        if not any(start - window <= day <= end + window for start, end in spans)
    ]


@dataclass(frozen=True)
class ServiceNotes:
    """What the ledger's service page shows beside its charts."""

    bands: list[tuple[str, str, str]]
    breaks: list[date]


def service_notes(service: Service, start: date, end: date) -> ServiceNotes:
    """Campaigns and notes as chart bands, and breaks in the last two years' weekly take-up
    that nothing explains."""
    bands = chart_bands(service.organisation_id, service.pk, start, end)
    history_start = end - timedelta(days=2 * 365)
    history_start -= timedelta(days=history_start.weekday())
    last_whole = end - timedelta(days=end.weekday() + 7)
    digital: dict[date, float] = defaultdict(float)
    totals: dict[date, float] = defaultdict(float)
    scope = Scope(
        service.organisation_id, history_start, last_whole + timedelta(days=6), (service.pk,)
    )
    for day, n, online in ledger_queries.daily_transactions_with_take_up(scope):
        week = day - timedelta(days=day.weekday())
        totals[week] += n
        digital[week] += online
    weeks = sorted(totals)
    found = changepoints.breaks(weeks, [digital[w] for w in weeks], [totals[w] for w in weeks])
    return ServiceNotes(
        bands=[(b.start.isoformat(), b.end.isoformat(), b.label) for b in bands],
        breaks=unexplained_breaks(service, found),
    )


def activity_of(organisation: Organisation, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("campaign", "link"), organisation=organisation, pk=pk
    )


def campaign_of(organisation: Organisation, pk: int) -> Campaign:
    return get_object_or_404(Campaign, organisation=organisation, pk=pk)


def campaign_by_id(organisation: Organisation, pk: int) -> Campaign | None:
    return Campaign.objects.filter(organisation=organisation, pk=pk).first()


def notes_of(organisation: Organisation) -> QuerySet[Annotation]:
    return Annotation.objects.filter(organisation=organisation).prefetch_related("services")


def shares_of(campaign: Campaign) -> QuerySet[ReportShare]:
    return ReportShare.objects.filter(campaign=campaign)


def share_of(campaign: Campaign, pk: int) -> ReportShare:
    return get_object_or_404(ReportShare, campaign=campaign, pk=pk)


def campaign_windows(organisation_id: int) -> dict[int, list[tuple[date, date]]]:
    """When each service was promoted: its campaigns' dates, for the forecasts to fit as
    temporary effects (named in the setting TAKEUP_SERVICE_CAMPAIGNS; the ledger asks)."""
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for service_id, start, end in Campaign.services.through.objects.filter(
        campaign__organisation_id=organisation_id
    ).values_list("service_id", "campaign__starts_on", "campaign__ends_on"):
        windows[service_id].append((start, end))
    return dict(windows)

"""Reads for the comparison, always through the organisation asking: the peers it may compare
with are the organisations of its kind that share their figures, and only while it shares too.

Each read is one GROUP BY over every peer at once, so the page makes the same number of queries
however many services and councils there are."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum

from takeup.catalogue.models import Channel, Service
from takeup.insight.models import Response
from takeup.insight.stats import Answers
from takeup.ledger import periods
from takeup.ledger.models import Measure, PublishedFigure, VolumeMonth
from takeup.ledger.queries import ChannelFlags, latest_date
from takeup.organisations.models import Organisation

from .reference import GOVUK_LGSL


def latest_quarter(organisation: Organisation) -> periods.Range | None:
    """The latest calendar quarter the organisation's figures cover to its end."""
    latest = latest_date(organisation)
    return None if latest is None else periods.last_complete("quarter", latest)


def peers_of(organisation: Organisation) -> QuerySet[Organisation]:
    """Other organisations of the same kind that share their figures; none unless this one
    shares too."""
    if not organisation.shares_figures:
        return Organisation.objects.none()
    return Organisation.objects.filter(kind=organisation.kind, shares_figures=True).exclude(
        pk=organisation.pk
    )


def coded_services(organisation: Organisation) -> QuerySet[Service]:
    """The organisation's active services with an LGSL code."""
    return Service.objects.filter(
        organisation=organisation, active=True, lgsl__isnull=False
    ).order_by("lgsl", "name")


@dataclass
class CodeCounts:
    """One organisation's transactions by channel for one LGSL code in a quarter, and their cost
    at the unit costs in force (from the ledger's monthly totals)."""

    counts: dict[int, int] = field(default_factory=dict)
    cost_pence: int = 0
    uncosted: set[int] = field(default_factory=set)  # transactions but no unit cost


def quarter_by_code(
    organisation_ids: Collection[int], codes: Collection[int], quarter: periods.Range
) -> dict[tuple[int, int], CodeCounts]:
    """(organisation, LGSL code) → its transactions by channel and their cost, over the
    quarter's whole months; an organisation's services with one code are added together."""
    rows = (
        VolumeMonth.objects.filter(
            organisation_id__in=organisation_ids,
            measure=Measure.TRANSACTIONS,
            month__gte=quarter.start,
            month__lte=quarter.end,
            service__lgsl__in=codes,
            service__active=True,
        )
        .values("organisation_id", "service__lgsl", "channel_id")
        .annotate(n=Sum("count"), cost=Sum("cost_pence"))
        .order_by()
    )
    out: dict[tuple[int, int], CodeCounts] = {}
    for row in rows:
        key = (row["organisation_id"], int(row["service__lgsl"] or 0))
        found = out.setdefault(key, CodeCounts())
        found.counts[row["channel_id"]] = row["n"]
        found.cost_pence += int(row["cost"] or 0)
        if row["cost"] is None and row["n"]:
            found.uncosted.add(row["channel_id"])
    return out


def channel_flags(organisation_ids: Collection[int]) -> dict[int, ChannelFlags]:
    """Each organisation's channels as the ledger reads them (ChannelFlags.of), in one query."""
    by_org: dict[int, list[Channel]] = defaultdict(list)
    for channel in Channel.objects.filter(organisation_id__in=organisation_ids):
        by_org[channel.organisation_id].append(channel)
    return {
        org_id: ChannelFlags(
            digital=frozenset(c.pk for c in channels if c.counts_towards_take_up),
            assisted_digital=frozenset(c.pk for c in channels if c.is_assisted_digital),
            names={c.pk: c.name for c in channels},
            order=tuple(c.pk for c in channels),
            no_cost=frozenset(c.pk for c in channels if c.no_cost),
        )
        for org_id, channels in by_org.items()
    }


def answers_by_code(
    organisation_ids: Collection[int], codes: Collection[int], quarter: periods.Range
) -> dict[tuple[int, int], list[Answers]]:
    """(organisation, LGSL code) → the exit-survey answers about its services in the quarter
    that answered the satisfaction question."""
    rows = Response.objects.filter(
        Q(answers__has_key="satisfaction"),
        organisation_id__in=organisation_ids,
        service__lgsl__in=codes,
        received_at__date__gte=quarter.start,
        received_at__date__lte=quarter.end,
    ).values_list("organisation_id", "service__lgsl", "answers")
    out: dict[tuple[int, int], list[Answers]] = defaultdict(list)
    for org_id, code, answers in rows:
        out[(org_id, int(code or 0))].append(answers)
    return out


@dataclass(frozen=True)
class ReferenceFigure:
    code: int
    service: str  # as GOV.UK published it
    period_end: date
    months: int
    transactions: int | None
    digital_transactions: int | None
    cost_per_transaction: float | None


def central_government(
    organisation: Organisation, codes: Collection[int]
) -> dict[int, ReferenceFigure]:
    """The latest quarter GOV.UK published for the central government services mapped to these
    codes (reference.GOVUK_LGSL), as imported by this organisation or, while it shares, by any
    organisation that shares (these are published figures, whoever imported them)."""
    names = {name: code for name, code in GOVUK_LGSL.items() if code in codes}
    if not names:
        return {}
    orgs = Q(organisation=organisation)
    if organisation.shares_figures:
        orgs |= Q(organisation__shares_figures=True)
    kinds = ("transactions", "digital_transactions", "cost_per_transaction")
    figures: dict[tuple[str, date], dict[str, Any]] = defaultdict(dict)
    for name, kind, end, value in PublishedFigure.objects.filter(
        orgs, service__name__in=list(names), months=3, kind__in=kinds
    ).values_list("service__name", "kind", "period_end", "value"):
        figures[(name, end)][kind] = value
    out: dict[int, ReferenceFigure] = {}
    for (name, end), values in sorted(figures.items(), key=lambda item: item[0][1]):
        if "transactions" not in values:
            continue
        cost = values.get("cost_per_transaction")
        out[names[name]] = ReferenceFigure(  # the latest quarter wins, being sorted last
            names[name],
            name,
            end,
            3,
            int(values["transactions"]),
            int(values["digital_transactions"]) if "digital_transactions" in values else None,
            float(cost) if cost is not None else None,
        )
    return out


def uncoded_count(organisation: Organisation) -> int:
    return Service.objects.filter(organisation=organisation, active=True, lgsl__isnull=True).count()

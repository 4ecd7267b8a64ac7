"""Reads for outreach, each scoped to one organisation."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Min, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import Service
from takeup.insight.models import Response
from takeup.ledger import queries as ledger_queries
from takeup.ledger.periods import Range
from takeup.ledger.queries import ChannelFlags, CountsByServiceAndChannel, Scope
from takeup.organisations.models import Organisation

from .models import (
    AreaVolume,
    Boundary,
    Champion,
    Helped,
    Indicator,
    IndicatorValue,
    Neighbourhood,
    Place,
    Pledge,
    PriorityWeights,
    Session,
    SessionImport,
    Training,
)


def places_of(organisation: Organisation) -> QuerySet[Place]:
    return (
        Place.objects.filter(organisation=organisation)
        .select_related("neighbourhood")
        .annotate(session_count=Count("sessions"), people_helped=Sum("sessions__people"))
        .order_by("closed_on", "name")
    )


def place_of(organisation: Organisation, pk: int) -> Place:
    return get_object_or_404(Place, organisation=organisation, pk=pk)


def champions_of(organisation: Organisation) -> QuerySet[Champion]:
    return Champion.objects.filter(organisation=organisation).order_by("-active", "name")


def champion_of(organisation: Organisation, pk: int) -> Champion:
    return get_object_or_404(Champion, organisation=organisation, pk=pk)


def pledges_of(organisation: Organisation) -> QuerySet[Pledge]:
    return Pledge.objects.filter(champion__organisation=organisation).select_related("champion")


def trainings_of(organisation: Organisation) -> QuerySet[Training]:
    return (
        Training.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("champions", queryset=Champion.objects.order_by("name")))
        .order_by("-held_on", "-pk")
    )


def training_of(organisation: Organisation, pk: int) -> Training:
    return get_object_or_404(Training, organisation=organisation, pk=pk)


def sessions_of(
    organisation: Organisation, *, since: date | None = None, until: date | None = None
) -> QuerySet[Session]:
    found = Session.objects.filter(organisation=organisation)
    if since:
        found = found.filter(held_on__gte=since)
    if until:
        found = found.filter(held_on__lte=until)
    return (
        found.select_related("place", "place__neighbourhood")
        .prefetch_related(
            Prefetch("champions", queryset=Champion.objects.order_by("name")),
            Prefetch("helped", queryset=Helped.objects.select_related("service")),
        )
        .order_by("-held_on", "-pk")
    )


def session_of(organisation: Organisation, pk: int) -> Session:
    return get_object_or_404(sessions_of(organisation), pk=pk)


def session_import_of(organisation: Organisation, sha256: str) -> SessionImport | None:
    return SessionImport.objects.filter(organisation=organisation, sha256=sha256).first()


def session_hours(organisation: Organisation) -> list[dict[str, Any]]:
    """One row for each champion at each session: the hours a champion gave, by month and
    team."""
    return [
        dict(row)
        for row in Session.champions.through.objects.filter(
            session__organisation=organisation
        ).values("session__held_on", "session__duration_minutes", "champion_id", "champion__team")
    ]


def helped_of(organisation: Organisation) -> QuerySet[Helped]:
    return Helped.objects.filter(session__organisation=organisation)


def place_names(organisation: Organisation) -> dict[str, int]:
    return {
        name.lower(): pk
        for pk, name in Place.objects.filter(organisation=organisation).values_list("pk", "name")
    }


def champion_names(organisation: Organisation) -> dict[str, int]:
    return {
        name.lower(): pk
        for pk, name in Champion.objects.filter(organisation=organisation).values_list("pk", "name")
    }


def service_slugs(organisation: Organisation) -> dict[str, int]:
    return dict(Service.objects.filter(organisation=organisation).values_list("slug", "pk"))


def places_by_id(organisation: Organisation) -> dict[int, Place]:
    return Place.objects.filter(organisation=organisation).in_bulk()


def champions_by_id(organisation: Organisation) -> dict[int, Champion]:
    return Champion.objects.filter(organisation=organisation).in_bulk()


def services_by_id(organisation: Organisation) -> dict[int, Service]:
    return Service.objects.filter(organisation=organisation).in_bulk()


def trainings_by_champion(organisation: Organisation) -> dict[int, list[Training]]:
    out: dict[int, list[Training]] = {}
    for training in trainings_of(organisation):
        for champion in training.champions.all():
            out.setdefault(champion.pk, []).append(training)
    return out


def latest_covered_day(organisation: Organisation) -> date | None:
    return ledger_queries.latest_covered_day(organisation.pk)


def active_services(organisation: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(organisation=organisation, active=True).order_by("name")


def channel_flags(organisation: Organisation) -> ChannelFlags:
    return ChannelFlags.of(organisation)


def counts_by_service(
    organisation: Organisation, period: Range, service_ids: list[int]
) -> dict[int, dict[int, int]]:
    return CountsByServiceAndChannel().run(
        Scope(organisation.pk, period.start, period.end, tuple(service_ids))
    )


def survey_answers(
    organisation: Organisation, period: Range, service_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """The exit survey's answers per service in the period (the analysis is in reports)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for service_id, answers in Response.objects.filter(
        organisation=organisation,
        service_id__in=service_ids,
        received_at__date__gte=period.start,
        received_at__date__lte=period.end,
    ).values_list("service_id", "answers"):
        out.setdefault(service_id, []).append(answers)
    return out


def older_share_of_area(organisation: Organisation) -> float | None:
    """People aged 60 and over, of all people, across the organisation's neighbourhoods that
    have both figures."""
    totals = Neighbourhood.objects.filter(
        organisation=organisation, population__gt=0, aged_60_plus__isnull=False
    ).aggregate(people=Sum("population"), older=Sum("aged_60_plus"))
    if not totals["people"]:
        return None
    return float(totals["older"]) / float(totals["people"])


def helped_for_service(organisation: Organisation, service: Service) -> list[dict[str, Any]]:
    """Where people were helped with this service: each place, with the people and sessions."""
    return [
        dict(row)
        for row in Helped.objects.filter(session__organisation=organisation, service=service)
        .values("session__place__name")
        .annotate(people=Count("pk"), sessions=Count("session", distinct=True))
        .order_by("-people", "session__place__name")
    ]


def neighbourhood_with_code(organisation: Organisation, code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.filter(organisation=organisation, code__iexact=code).first()


# Neighbourhoods


def neighbourhoods_of(organisation: Organisation) -> list[Neighbourhood]:
    return list(Neighbourhood.objects.filter(organisation=organisation).order_by("code"))


def neighbourhood_codes(organisation: Organisation) -> dict[str, int]:
    return dict(Neighbourhood.objects.filter(organisation=organisation).values_list("code", "pk"))


def indicators_of(organisation: Organisation) -> list[Indicator]:
    return list(Indicator.objects.filter(organisation=organisation).order_by("name"))


def indicator_values_of(organisation: Organisation) -> dict[int, dict[str, float]]:
    """Each neighbourhood's own indicator values: neighbourhood id → indicator slug → value."""
    out: dict[int, dict[str, float]] = {}
    for neighbourhood_id, slug, value in IndicatorValue.objects.filter(
        indicator__organisation=organisation
    ).values_list("neighbourhood_id", "indicator__slug", "value"):
        out.setdefault(neighbourhood_id, {})[slug] = value
    return out


def weights_of(organisation: Organisation) -> PriorityWeights:
    """The organisation's weights, or the defaults (1 and 1) when it has set none."""
    found = PriorityWeights.objects.filter(organisation=organisation).first()
    return found or PriorityWeights(organisation=organisation)


def boundary_of(organisation: Organisation) -> Boundary | None:
    return Boundary.objects.filter(organisation=organisation).first()


@dataclass(frozen=True)
class OutreachHere:
    places: int = 0
    sessions: int = 0
    people: int = 0
    first_session: date | None = None
    place_names: tuple[str, ...] = ()


def outreach_by_neighbourhood(organisation: Organisation) -> dict[int, OutreachHere]:
    """Places, sessions and people helped in each neighbourhood, and the first session there."""
    places: dict[int, list[str]] = {}
    for neighbourhood_id, name in (
        Place.objects.filter(organisation=organisation, neighbourhood__isnull=False)
        .order_by("name")
        .values_list("neighbourhood_id", "name")
    ):
        places.setdefault(neighbourhood_id, []).append(name)
    sessions = {
        r["place__neighbourhood_id"]: r
        for r in Session.objects.filter(
            organisation=organisation, place__neighbourhood__isnull=False
        )
        .values("place__neighbourhood_id")
        .annotate(n=Count("pk"), people=Sum("people"), first=Min("held_on"))
    }
    return {
        pk: OutreachHere(
            places=len(places.get(pk, [])),
            sessions=sessions[pk]["n"] if pk in sessions else 0,
            people=sessions[pk]["people"] or 0 if pk in sessions else 0,
            first_session=sessions[pk]["first"] if pk in sessions else None,
            place_names=tuple(places.get(pk, [])),
        )
        for pk in set(places) | set(sessions)
    }


def area_service_slugs(organisation: Organisation) -> dict[str, int]:
    return dict(Service.objects.filter(organisation=organisation).values_list("slug", "pk"))


def area_volumes_by_neighbourhood(
    organisation: Organisation,
) -> dict[int, dict[date, tuple[int, int]]]:
    """Online and all transactions per neighbourhood and month, all services together."""
    out: dict[int, dict[date, tuple[int, int]]] = {}
    for neighbourhood_id, month, online, total in (
        AreaVolume.objects.filter(organisation=organisation)
        .values("neighbourhood_id", "month")
        .annotate(online_sum=Sum("online"), total_sum=Sum("total"))
        .values_list("neighbourhood_id", "month", "online_sum", "total_sum")
    ):
        out.setdefault(neighbourhood_id, {})[month] = (online or 0, total or 0)
    return out


def area_volume_summary(organisation: Organisation) -> list[dict[str, Any]]:
    """Per service: its area rows, months and neighbourhoods, and its area totals by month."""
    return [
        dict(r)
        for r in AreaVolume.objects.filter(organisation=organisation)
        .values("service_id", "service__name", "month")
        .annotate(online_sum=Sum("online"), total_sum=Sum("total"), areas=Count("pk"))
        .order_by("service__name", "month")
    ]


def ledger_monthly_totals(
    organisation: Organisation, through: date
) -> dict[int, dict[date, tuple[int, int]]]:
    """The ledger's own (take-up, all) transactions per service and month, to check the area
    figures against."""
    return ledger_queries.monthly_take_up_counts(organisation.pk, through)

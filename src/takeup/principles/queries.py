"""Reads for digital principles, always through one organisation."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation

from . import havering
from .models import (
    Action,
    ChecklistItem,
    PhoneMessage,
    ScoreSnapshot,
    SearchResult,
    SearchTerm,
    SiteSearch,
    Stage,
)


def stages_by_service(
    organisation: Organisation,
) -> dict[int, dict[str, tuple[date | None, date | None]]]:
    found: dict[int, dict[str, tuple[date | None, date | None]]] = defaultdict(dict)
    for s in Stage.objects.filter(organisation=organisation):
        found[s.service_id][s.stage] = (s.planned_on, s.actual_on)
    return found


def state_of(service: Service) -> str:
    stages = {s.stage: (s.planned_on, s.actual_on) for s in Stage.objects.filter(service=service)}
    return havering.state_of(online_url=service.online_url, stages=stages)


def results_of(service: Service) -> dict[str, str]:
    """The service's answers for the items of its present state."""
    items = set(havering.items_for(state_of(service)))
    return {
        c.item: c.result for c in ChecklistItem.objects.filter(service=service) if c.item in items
    }


def checklist_of(service: Service) -> dict[str, ChecklistItem]:
    return {c.item: c for c in ChecklistItem.objects.filter(service=service)}


def checklist_by_service(organisation: Organisation) -> dict[int, dict[str, ChecklistItem]]:
    found: dict[int, dict[str, ChecklistItem]] = defaultdict(dict)
    for c in ChecklistItem.objects.filter(organisation=organisation):
        found[c.service_id][c.item] = c
    return found


def actions_of(organisation: Organisation, service: Service | None = None) -> QuerySet[Action]:
    found = Action.objects.filter(organisation=organisation).select_related("service")
    return found.filter(service=service) if service is not None else found


def action_of(organisation: Organisation, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("service"), organisation=organisation, pk=pk
    )


def score_history(organisation: Organisation) -> QuerySet[ScoreSnapshot]:
    return ScoreSnapshot.objects.filter(organisation=organisation).select_related("service__area")


# A stage's marker on a chart is a week wide, so that it shows on a chart of years.
MARKER = timedelta(days=7)


def stage_bands(service: Service, start: date, end: date) -> list[tuple[str, str, str]]:
    """Each stage's actual date as a marker on the service's take-up chart (the ledger asks,
    through TAKEUP_SERVICE_BANDS)."""
    labels = dict(Stage.Name.choices)
    return [
        (s.actual_on.isoformat(), (s.actual_on + MARKER).isoformat(), str(labels[s.stage]))
        for s in Stage.objects.filter(service=service, actual_on__gte=start, actual_on__lte=end)
        if s.actual_on is not None
    ]


def phone_messages_of(organisation: Organisation) -> QuerySet[PhoneMessage]:
    return PhoneMessage.objects.filter(organisation=organisation).select_related("reason")


def phone_message_of(organisation: Organisation, pk: int) -> PhoneMessage:
    return get_object_or_404(PhoneMessage, organisation=organisation, pk=pk)


def site_search_of(organisation: Organisation) -> SiteSearch | None:
    return SiteSearch.objects.filter(organisation=organisation).first()


def search_terms_of(organisation: Organisation) -> QuerySet[SearchTerm]:
    return SearchTerm.objects.filter(organisation=organisation)


def search_term_of(organisation: Organisation, pk: int) -> SearchTerm:
    return get_object_or_404(SearchTerm, organisation=organisation, pk=pk)


def results_by_term(organisation: Organisation) -> dict[int, list[SearchResult]]:
    """Each term's searches, newest first."""
    found: dict[int, list[SearchResult]] = defaultdict(list)
    for r in SearchResult.objects.filter(term__organisation=organisation):
        found[r.term_id].append(r)
    return found


def services_for(organisation: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(organisation=organisation, active=True).select_related("area")


def service_of(organisation: Organisation, slug: str) -> Service:
    return get_object_or_404(
        Service.objects.select_related("area"), organisation=organisation, slug=slug
    )


def stages_of(service: Service) -> list[Stage]:
    """In the order a service goes through them."""
    order = [name for name, _label in Stage.Name.choices]
    return sorted(Stage.objects.filter(service=service), key=lambda s: order.index(s.stage))

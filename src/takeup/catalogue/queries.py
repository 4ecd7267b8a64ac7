"""Reads for the catalogue, always through one organisation."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from takeup.organisations.models import Organisation

from .models import Channel, Service, ServiceArea, UnitCost


def services_of(
    organisation: Organisation,
    *,
    area: str = "",
    kind: str = "",
    include_archived: bool = False,
    search: str = "",
) -> QuerySet[Service]:
    services = Service.objects.filter(organisation=organisation).select_related("area")
    if not include_archived:
        services = services.filter(active=True)
    if area:
        services = services.filter(area__slug=area)
    if kind:
        services = services.filter(kind=kind)
    if search:
        services = services.filter(name__icontains=search)
    return services.order_by("area__name", "name")


def service_of(organisation: Organisation, slug: str) -> Service:
    return get_object_or_404(
        Service.objects.select_related("area"), organisation=organisation, slug=slug
    )


def areas_of(organisation: Organisation, *, include_archived: bool = True) -> QuerySet[ServiceArea]:
    areas = ServiceArea.objects.filter(organisation=organisation).annotate(
        service_count=Count("services", filter=Q(services__active=True))
    )
    return areas if include_archived else areas.filter(active=True)


def area_of(organisation: Organisation, slug: str) -> ServiceArea:
    return get_object_or_404(ServiceArea, organisation=organisation, slug=slug)


def channels_of(organisation: Organisation, *, include_archived: bool = True) -> QuerySet[Channel]:
    channels = Channel.objects.filter(organisation=organisation)
    return channels if include_archived else channels.filter(active=True)


def channel_of(organisation: Organisation, slug: str) -> Channel:
    return get_object_or_404(Channel, organisation=organisation, slug=slug)


def unit_costs_of(organisation: Organisation) -> QuerySet[UnitCost]:
    return UnitCost.objects.filter(organisation=organisation).select_related("channel")


def unit_cost_of(organisation: Organisation, pk: int) -> UnitCost:
    return get_object_or_404(
        UnitCost.objects.select_related("channel"), organisation=organisation, pk=pk
    )


def area_by_slug(organisation: Organisation, slug: str) -> ServiceArea | None:
    return ServiceArea.objects.filter(organisation=organisation, slug=slug).first()


def services_by_slug(organisation: Organisation, slugs: list[str]) -> QuerySet[Service]:
    return Service.objects.filter(organisation=organisation, slug__in=slugs)


def public_service(organisation_slug: str, slug: str) -> Service:
    """An active service of a named organisation, for the public pages (404 otherwise)."""
    return get_object_or_404(
        Service.objects.select_related("organisation", "area"),
        organisation__slug=organisation_slug,
        slug=slug,
        active=True,
    )

"""The catalogue API: list and create services, service areas and channels."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from takeup.api_errors import ErrorOut, Invalid, fields_named
from takeup.core.apitext import ServiceSlug, Text
from takeup.organisations.api import api_key_of

from . import queries, services
from .lgsl import lgsl_services
from .models import Channel, Service

router = Router(tags=["catalogue"])

Kind = Literal["pay", "apply", "report", "book", "ask", "find"]


Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        pattern=r"^[a-z0-9-]+$",
        description="The slug of a service area",
    ),
]


class ServiceOut(Schema):
    slug: str
    name: str
    area: str
    area_name: str
    kind: Kind
    online_url: str
    online_since: date | None
    online_only_since: date | None
    target_percent: float | None
    target_date: date | None
    public: bool
    active: bool
    lgsl: int | None = Field(description="Its code in the Local Government Service List")

    @staticmethod
    def of(s: Service) -> "ServiceOut":
        return ServiceOut(
            slug=s.slug,
            name=s.name,
            area=s.area.slug,
            area_name=s.area.name,
            kind=s.kind,  # type: ignore[arg-type]
            online_url=s.online_url,
            online_since=s.online_since,
            online_only_since=s.online_only_since,
            target_percent=float(s.target_percent) if s.target_percent is not None else None,
            target_date=s.target_date,
            public=s.public,
            active=s.active,
            lgsl=s.lgsl,
        )


class ServiceIn(Schema):
    name: Annotated[Text, Field(max_length=200)]
    area: Slug
    kind: Kind
    online_url: Annotated[str, Field(max_length=500)] = ""
    online_since: date | None = None
    online_only_since: date | None = None
    target_percent: Annotated[float | None, Field(ge=0, le=100)] = None
    target_date: date | None = None
    public: bool = False
    lgsl: Annotated[int | None, Field(ge=1, le=99999)] = None


class ServiceFilters(Schema):
    area: Annotated[
        str,
        Field(max_length=60, pattern=r"^[a-z0-9-]*$", description="The slug of a service area"),
    ] = ""
    kind: Kind | None = None
    include_archived: bool = False


class AreaOut(Schema):
    slug: str
    name: str
    active: bool


class AreaIn(Schema):
    name: Annotated[Text, Field(max_length=120)]


class ChannelOut(Schema):
    slug: str
    name: str
    is_digital: bool
    is_self_service: bool
    is_assisted_digital: bool
    counts_towards_take_up: bool
    active: bool

    @staticmethod
    def of(c: Channel) -> "ChannelOut":
        return ChannelOut(
            slug=c.slug,
            name=c.name,
            is_digital=c.is_digital,
            is_self_service=c.is_self_service,
            is_assisted_digital=c.is_assisted_digital,
            counts_towards_take_up=c.counts_towards_take_up,
            active=c.active,
        )


class ChannelIn(Schema):
    name: Annotated[Text, Field(max_length=80)]
    is_digital: bool = False
    is_self_service: bool = False
    is_assisted_digital: bool = False


@router.get("/services", response=list[ServiceOut], summary="List services")
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> list[ServiceOut]:
    org = api_key_of(request).organisation
    rows = queries.services_of(
        org, area=filters.area, kind=filters.kind or "", include_archived=filters.include_archived
    )
    return [ServiceOut.of(s) for s in rows]


@router.get("/services/{slug}", response={200: ServiceOut, 404: ErrorOut}, summary="One service")
def get_service(request: HttpRequest, slug: ServiceSlug) -> ServiceOut:
    return ServiceOut.of(queries.service_of(api_key_of(request).organisation, slug))


@router.post("/services", response={201: ServiceOut, 422: ErrorOut}, summary="Add a service")
def create_service(request: HttpRequest, payload: ServiceIn) -> tuple[int, ServiceOut | ErrorOut]:
    key = api_key_of(request)
    area = queries.area_by_slug(key.organisation, payload.area)
    if area is None:
        raise Invalid(("area", f"No service area has the slug '{payload.area}'."))
    if payload.lgsl is not None and payload.lgsl not in lgsl_services():
        raise Invalid(
            ("lgsl", f"{payload.lgsl} is not a code in the Local Government Service List.")
        )
    data = payload.dict()
    data["area"] = area
    with fields_named(slug="name"):
        service = services.service_save(organisation=key.organisation, api_key=key, **data)
    return 201, ServiceOut.of(service)


@router.get("/service-areas", response=list[AreaOut], summary="List service areas")
def list_areas(request: HttpRequest) -> list[AreaOut]:
    org = api_key_of(request).organisation
    return [AreaOut(slug=a.slug, name=a.name, active=a.active) for a in queries.areas_of(org)]


@router.post("/service-areas", response={201: AreaOut, 422: ErrorOut}, summary="Add a service area")
def create_area(request: HttpRequest, payload: AreaIn) -> tuple[int, AreaOut | ErrorOut]:
    key = api_key_of(request)
    with fields_named(slug="name"):
        area = services.service_area_save(
            organisation=key.organisation, api_key=key, name=payload.name
        )
    return 201, AreaOut(slug=area.slug, name=area.name, active=area.active)


@router.get("/channels", response=list[ChannelOut], summary="List channels")
def list_channels(request: HttpRequest) -> list[ChannelOut]:
    org = api_key_of(request).organisation
    return [ChannelOut.of(c) for c in queries.channels_of(org)]


@router.post("/channels", response={201: ChannelOut, 422: ErrorOut}, summary="Add a channel")
def create_channel(request: HttpRequest, payload: ChannelIn) -> tuple[int, ChannelOut | ErrorOut]:
    key = api_key_of(request)
    with fields_named(slug="name"):
        channel = services.channel_save(
            organisation=key.organisation, api_key=key, **payload.dict()
        )
    return 201, ChannelOut.of(channel)

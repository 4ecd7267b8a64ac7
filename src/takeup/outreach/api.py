"""The outreach API: places, sessions with the people helped (bands and counts only), and the
neighbourhoods with their priority score. Every list is the key's organisation's."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from takeup.api_errors import ErrorOut, Invalid
from takeup.core.apitext import OptionalText, Text
from takeup.ledger.periods import EARLIEST, LATEST
from takeup.organisations.api import api_key_of

from . import queries, reports, services
from .models import Helped, Place, Session

router = Router(tags=["outreach"])

Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
PlaceKind = Literal["digital_zone", "library", "partner", "pop_up", "home_visit"]
AgeBandName = Literal["under-25", "25-44", "45-59", "60-74", "75-plus", "not-say"]
MotivationName = Literal[
    "saving-money", "keeping-in-touch", "interests", "council-services", "other"
]
CompletedName = Literal["yes", "partly", "no", "not-asked"]


class OutreachPlaceOut(Schema):
    id: int
    name: str
    kind: PlaceKind
    address: str
    neighbourhood: str | None
    partner: str
    opening_times: str
    equipment: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    sessions: int
    people_helped: int


def _place_out(place: Place, sessions: int = 0, people: int = 0) -> OutreachPlaceOut:
    return OutreachPlaceOut(
        id=place.pk,
        name=place.name,
        kind=place.kind,  # type: ignore[arg-type]
        address=place.address,
        neighbourhood=place.neighbourhood.code if place.neighbourhood else None,
        partner=place.partner,
        opening_times=place.opening_times,
        equipment=place.equipment,
        opened_on=place.opened_on,
        closed_on=place.closed_on,
        sessions=sessions,
        people_helped=people,
    )


@router.get(
    "/outreach/places", response=list[OutreachPlaceOut], summary="Places where help is given"
)
def list_places(request: HttpRequest) -> list[OutreachPlaceOut]:
    return [
        _place_out(p, p.session_count, p.people_helped or 0)  # type: ignore[attr-defined]
        for p in queries.places_of(api_key_of(request).organisation)
    ]


class OutreachPlaceIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    kind: PlaceKind
    address: Annotated[OptionalText, Field(max_length=300)] = ""
    neighbourhood: Annotated[str, Field(max_length=20)] | None = Field(
        None, description="The neighbourhood's code, such as an LSOA code"
    )
    partner: Annotated[OptionalText, Field(max_length=120)] = ""
    opening_times: Annotated[OptionalText, Field(max_length=300)] = ""
    equipment: Annotated[OptionalText, Field(max_length=300)] = ""
    opened_on: Day | None = None
    closed_on: Day | None = None


@router.post(
    "/outreach/places",
    response={201: OutreachPlaceOut, 422: ErrorOut},
    summary="Add a place",
)
def add_place(
    request: HttpRequest, payload: OutreachPlaceIn
) -> tuple[int, OutreachPlaceOut | ErrorOut]:
    key = api_key_of(request)
    org = key.organisation
    values: dict[str, Any] = payload.dict()
    code = values.pop("neighbourhood")
    neighbourhood = None
    if code:
        neighbourhood = queries.neighbourhood_with_code(org, code)
        if neighbourhood is None:
            raise Invalid(("neighbourhood", f"No neighbourhood has the code '{code}'."))
    if queries.place_names(org).get(payload.name.lower()) is not None:
        raise Invalid(("name", f"A place is called '{payload.name}' already."))
    place = services.place_save(
        organisation=org, api_key=key, neighbourhood=neighbourhood, **values
    )
    return 201, _place_out(place)


class OutreachHelpedIO(Schema):
    age_band: AgeBandName = "not-say"
    motivation: MotivationName
    service: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="The slug of the council service they were helped with"
    )
    confidence: Annotated[int, Field(ge=1, le=5)] | None = Field(
        None,
        description="“Today has helped me feel more confident about basic digital skills and "
        "the opportunities and benefits of using the internet”: 5 strongly agree, 1 strongly "
        "disagree",
    )
    completed: CompletedName = "not-asked"
    referred_to: Annotated[OptionalText, Field(max_length=120)] = ""


class OutreachSessionOut(Schema):
    id: int
    place: int
    place_name: str
    held_on: dt.date
    duration_minutes: int
    kind: Literal["one_to_one", "group"]
    people: int
    champions: list[int]
    source: Literal["form", "csv", "api"]
    helped: list[OutreachHelpedIO]


def _session_out(session: Session) -> OutreachSessionOut:
    return OutreachSessionOut(
        id=session.pk,
        place=session.place_id,
        place_name=session.place.name,
        held_on=session.held_on,
        duration_minutes=session.duration_minutes,
        kind=session.kind,  # type: ignore[arg-type]
        people=session.people,
        champions=[c.pk for c in session.champions.all()],
        source=session.source,  # type: ignore[arg-type]
        helped=[_helped_out(h) for h in session.helped.all()],
    )


def _helped_out(h: Helped) -> OutreachHelpedIO:
    return OutreachHelpedIO(
        age_band=h.age_band,  # type: ignore[arg-type]
        motivation=h.motivation,  # type: ignore[arg-type]
        service=h.service.slug if h.service else None,
        confidence=h.confidence,
        completed=h.completed,  # type: ignore[arg-type]
        referred_to=h.referred_to,
    )


class OutreachSessionFilter(Schema):
    since: Day | None = None
    until: Day | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 200


@router.get(
    "/outreach/sessions",
    response=list[OutreachSessionOut],
    summary="Sessions, newest first, with the people helped",
)
def list_sessions(
    request: HttpRequest, filters: Query[OutreachSessionFilter]
) -> list[OutreachSessionOut]:
    found = queries.sessions_of(
        api_key_of(request).organisation, since=filters.since, until=filters.until
    )
    return [_session_out(s) for s in found[: filters.limit]]


class OutreachSessionIn(Schema):
    place: int = Field(description="The place's id, from GET /api/outreach/places")
    held_on: Day
    duration_minutes: Annotated[int, Field(ge=5, le=720)]
    kind: Literal["one_to_one", "group"] = "one_to_one"
    people: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="Everyone who came; the number of people in `helped` if left out"
    )
    champions: list[int] = Field([], description="The champions' ids", max_length=50)
    helped: list[OutreachHelpedIO] = Field([], max_length=500)


@router.post(
    "/outreach/sessions",
    response={201: OutreachSessionOut, 422: ErrorOut},
    summary="Record a session and the people helped in it",
)
def add_session(
    request: HttpRequest, payload: OutreachSessionIn
) -> tuple[int, OutreachSessionOut | ErrorOut]:
    key = api_key_of(request)
    org = key.organisation
    place = queries.places_by_id(org).get(payload.place)
    if place is None:
        raise Invalid(("place", f"No place has the id {payload.place}."))
    champions = queries.champions_by_id(org)
    unknown = [c for c in payload.champions if c not in champions]
    if unknown:
        raise Invalid(("champions", f"No champion has the id {', '.join(map(str, unknown))}."))
    slugs = queries.service_slugs(org)
    services_by_id = queries.services_by_id(org)
    helped = []
    for n, person in enumerate(payload.helped):
        if person.service and person.service not in slugs:
            raise Invalid((f"helped.{n}.service", f"No service has the slug '{person.service}'."))
        helped.append(
            {
                **person.dict(),
                "service": services_by_id[slugs[person.service]] if person.service else None,
            }
        )
    session = services.session_record(
        organisation=org,
        place=place,
        held_on=payload.held_on,
        duration_minutes=payload.duration_minutes,
        kind=payload.kind,
        people=payload.people or max(1, len(helped)),
        champions=[champions[c] for c in dict.fromkeys(payload.champions)],
        helped=helped,
        source=Session.Source.API,
        api_key=key,
    )
    return 201, _session_out(queries.session_of(org, session.pk))


# Neighbourhoods


class NeighbourhoodScoreOut(Schema):
    key: str
    weight: float
    need: float | None


class NeighbourhoodOut(Schema):
    code: str
    name: str
    official_name: str
    district_code: str
    district_name: str
    imd_rank: int | None
    imd_decile: int | None
    population: int | None
    aged_60_plus: int | None
    priority_score: float | None
    priority_rank: int | None
    priority_parts: list[NeighbourhoodScoreOut]
    left_out: list[str]
    indicators: dict[str, float]
    places: int
    sessions: int
    people_helped: int


@router.get(
    "/outreach/neighbourhoods",
    response=list[NeighbourhoodOut],
    summary="The neighbourhoods with their priority score and its parts, highest score first",
)
def list_neighbourhoods(request: HttpRequest) -> list[NeighbourhoodOut]:
    org = api_key_of(request).organisation
    rows, indicators, weights = reports.neighbourhood_rows(org)
    weight_of = {
        "deprivation": float(weights.deprivation),
        "older": float(weights.older),
        **{i.slug: float(i.weight) for i in indicators},
    }
    return [
        NeighbourhoodOut(
            code=r.neighbourhood.code,
            name=r.neighbourhood.name,
            official_name=r.neighbourhood.official_name,
            district_code=r.neighbourhood.district_code,
            district_name=r.neighbourhood.district_name,
            imd_rank=r.neighbourhood.imd_rank,
            imd_decile=r.neighbourhood.imd_decile,
            population=r.neighbourhood.population,
            aged_60_plus=r.neighbourhood.aged_60_plus,
            priority_score=r.scored.score,
            priority_rank=r.scored.rank,
            priority_parts=[
                NeighbourhoodScoreOut(key=k, weight=weight_of.get(k, 0.0), need=need)
                for k, need in r.scored.needs.items()
            ],
            left_out=list(r.scored.left_out),
            indicators=r.own,
            places=r.here.places,
            sessions=r.here.sessions,
            people_helped=r.here.people,
        )
        for r in rows
    ]

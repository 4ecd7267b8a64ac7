"""The campaigns API: list and add campaigns and their activities; read their estimates."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from takeup.api_errors import ErrorOut, Invalid
from takeup.catalogue.queries import services_by_slug
from takeup.core.apitext import Text
from takeup.ledger.periods import EARLIEST, LATEST
from takeup.organisations.api import api_key_of

from . import queries, services
from .models import Activity, Campaign, EffectEstimate, Medium

router = Router(tags=["campaigns"])

Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
Pence = Annotated[int, Field(ge=0, le=10**12, description="In pence")]


class EstimateOut(Schema):
    service: str
    scope: str
    activity_id: int | None
    post_start: dt.date
    post_end: dt.date
    effect: float
    effect_lower: float
    effect_upper: float
    p_value: float
    prob_effect: float = Field(description="Pr(effect > 0): that the campaign increased them")
    verdict: str = Field(
        description="increase, decrease, could be none (the interval holds zero) or cannot "
        "tell (the figures before the campaign cannot judge an effect: do not use the effect)"
    )
    cost_per_extra_transaction_pence: float | None

    @staticmethod
    def of(e: EffectEstimate) -> "EstimateOut":
        cost = e.result.get("cost_per")
        return EstimateOut(
            service=e.service.slug,
            scope=e.scope,
            activity_id=e.activity_id,
            post_start=e.post_start,
            post_end=e.post_end,
            effect=e.effect,
            effect_lower=e.effect_lower,
            effect_upper=e.effect_upper,
            p_value=e.p_value,
            prob_effect=e.result["prob_effect"],
            verdict=e.result.get("verdict", ""),
            cost_per_extra_transaction_pence=cost[0] if cost else None,
        )


class ActivityOut(Schema):
    id: int
    medium: str
    place: str
    ward: str
    starts_on: dt.date
    ends_on: dt.date
    cost_pence: int
    short_code: str | None
    vanity: str | None
    arrivals: int

    @staticmethod
    def of(a: Activity, arrivals: int = 0) -> "ActivityOut":
        link = getattr(a, "link", None)
        return ActivityOut(
            id=a.pk,
            medium=a.medium,
            place=a.place,
            ward=a.ward,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            cost_pence=a.cost_pence,
            short_code=link.code if link else None,
            vanity=link.vanity if link else None,
            arrivals=arrivals,
        )


class CampaignOut(Schema):
    id: int
    name: str
    objective: str
    audience: str
    services: list[str]
    starts_on: dt.date
    ends_on: dt.date
    budget_pence: int
    phase: str
    follows: int | None
    activities: list[ActivityOut]
    estimates: list[EstimateOut]


class CampaignIn(Schema):
    name: Annotated[Text, Field(max_length=200)]
    objective: Annotated[str, Field(max_length=1000)] = ""
    audience: Annotated[str, Field(max_length=300)] = ""
    services: Annotated[list[Annotated[str, Field(max_length=80)]], Field(min_length=1)]
    starts_on: Day
    ends_on: Day
    budget_pence: Pence = 0
    phase: Annotated[str, Field(max_length=60)] = ""
    follows: int | None = Field(default=None, description="The id of the earlier phase")


class ActivityIn(Schema):
    medium: Medium
    place: Annotated[str, Field(max_length=200)] = ""
    ward: Annotated[str, Field(max_length=100)] = ""
    starts_on: Day
    ends_on: Day
    cost_pence: Pence = 0
    link_service: Annotated[str, Field(max_length=80)] | None = Field(
        default=None, description="Slug of the service the tracked link goes to"
    )
    vanity: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9-]*$")] | None = None


def _out(rows: list[queries.CampaignRow]) -> list[CampaignOut]:
    return [
        CampaignOut(
            id=r.campaign.pk,
            name=r.campaign.name,
            objective=r.campaign.objective,
            audience=r.campaign.audience,
            services=sorted(s.slug for s in r.campaign.services.all()),
            starts_on=r.campaign.starts_on,
            ends_on=r.campaign.ends_on,
            budget_pence=r.campaign.budget_pence,
            phase=r.campaign.phase,
            follows=r.campaign.parent_id,
            activities=[ActivityOut.of(a.activity, a.arrivals) for a in r.activities],
            estimates=[
                EstimateOut.of(e)
                for e in r.estimates + [a.estimate for a in r.activities if a.estimate]
            ],
        )
        for r in rows
    ]


@router.get("/campaigns", response=list[CampaignOut], summary="List campaigns")
def list_campaigns(request: HttpRequest) -> list[CampaignOut]:
    org = api_key_of(request).organisation
    return _out(queries.campaign_rows(list(queries.campaigns_for(org))))


def _campaign_of(request: HttpRequest, campaign_id: int) -> Campaign | None:
    return queries.campaign_by_id(api_key_of(request).organisation, campaign_id)


@router.get(
    "/campaigns/{campaign_id}", response={200: CampaignOut, 404: ErrorOut}, summary="One campaign"
)
def get_campaign(request: HttpRequest, campaign_id: int) -> tuple[int, CampaignOut | ErrorOut]:
    org = api_key_of(request).organisation
    rows = queries.campaign_rows(list(queries.campaigns_for(org).filter(pk=campaign_id)))
    if not rows:
        return 404, ErrorOut(detail="No campaign has this id.", errors=[])
    return 200, _out(rows)[0]


@router.post("/campaigns", response={201: CampaignOut, 422: ErrorOut}, summary="Add a campaign")
def create_campaign(
    request: HttpRequest, payload: CampaignIn
) -> tuple[int, CampaignOut | ErrorOut]:
    key = api_key_of(request)
    found = {s.slug: s for s in services_by_slug(key.organisation, payload.services)}
    unknown = [s for s in payload.services if s not in found]
    if unknown:
        raise Invalid(("services", f"No service has the slug {', '.join(unknown)}."))
    parent = None
    if payload.follows is not None:
        parent = _campaign_of(request, payload.follows)
        if parent is None:
            raise Invalid(("follows", "No earlier campaign has this id."))
    data = payload.dict(exclude={"services", "follows"})
    campaign = services.campaign_save(
        organisation=key.organisation,
        services=list(found.values()),
        api_key=key,
        parent=parent,
        **data,
    )
    return 201, _out(queries.campaign_rows([campaign]))[0]


@router.post(
    "/campaigns/{campaign_id}/activities",
    response={201: ActivityOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add an activity to a campaign, with its tracked link",
)
def create_activity(
    request: HttpRequest, campaign_id: int, payload: ActivityIn
) -> tuple[int, ActivityOut | ErrorOut]:
    key = api_key_of(request)
    campaign = _campaign_of(request, campaign_id)
    if campaign is None:
        return 404, ErrorOut(detail="No campaign has this id.", errors=[])
    link_service = None
    if payload.link_service:
        link_service = campaign.services.filter(slug=payload.link_service).first()
        if link_service is None:
            raise Invalid(("link_service", "Choose one of the campaign's services."))
    data = payload.dict(exclude={"link_service", "vanity"})
    activity = services.activity_save(
        organisation=key.organisation,
        campaign=campaign,
        link_service=link_service,
        vanity=payload.vanity or None,
        api_key=key,
        **data,
    )
    return 201, ActivityOut.of(activity)

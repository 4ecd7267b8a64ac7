"""The digital principles API: each service's checklist and stages, the actions, the recorded
phone messages with their checks, and findability's words with where their page came."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from takeup.api_errors import ErrorOut, Invalid
from takeup.catalogue.models import Service
from takeup.catalogue.queries import services_by_slug
from takeup.core.apitext import ServiceSlug, Text
from takeup.core.weburls import UnsafeAddress, checked, host_allowed
from takeup.ledger.periods import EARLIEST, LATEST
from takeup.organisations.api import api_key_of

from . import havering, phones, queries, reports, services
from .models import PhoneMessage

router = Router(tags=["digital principles"])

Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
ResultName = Literal["pass", "fail", "unknown"]
StageName = Literal["scoping", "developing", "deploying", "live", "online_only"]


class PrinciplesItemOut(Schema):
    item: str
    text: str
    result: ResultName
    evidence: str
    evidence_url: str


class PrinciplesServiceOut(Schema):
    slug: str
    name: str
    state: Literal["online", "not_online", "new"]
    passed: int
    answered: int
    items: list[PrinciplesItemOut]


class PrinciplesStageOut(Schema):
    stage: StageName
    planned_on: dt.date | None
    actual_on: dt.date | None


@router.get(
    "/principles/services", response=list[PrinciplesServiceOut], summary="Each service's checklist"
)
def list_services(request: HttpRequest) -> list[PrinciplesServiceOut]:
    org = api_key_of(request).organisation
    page = reports.principles_page(org)
    answers = queries.checklist_by_service(org)
    return [
        PrinciplesServiceOut(
            slug=r.service.slug,
            name=r.service.name,
            state=r.state,  # type: ignore[arg-type]
            passed=r.passed,
            answered=r.answered,
            items=[
                PrinciplesItemOut(
                    item=item,
                    text=reports.item_text(item),
                    result=(
                        c.result  # type: ignore[arg-type]
                        if (c := answers.get(r.service.pk, {}).get(item))
                        else "unknown"
                    ),
                    evidence=c.evidence if c else "",
                    evidence_url=c.evidence_url if c else "",
                )
                for item in havering.items_for(r.state)
            ],
        )
        for r in page.rows
    ]


class PrinciplesAnswerIn(Schema):
    item: Annotated[str, Field(max_length=40)]
    result: ResultName
    evidence: Annotated[Text, Field(max_length=500)] = ""


def _service(request: HttpRequest, slug: str) -> Service:
    found = services_by_slug(api_key_of(request).organisation, [slug]).first()
    if found is None:
        raise Invalid(("slug", f"No service has the slug '{slug}'."))
    return found


@router.put(
    "/principles/services/{slug}/checklist",
    response={200: PrinciplesServiceOut, 422: ErrorOut},
    summary="Set a service's checklist answers",
)
def set_checklist(
    request: HttpRequest, slug: ServiceSlug, payload: list[PrinciplesAnswerIn]
) -> tuple[int, PrinciplesServiceOut | ErrorOut]:
    service = _service(request, slug)
    allowed = havering.items_for(queries.state_of(service))
    wrong = [a.item for a in payload if a.item not in allowed]
    if wrong:
        raise Invalid(
            (
                "item",
                f"Not a principle for this service: {', '.join(wrong)}. Use {', '.join(allowed)}.",
            )
        )
    services.checklist_set(
        service,
        {a.item: (a.result, a.evidence) for a in payload},
        api_key=api_key_of(request),
    )
    return 200, next(s for s in list_services(request) if s.slug == slug)


@router.get(
    "/principles/services/{slug}/stages",
    response={200: list[PrinciplesStageOut], 422: ErrorOut},
    summary="A service's stages",
)
def get_stages(request: HttpRequest, slug: ServiceSlug) -> tuple[int, list[PrinciplesStageOut]]:
    service = _service(request, slug)
    return 200, [
        PrinciplesStageOut(stage=s.stage, planned_on=s.planned_on, actual_on=s.actual_on)  # type: ignore[arg-type]
        for s in queries.stages_of(service)
    ]


@router.put(
    "/principles/services/{slug}/stages",
    response={200: list[PrinciplesStageOut], 422: ErrorOut},
    summary="Set a service's stages (a stage with neither date is removed)",
)
def set_stages(
    request: HttpRequest, slug: ServiceSlug, payload: list[PrinciplesStageOut]
) -> tuple[int, list[PrinciplesStageOut]]:
    service = _service(request, slug)
    services.stages_set(
        service,
        {s.stage: (s.planned_on, s.actual_on) for s in payload},
        api_key=api_key_of(request),
    )
    return get_stages(request, slug)


class PrinciplesActionOut(Schema):
    id: int
    service: str
    item: str
    text: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None


class PrinciplesActionIn(Schema):
    service: ServiceSlug
    item: Annotated[str, Field(max_length=40)]
    text: Annotated[Text, Field(min_length=1, max_length=300)]
    owner: Annotated[Text, Field(min_length=1, max_length=120)]
    due_on: Day


@router.get("/principles/actions", response=list[PrinciplesActionOut], summary="The actions")
def list_actions(request: HttpRequest) -> list[PrinciplesActionOut]:
    return [
        PrinciplesActionOut(
            id=a.pk,
            service=a.service.slug,
            item=a.item,
            text=a.text,
            owner=a.owner,
            due_on=a.due_on,
            done_on=a.done_on,
        )
        for a in queries.actions_of(api_key_of(request).organisation)
    ]


@router.post(
    "/principles/actions",
    response={201: PrinciplesActionOut, 422: ErrorOut},
    summary="Add an action",
)
def create_action(
    request: HttpRequest, payload: PrinciplesActionIn
) -> tuple[int, PrinciplesActionOut]:
    key = api_key_of(request)
    service = _service(request, payload.service)
    if payload.item not in havering.ITEMS:
        raise Invalid(("item", f"Not a principle: use one of {', '.join(havering.ITEMS)}."))
    a = services.action_save(
        organisation=key.organisation,
        api_key=key,
        service=service,
        item=payload.item,
        text=payload.text,
        owner=payload.owner,
        due_on=payload.due_on,
    )
    return 201, PrinciplesActionOut(
        id=a.pk,
        service=service.slug,
        item=a.item,
        text=a.text,
        owner=a.owner,
        due_on=a.due_on,
        done_on=a.done_on,
    )


class PhoneMessageCheckOut(Schema):
    id: Literal["points_to_website", "names_online_service"]
    result: Literal["pass", "fail"]
    evidence: str


class PhoneMessageOut(Schema):
    id: int
    kind: str
    number: str
    text: str
    reason: str | None = Field(description="The slug of the most common reason for calling")
    last_checked_on: dt.date
    next_check_on: dt.date
    checks: list[PhoneMessageCheckOut]


class PhoneMessageIn(Schema):
    kind: Literal["out_of_hours", "busy", "switchboard", "other"]
    number: Annotated[Text, Field(min_length=1, max_length=30)]
    text: Annotated[Text, Field(min_length=1, max_length=3000)]
    reason: ServiceSlug | None = None
    last_checked_on: Day


def _message_out(m: PhoneMessage) -> PhoneMessageOut:
    return PhoneMessageOut(
        id=m.pk,
        kind=m.kind,
        number=m.number,
        text=m.text,
        reason=m.reason.slug if m.reason else None,
        last_checked_on=m.last_checked_on,
        next_check_on=phones.next_check(m.last_checked_on),
        checks=[
            PhoneMessageCheckOut(id=c.id, result=c.result, evidence=c.evidence)  # type: ignore[arg-type]
            for c in phones.check_message(
                m.text, m.reason.name if m.reason else None, m.reason.online_url if m.reason else ""
            )
        ],
    )


@router.get(
    "/principles/phone-messages", response=list[PhoneMessageOut], summary="Recorded messages"
)
def list_messages(request: HttpRequest) -> list[PhoneMessageOut]:
    return [_message_out(m) for m in queries.phone_messages_of(api_key_of(request).organisation)]


@router.post(
    "/principles/phone-messages",
    response={201: PhoneMessageOut, 422: ErrorOut},
    summary="Add a recorded message",
)
def create_message(request: HttpRequest, payload: PhoneMessageIn) -> tuple[int, PhoneMessageOut]:
    key = api_key_of(request)
    reason = _service(request, payload.reason) if payload.reason else None
    m = services.phone_message_save(
        organisation=key.organisation,
        api_key=key,
        kind=payload.kind,
        number=payload.number,
        text=payload.text,
        reason=reason,
        last_checked_on=payload.last_checked_on,
    )
    return 201, _message_out(m)


class SearchTermOut(Schema):
    id: int
    terms: str
    expected_url: str
    rank: int | None = Field(
        description="Where the page came in the latest search; null if not found"
    )
    passes: bool | None = Field(
        description="Found in the top 5; null before a search or if it failed"
    )
    checked_at: dt.datetime | None


class SearchTermIn(Schema):
    terms: Annotated[Text, Field(min_length=1, max_length=120)]
    expected_url: Annotated[str, Field(max_length=500)]


@router.get("/principles/search-terms", response=list[SearchTermOut], summary="Findability")
def list_terms(request: HttpRequest) -> list[SearchTermOut]:
    return [
        SearchTermOut(
            id=r.term.pk,
            terms=r.term.terms,
            expected_url=r.term.expected_url,
            rank=r.latest.rank if r.latest else None,
            passes=r.passes,
            checked_at=r.latest.checked_at if r.latest else None,
        )
        for r in reports.search_rows(api_key_of(request).organisation)
    ]


@router.post(
    "/principles/search-terms",
    response={201: SearchTermOut, 422: ErrorOut},
    summary="Add words to search",
)
def create_term(request: HttpRequest, payload: SearchTermIn) -> tuple[int, SearchTermOut]:
    key = api_key_of(request)
    try:
        address = checked(payload.expected_url)
    except UnsafeAddress as exc:
        raise Invalid(("expected_url", str(exc))) from exc
    if not host_allowed(address, key.organisation.allowed_domains):
        raise Invalid(("expected_url", "Use an address on one of your organisation's domains."))
    t = services.search_term_save(
        organisation=key.organisation, api_key=key, terms=payload.terms, expected_url=address
    )
    return 201, SearchTermOut(
        id=t.pk, terms=t.terms, expected_url=t.expected_url, rank=None, passes=None, checked_at=None
    )

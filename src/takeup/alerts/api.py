"""The alerts API: the organisation's topics, and posting a message to some of them (as a
council's publishing system would when it publishes a page)."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from takeup.api_errors import ErrorOut, Invalid
from takeup.core.apitext import OptionalText, Text
from takeup.organisations.api import api_key_of

from . import queries, services
from .models import Message

router = Router(tags=["alerts"])


class AlertTopicOut(Schema):
    slug: str
    kind: str
    name: str
    name_cy: str
    promise: str
    taking_sign_ups: bool
    subscribers: int = Field(description="Confirmed subscriptions that have not ended")


@router.get("/alerts/topics", response=list[AlertTopicOut], summary="Topics residents subscribe to")
def list_topics(request: HttpRequest) -> list[AlertTopicOut]:
    return [
        AlertTopicOut(
            slug=t.slug,
            kind=t.kind,
            name=t.name,
            name_cy=t.name_cy,
            promise=t.promise,
            taking_sign_ups=t.is_open,
            subscribers=t.live,  # type: ignore[attr-defined]
        )
        for t in queries.topics_of(api_key_of(request).organisation)
    ]


class AlertMessageIn(Schema):
    topics: list[Annotated[str, Field(max_length=80)]] = Field(
        min_length=1, description="Topic slugs"
    )
    subject: Annotated[Text, Field(min_length=1, max_length=150)]
    body: Annotated[Text, Field(min_length=1, max_length=5000)]
    url: Annotated[OptionalText, Field(max_length=500)] = ""


class AlertMessageOut(Schema):
    id: int
    topics: list[str]
    subject: str
    created_at: dt.datetime
    deliveries: dict[str, int] = Field(description="Immediate deliveries by status so far")


def _out(message: Message) -> AlertMessageOut:
    return AlertMessageOut(
        id=message.pk,
        topics=[t.slug for t in message.topics.all()],
        subject=message.subject,
        created_at=message.created_at,
        deliveries=queries.message_counts(message),
    )


@router.post(
    "/alerts/messages",
    response={201: AlertMessageOut, 422: ErrorOut},
    summary="Send a message to a topic's subscribers",
)
def add_message(request: HttpRequest, payload: AlertMessageIn) -> tuple[int, AlertMessageOut]:
    key = api_key_of(request)
    org = key.organisation
    known = {t.slug: t for t in queries.topics_of(org)}
    errors = [
        (f"topics.{i}", f"No topic has the slug '{slug}'.")
        for i, slug in enumerate(payload.topics)
        if slug not in known
    ]
    if payload.url and not payload.url.startswith(("https://", "http://")):
        errors.append(("url", "Give a whole web address, starting https://"))
    if errors:
        raise Invalid(*errors)
    message = services.message_create(
        organisation=org,
        topics=[known[s] for s in dict.fromkeys(payload.topics)],
        subject=payload.subject,
        body=payload.body,
        url=payload.url,
        source=Message.Source.API,
    )
    return 201, _out(message)


@router.get(
    "/alerts/messages/{message_id}",
    response={200: AlertMessageOut, 404: ErrorOut},
    summary="A message and how its sending is going",
)
def get_message(request: HttpRequest, message_id: int) -> tuple[int, AlertMessageOut | ErrorOut]:
    message = queries.message_of(api_key_of(request).organisation, message_id)
    if message is None:
        return 404, ErrorOut(detail="No such message.", errors=[])
    return 200, _out(message)

"""Campaign sends: an activity's text, email or letter to an uploaded list of recipients.

The file is read all or nothing, with each problem given by line. Until the send is confirmed
it waits in the shared file storage (MEDIA_ROOT, or S3), never in the database; confirming makes
one delivery per recipient in one insert. Each message carries the activity's tracked link with
the send's code, so that arrivals are counted by send and never by person, and once no delivery
of the send is waiting, every address and personalisation on its deliveries is blanked: what is
left is the count and the delivery statuses."""

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.campaigns.models import Activity, Medium
from takeup.campaigns.queries import arrivals_by_send
from takeup.catalogue.csvimport import RowError, decode, read_records
from takeup.insight.stats import wilson
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record

from . import send_queries
from .addresses import email_address, mobile_number
from .models import CampaignSend, Channel, Delivery, SendTemplate
from .sending import Outgoing

CHANNEL_OF_MEDIUM = {
    Medium.TEXT: Channel.SMS,
    Medium.LETTER: Channel.LETTER,
    Medium.NEWSLETTER: Channel.EMAIL,
}
MOBILE_COLUMNS = ("mobile", "phone")
LETTER_LINES = tuple(f"address_line_{n}" for n in range(1, 8))
PLACEHOLDER = re.compile(r"\(\(([^()]{1,60})\)\)")
CODE_LETTERS = "abcdefghijkmnopqrstuvwxyz23456789"  # no l, 0 or 1: read aloud without doubt
DRAFT_KEPT = timedelta(days=1)
SHARE_FROM = 10  # delivered messages below which a share of them says nothing


class SendRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Recipient:
    line: int
    address: str  # "" for a letter: its address is in `fields`
    fields: dict[str, str]


def channel_for(activity: Activity) -> str | None:
    """How an activity's messages go: texts, letters and email newsletters can be sent."""
    return CHANNEL_OF_MEDIUM.get(Medium(activity.medium)) if activity.medium in Medium else None


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def placeholders(text: str) -> list[str]:
    return [_key(p) for p in PLACEHOLDER.findall(text)]


def render(text: str, link: str, fields: dict[str, str]) -> str:
    """A template's text with ((link)) as the tracked link and ((column)) from the row."""
    return PLACEHOLDER.sub(
        lambda m: link if _key(m.group(1)) == "link" else fields.get(_key(m.group(1)), ""), text
    )


def _columns_used(template: SendTemplate) -> set[str]:
    return {p for p in placeholders(template.subject) + placeholders(template.body) if p != "link"}


def _header(data: bytes) -> tuple[str, ...]:
    text = decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return tuple(_key(h) for h in row if h.strip())


def recipients_read(data: bytes, channel: str, template: SendTemplate) -> list[Recipient]:
    """Every recipient in the file, or SendRefused with every problem by line. The same person
    twice in one file is sent one message."""
    columns = _header(data)
    needed: tuple[str, ...]
    if channel == Channel.SMS:
        needed = next(((c,) for c in MOBILE_COLUMNS if c in columns), ("mobile",))
    elif channel == Channel.EMAIL:
        needed = ("email",)
    else:
        needed = ("address_line_1", "address_line_2", "postcode")
    records, errors = read_records(data, needed, columns)
    if errors:
        raise SendRefused(errors)
    missing = sorted(_columns_used(template) - set(columns))
    if missing:
        names = ", ".join(missing)
        raise SendRefused(
            [
                RowError(
                    1,
                    names,
                    _("The message uses ((%(names)s)): add that column.") % {"names": names},
                )
            ]
        )
    found: list[Recipient] = []
    seen: set[str] = set()
    for line, record in records:
        try:
            address = _address(channel, needed[0], record)
        except ValueError as exc:
            errors.append(RowError(line, needed[0], str(exc)))
            continue
        key = address or "\n".join(record.get(c, "").lower() for c in (*LETTER_LINES, "postcode"))
        if key in seen:
            continue
        seen.add(key)
        found.append(Recipient(line, address, record))
    if not found and not errors:
        errors.append(RowError(2, "", _("The file has a header row but no recipients.")))
    if errors:
        raise SendRefused(errors)
    return found


def _address(channel: str, column: str, record: dict[str, str]) -> str:
    if channel == Channel.SMS:
        return mobile_number(record.get(column, ""))
    if channel == Channel.EMAIL:
        return email_address(record.get(column, ""))
    # Notify posts nothing with fewer than three lines, the postcode among them.
    if sum(bool(record.get(c)) for c in LETTER_LINES) < 2 or not record.get("postcode"):
        raise ValueError(_("A letter needs at least two address lines and a postcode."))
    return ""


def _link_url(link_code: str, send_code: str) -> str:
    return f"{settings.TAKEUP_SITE_URL.rstrip('/')}/go/{link_code}?s={send_code}"


def link_url(activity: Activity, send_code: str) -> str:
    """The activity's tracked link, with the send's code: arrivals count by send."""
    return _link_url(activity.link.code, send_code)


def _draft_name(send: CampaignSend) -> str:
    """Where the list waits, in the file storage every web process and worker shares."""
    return f"sends/{send.code}.csv"


def _drafts_forget(before: datetime) -> None:
    """Files of drafts nobody sent, after a day: a list of people is not kept for nothing."""
    for send in send_queries.drafts_before(before):
        default_storage.delete(_draft_name(send))
        CampaignSend.objects.filter(pk=send.pk, status=CampaignSend.Status.DRAFT).update(
            status=CampaignSend.Status.CANCELLED
        )


def _sent_before(activity: Activity, sha256: str) -> bool:
    return CampaignSend.objects.filter(
        activity=activity,
        file_sha256=sha256,
        status__in=[CampaignSend.Status.SENDING, CampaignSend.Status.DONE],
    ).exists()


@dataclass(frozen=True)
class Preview:
    send: CampaignSend
    subject: str
    body: str
    recipients: int
    texts_each: int  # how many text messages each text takes; 0 for email and letters


def send_prepare(
    *, activity: Activity, template: SendTemplate, data: bytes, actor: User | None
) -> CampaignSend:
    """A draft send: the file checked and kept until the send is confirmed or dropped."""
    channel = channel_for(activity)
    if channel is None or template.channel != channel:
        raise SendRefused([RowError(0, "", _("This message is not for this activity."))])
    if not hasattr(activity, "link"):
        raise SendRefused([RowError(0, "", _("The activity has no tracked link to send."))])
    sha256 = hashlib.sha256(data).hexdigest()
    if _sent_before(activity, sha256):
        raise SendRefused(
            [RowError(0, "", _("This file has been sent for this activity already."))]
        )
    found = recipients_read(data, channel, template)
    _drafts_forget(timezone.now() - DRAFT_KEPT)
    send = CampaignSend.objects.create(
        organisation_id=activity.organisation_id,
        activity=activity,
        template=template,
        code="".join(secrets.choice(CODE_LETTERS) for _ in range(10)),
        channel=channel,
        subject=template.subject,
        body=template.body,
        recipients=len(found),
        file_sha256=sha256,
        created_by=actor,
    )
    default_storage.delete(_draft_name(send))
    default_storage.save(_draft_name(send), ContentFile(data))
    return send


def send_preview(send: CampaignSend) -> Preview:
    """The first recipient's message, as they will get it."""
    first = _recipients_of(send)[0]
    body = render(send.body, link_url(send.activity, send.code), first.fields)
    texts = 0
    if send.channel == Channel.SMS:
        texts = 1 if len(body) <= 160 else -(-len(body) // 153)
    return Preview(
        send=send,
        subject=render(send.subject, link_url(send.activity, send.code), first.fields),
        body=body,
        recipients=send.recipients,
        texts_each=texts,
    )


def _recipients_of(send: CampaignSend) -> list[Recipient]:
    try:
        with default_storage.open(_draft_name(send), "rb") as kept:
            data = kept.read()
    except FileNotFoundError:
        raise SendRefused(
            [RowError(0, "", _("The file is no longer kept: upload it again."))]
        ) from None
    return recipients_read(data, send.channel, send.template)


def send_start(send: CampaignSend, actor: User | None) -> int:
    """Confirm a draft: one delivery per recipient, queued once the rows are saved. A send
    confirmed twice (two clicks, two tabs) starts once."""
    from .tasks import deliveries_send_task

    if not send_queries.is_draft(send.pk):
        return 0
    found = _recipients_of(send)
    # Only what the message uses (and a letter's address) is kept until the send is done.
    kept = _columns_used(send.template) | (
        {*LETTER_LINES, "postcode"} if send.channel == Channel.LETTER else set()
    )
    with transaction.atomic():
        # The activity's row is the lock: two drafts of one file cannot both start.
        Activity.objects.select_for_update().filter(pk=send.activity_id).first()
        if _sent_before(send.activity, send.file_sha256):
            raise SendRefused(
                [RowError(0, "", _("This file has been sent for this activity already."))]
            )
        now = timezone.now()
        started = CampaignSend.objects.filter(pk=send.pk, status=CampaignSend.Status.DRAFT).update(
            status=CampaignSend.Status.SENDING, started_at=now, recipients=len(found)
        )
        if not started:
            return 0
        Delivery.objects.bulk_create(
            Delivery(
                organisation_id=send.organisation_id,
                purpose=Delivery.Purpose.CAMPAIGN,
                channel=send.channel,
                priority=Delivery.PRIORITY["campaign"],
                send=send,
                address=r.address,
                personalisation={k: v for k, v in r.fields.items() if k in kept and v},
                created_at=now,
            )
            for r in found
        )
        audit_record(organisation=send.organisation, action="alerts.send", obj=send, actor=actor)
        transaction.on_commit(lambda: deliveries_send_task.enqueue())
    default_storage.delete(_draft_name(send))
    return len(found)


def send_cancel(send: CampaignSend) -> None:
    """Drop a draft and its file."""
    CampaignSend.objects.filter(pk=send.pk, status=CampaignSend.Status.DRAFT).update(
        status=CampaignSend.Status.CANCELLED
    )
    default_storage.delete(_draft_name(send))


def send_complete_if_done(send: CampaignSend) -> bool:
    """Once none of its deliveries is waiting, the send is done and forgets its recipients."""
    with transaction.atomic():
        if Delivery.objects.filter(send=send, status__in=send_queries.WAITING).exists():
            return False
        done = CampaignSend.objects.filter(pk=send.pk, status=CampaignSend.Status.SENDING).update(
            status=CampaignSend.Status.DONE, completed_at=timezone.now()
        )
        Delivery.objects.filter(send=send).update(address="", personalisation=None)
    return bool(done)


def sends_complete() -> int:
    """Every send now done (the send task calls this after each run)."""
    return sum(send_complete_if_done(s) for s in send_queries.sends_sending())


def campaign_outgoing(deliveries: list[Delivery]) -> list[Outgoing]:
    """Each recipient's message: the send's words with their own columns and the link."""
    links = send_queries.link_codes({d.send_id for d in deliveries if d.send_id})
    items = []
    for d in deliveries:
        send = d.send
        if send is None:
            continue
        fields = d.personalisation or {}
        link = _link_url(links[send.pk], send.code)
        items.append(
            Outgoing(
                d.pk,
                d.channel,
                d.address,
                render(send.subject, link, fields),
                render(send.body, link, fields),
                f"campaign-{d.pk}",
                personalisation=fields or None,
            )
        )
    return items


# Reach and response


@dataclass(frozen=True)
class SendRow:
    send: CampaignSend
    sent: int
    delivered: int
    failed: int
    waiting: int
    arrivals: int
    # Arrivals per delivered message, with its 95% interval; None below SHARE_FROM delivered.
    share: float | None
    interval: tuple[float, float] | None

    @property
    def share_text(self) -> str:
        if self.share is None:
            return "–"
        if self.interval is None:
            return _percent(self.share)
        return _("%(share)s (95%% range %(low)s to %(high)s)") % {
            "share": _percent(self.share),
            "low": _percent(self.interval[0]),
            "high": _percent(self.interval[1]),
        }


def _send_rows(sends: list[CampaignSend], arrivals: dict[str, int]) -> list[SendRow]:
    counts = send_queries.delivery_counts([s.pk for s in sends])
    rows = []
    for s in sends:
        c = counts.get(s.pk, {})
        delivered = c.get("delivered", 0)
        came = arrivals.get(s.code, 0)
        shown = delivered >= SHARE_FROM
        rows.append(
            SendRow(
                send=s,
                sent=c.get("sent", 0),
                delivered=delivered,
                failed=c.get("failed", 0),
                waiting=c.get("waiting", 0),
                arrivals=came,
                share=came / delivered if shown else None,
                # Arrivals are visits: a person can come twice, and then no interval holds.
                interval=wilson(came, delivered) if shown and came <= delivered else None,
            )
        )
    return rows


def _arrivals(activity: Activity) -> dict[str, int]:
    return arrivals_by_send(activity.link) if hasattr(activity, "link") else {}


def sends_report(activity: Activity) -> list[SendRow]:
    """Each send of an activity: handed over, delivered, failed, still waiting, and the people
    who arrived through its link. Delivered is the dose: an estimate's extra transactions can
    be set beside it, send by send."""
    sends = send_queries.sends_of([activity.pk])
    return _send_rows(sends, _arrivals(activity)) if sends else []


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def activity_sends_beside(
    organisation: Organisation, activities: list[Activity]
) -> dict[int, dict[str, Any]]:
    """For the campaign page (TAKEUP_ACTIVITY_BESIDE): each text, letter or email activity's
    sends to a list, as a small table of reach and response, and where to send another."""
    able = [a for a in activities if channel_for(a) is not None]
    sends = send_queries.sends_of([a.pk for a in able])
    out: dict[int, dict[str, Any]] = {}
    for activity in able:
        mine = [s for s in sends if s.activity_id == activity.pk]
        rows = []
        for r in _send_rows(mine, _arrivals(activity)) if mine else []:
            rows.append(
                {
                    "label": r.send.started_at,
                    "status": r.send.get_status_display(),
                    "url": reverse(
                        "alerts-send-detail", kwargs={"org": organisation.slug, "code": r.send.code}
                    ),
                    "cells": [r.sent, r.delivered, r.failed, r.arrivals, r.share_text],
                }
            )
        out[activity.pk] = {
            "title": _("Sent to a list: %(activity)s") % {"activity": activity},
            "columns": [
                _("Sent"),
                _("Delivered"),
                _("Failed"),
                _("Arrivals"),
                _("Arrivals per message delivered"),
            ],
            "rows": rows,
            "empty": _("Nothing sent to a list yet."),
            "link": {
                "text": _("Send to a list"),
                "url": reverse(
                    "alerts-send-new", kwargs={"org": organisation.slug, "pk": activity.pk}
                ),
            },
            "note": _(
                "Arrivals are counted by send, never by person. The share is shown once 10 "
                "messages are delivered; a person who comes back counts again."
            ),
        }
    return out


def send_template_save(
    *, organisation: Organisation, name: str, channel: str, subject: str, body: str
) -> SendTemplate:
    return SendTemplate.objects.create(
        organisation=organisation, name=name, channel=channel, subject=subject, body=body
    )

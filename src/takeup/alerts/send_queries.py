"""Reads for campaign sends: the pages and the reports take their rows from here."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from takeup.campaigns.models import Activity
from takeup.organisations.models import Organisation

from .models import CampaignSend, Delivery, SendTemplate

WAITING = (Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.RETRY)


def send_of(organisation: Organisation, code: str) -> CampaignSend:
    return get_object_or_404(
        CampaignSend.objects.select_related("activity__campaign", "activity__link", "template"),
        organisation=organisation,
        code=code,
    )


def activity_of(organisation: Organisation, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("campaign", "link"), organisation=organisation, pk=pk
    )


def templates_for(organisation: Organisation, channel: str) -> QuerySet[SendTemplate]:
    return SendTemplate.objects.filter(organisation=organisation, channel=channel)


def sends_of(activity_ids: list[int]) -> list[CampaignSend]:
    """The sends of some activities, newest first, drafts and cancelled ones left out."""
    return list(
        CampaignSend.objects.filter(
            activity_id__in=activity_ids,
            status__in=[CampaignSend.Status.SENDING, CampaignSend.Status.DONE],
        ).order_by("-started_at", "-pk")
    )


def is_draft(pk: int) -> bool:
    return CampaignSend.objects.filter(pk=pk, status=CampaignSend.Status.DRAFT).exists()


def link_codes(send_ids: set[int]) -> dict[int, str]:
    """Each send's tracked link code, for the links in its messages."""
    return dict(
        CampaignSend.objects.filter(pk__in=send_ids).values_list("pk", "activity__link__code")
    )


def sends_sending() -> list[CampaignSend]:
    return list(CampaignSend.objects.filter(status=CampaignSend.Status.SENDING))


def drafts_before(before: datetime) -> list[CampaignSend]:
    return list(
        CampaignSend.objects.filter(status=CampaignSend.Status.DRAFT, created_at__lt=before)
    )


def delivery_counts(send_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per send: handed to the provider, delivered, failed (at once or after retries), waiting."""
    status = Delivery.Status
    rows = (
        Delivery.objects.filter(send_id__in=send_ids)
        .values("send_id")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            delivered=Count("pk", filter=Q(status=status.DELIVERED)),
            failed=Count("pk", filter=Q(status__in=[status.FAILED, status.GAVE_UP])),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
        )
    )
    return {
        r["send_id"]: {
            "sent": r["sent"],
            "delivered": r["delivered"],
            "failed": r["failed"],
            "waiting": r["waiting"],
        }
        for r in rows
    }

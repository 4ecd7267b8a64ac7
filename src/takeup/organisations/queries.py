"""Reads for organisations: memberships, API keys and the audit log."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from .models import ApiKey, AuditEvent, Membership, Organisation, User


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def membership_for(user: User, organisation_slug: str) -> Membership:
    """The user's membership of the organisation, or 404: a non-member learns nothing of it."""
    membership = (
        Membership.objects.filter(user=user, organisation__slug=organisation_slug)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    return membership


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user")


def api_keys_of(organisation: Organisation) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organisation=organisation).select_related("created_by")


def audit_events_of(organisation: Organisation) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organisation=organisation).select_related("actor", "api_key")


def failures_from_address(address: str) -> int:
    """Failed sign-ins from one address, across every user name, within the cool-off."""
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    found = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return found.aggregate(n=Sum("failures_since_start"))["n"] or 0


def organisation_by_pk(pk: int | None) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first() if pk else None


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()

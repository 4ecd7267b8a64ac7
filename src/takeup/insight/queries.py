"""Reads for the exit survey: surveys and their answers, always through one organisation (or,
for the public intake, through the survey's own key)."""

from datetime import date

from django.db.models import QuerySet

from takeup.catalogue.models import ServiceArea
from takeup.organisations.models import Organisation

from .models import Response, Survey


def surveys_of(organisation: Organisation) -> QuerySet[Survey]:
    return Survey.objects.filter(organisation=organisation)


def survey_by_key(key: str) -> Survey | None:
    return Survey.objects.filter(key=key).first()


def responses_in(
    survey: Survey, start: date, end: date, area: ServiceArea | None = None
) -> QuerySet[Response]:
    """The survey's answers received from `start` to `end` (days), oldest first."""
    query = Response.objects.filter(
        survey=survey, received_at__date__gte=start, received_at__date__lte=end
    ).select_related("service", "area")
    if area is not None:
        query = query.filter(area=area)
    return query.order_by("received_at")

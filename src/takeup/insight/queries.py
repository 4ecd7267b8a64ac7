"""Reads for the exit survey: surveys and their answers, always through one organisation (or,
for the public intake, through the survey's own key)."""

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import ServiceArea
from takeup.organisations.models import Organisation

from .models import Question, Response, Survey


def surveys_of(organisation: Organisation) -> QuerySet[Survey]:
    return Survey.objects.filter(organisation=organisation)


def survey_by_key(key: str) -> Survey | None:
    return Survey.objects.filter(key=key).first()


def responses_in(
    survey: Survey, start: date, end: date, area: ServiceArea | None = None
) -> QuerySet[Response]:
    """The survey's answers received from `start` to `end` (days), oldest first."""
    query = Response.objects.filter(
        organisation_id=survey.organisation_id,
        survey=survey,
        received_at__date__gte=start,
        received_at__date__lte=end,
    ).select_related("service", "area")
    if area is not None:
        query = query.filter(area=area)
    return query.order_by("received_at")


def response_count(survey: Survey) -> int:
    return Response.objects.filter(organisation_id=survey.organisation_id, survey=survey).count()


def questions_of(survey: Survey) -> QuerySet[Question]:
    """The questions visitors are asked now, in order (earlier versions are kept apart)."""
    return survey.questions.filter(active=True)


def question_of(survey: Survey, pk: int) -> Question:
    return get_object_or_404(Question, survey=survey, pk=pk, active=True)


def changed_questions(survey: Survey) -> QuerySet[Question]:
    """Questions asked now that replaced an earlier version, with when."""
    return questions_of(survey).filter(version__gt=1)

"""Reads for the exit survey: surveys and their answers, always through one organisation (or,
for the public intake, through the survey's own key)."""

from dataclasses import dataclass
from datetime import date

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import ServiceArea
from takeup.organisations.models import Organisation

from .models import Question, Response, Survey
from .questions import QuestionSpec


def surveys_of(organisation: Organisation) -> QuerySet[Survey]:
    return Survey.objects.filter(organisation=organisation)


def survey_by_key(key: str) -> Survey | None:
    return Survey.objects.filter(key=key).first()


@dataclass(frozen=True)
class SurveySetup:
    """What taking an answer needs of a survey: each process keeps it until the survey, its
    questions or its page rules change, which `stamp` tells (PostgreSQL; "" on SQLite)."""

    pk: int
    key: str
    organisation_id: int
    active: bool
    allowed_origins: frozenset[str]
    questions: tuple[QuestionSpec, ...]
    versions: tuple[tuple[str, int], ...]  # (question key, the version asked now)
    rules: tuple[tuple[str, int | None, int | None], ...]  # (prefix, service, area), in order
    stamp: str


# A digest of every column of the survey, its questions asked now and its page rules (with the
# area of each rule's service): any change anywhere changes it. Read with the set-up, and checked
# again by the statement that saves an answer (services.RESPONSE_INSERT), in the same round trip.
SETUP_STAMP = """md5(concat_ws('|', s::text,
  (SELECT string_agg(q::text, ',' ORDER BY q.id) FROM insight_question q
   WHERE q.survey_id = s.id AND q.active),
  (SELECT string_agg(r::text || ',' || coalesce(v.area_id::text, ''), ';' ORDER BY r.id)
   FROM insight_pathrule r LEFT JOIN catalogue_service v ON v.id = r.service_id
   WHERE r.survey_id = s.id)))"""


def survey_setup(key: str) -> SurveySetup | None:
    """The survey with this key as answers are taken against it, or None."""
    stamp = ""
    if connection.vendor == "postgresql":
        # The stamp is read first: a change that lands between it and the reads below leaves a
        # set-up newer than its stamp, which the next answer's check sends back to be read again.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {SETUP_STAMP} FROM insight_survey s WHERE s.key = %s",  # noqa: S608
                [key],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        stamp = row[0]
    # From the database the stamp came from and answers go to, never a replica.
    survey = Survey.objects.using(DEFAULT_DB_ALIAS).filter(key=key).first()
    if survey is None:
        return None
    asked = list(questions_of(survey).using(DEFAULT_DB_ALIAS))
    rules = survey.rules.using(DEFAULT_DB_ALIAS).select_related("service").order_by("-prefix", "pk")
    return SurveySetup(
        pk=survey.pk,
        key=survey.key,
        organisation_id=survey.organisation_id,
        active=survey.active,
        allowed_origins=frozenset(survey.allowed_origins),
        questions=tuple(q.spec() for q in asked),
        versions=tuple((q.key, q.version) for q in asked),
        rules=tuple(
            (r.prefix, r.service_id, r.service.area_id if r.service else r.area_id) for r in rules
        ),
        stamp=stamp,
    )


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

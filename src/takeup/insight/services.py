"""Writes for exit surveys: set-up, and taking a visitor's answers."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.catalogue.models import Service, ServiceArea
from takeup.core import pages, weburls
from takeup.core.clients import keyed
from takeup.core.redisclient import client
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record, model_save

from .models import IntakeWindow, PathRule, Question, Response, Survey
from .questions import DEFAULT_QUESTIONS, check_answers

MAX_BODY_BYTES = 8_000


class IntakeError(Exception):
    """Answers that cannot be taken; errors name the field."""

    def __init__(self, status: int, detail: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or []


def clean_origins(lines: list[str]) -> list[str]:
    """Scheme and host (and port) of each address, such as https://www.millbrook.gov.uk, as a
    browser would send it in its Origin header."""
    out = []
    for line in lines:
        text = line.strip().rstrip("/")
        if not text:
            continue
        try:
            origin = weburls.origin(text)
        except weburls.UnsafeAddress:
            origin = ""
        if not origin:
            raise ValidationError(
                {
                    "allowed_origins": _(
                        "“%(text)s” is not a website address like https://www.millbrook.gov.uk"
                    )
                    % {"text": text[:80]}
                }
            )
        out.append(origin)
    return sorted(set(out))


@transaction.atomic
def survey_save(
    *,
    organisation: Organisation,
    survey: Survey | None = None,
    actor: User | None = None,
    name: str,
    sampling_percent: int,
    allowed_origins: list[str],
    active: bool = True,
) -> Survey:
    """Create a survey (with the default questions) or change one."""
    creating = survey is None

    def questions(survey: Survey) -> None:
        if creating:
            Question.objects.bulk_create(
                Question(
                    survey=survey,
                    key=q.key,
                    kind=q.kind,
                    text_en=q.en,
                    text_cy=q.cy,
                    hint_en=q.hint_en,
                    hint_cy=q.hint_cy,
                    choices=[[c.value, c.en, c.cy] for c in q.choices],
                    order=i,
                    required=q.required,
                )
                for i, q in enumerate(DEFAULT_QUESTIONS)
            )

    return model_save(
        survey or Survey(organisation=organisation),
        organisation=organisation,
        fields=["name", "sampling_percent", "allowed_origins", "active"],
        values={
            "name": name,
            "sampling_percent": sampling_percent,
            "allowed_origins": clean_origins(allowed_origins),
            "active": active,
        },
        action="survey",
        actor=actor,
        after=questions,
        exclude=["organisation"],
    )


def rule_add(
    *, survey: Survey, prefix: str, service: Service | None, area: ServiceArea | None
) -> PathRule:
    if (service is None) == (area is None):
        raise ValidationError({"service": _("Choose a service or a service area, not both.")})
    for thing in (service, area):
        if thing is not None and thing.organisation_id != survey.organisation_id:
            raise ValidationError({"service": _("Choose one of your organisation's.")})
    prefix = "/" + prefix.strip().lstrip("/")
    rule = PathRule(survey=survey, prefix=prefix, service=service, area=area)
    rule.full_clean(exclude=["survey"])
    rule.save()
    return rule


@dataclass(frozen=True)
class Mapped:
    service: Service | None
    area: ServiceArea | None


def map_path(survey: Survey, path: str) -> Mapped:
    """The service or area whose rule has the longest prefix of the page's address."""
    rules = survey.rules.select_related("service__area", "area")
    rule = pages.best_match(path, ((r.prefix, r) for r in rules))
    if rule is None:
        return Mapped(None, None)
    if rule.service is not None:
        return Mapped(rule.service, rule.service.area)
    return Mapped(None, rule.area)


WINDOW_ADD = (
    "INSERT INTO insight_intakewindow (origin, minute, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (origin, minute) DO UPDATE SET count = insight_intakewindow.count + 1 "
    "RETURNING count"
)


def _count(key: str, minute: datetime) -> tuple[int, int]:
    """Add one to this minute's count for `key`; (this minute's count, the last minute's)."""
    r = client()
    if r is not None:
        now_key = f"takeup:intake:{key}:{minute:%Y%m%d%H%M}"
        before_key = f"takeup:intake:{key}:{minute - timedelta(minutes=1):%Y%m%d%H%M}"
        pipe = r.pipeline(transaction=False)
        pipe.incr(now_key)
        pipe.expire(now_key, 150)
        pipe.get(before_key)
        current, _, before = pipe.execute()
        return int(current), int(before or 0)
    with connection.cursor() as cursor:
        # The database's own form of the time, so that the ORM's lookups below find the row.
        cursor.execute(WINDOW_ADD, [key, connection.ops.adapt_datetimefield_value(minute)])
        current = cursor.fetchone()[0]
    if current == 1:  # the minute's first answer tidies up old windows
        IntakeWindow.objects.filter(minute__lt=minute - timedelta(minutes=5)).delete()
    before = (
        IntakeWindow.objects.filter(origin=key, minute=minute - timedelta(minutes=1))
        .values_list("count", flat=True)
        .first()
    )
    return int(current), int(before or 0)


def over_limit(key: str, limit: int, now: datetime) -> bool:
    """A sliding minute: this minute's count plus the last minute's, weighted by how much of it
    the last sixty seconds still cover. So a burst across a minute boundary is one burst."""
    minute = now.replace(second=0, microsecond=0)
    current, before = _count(key, minute)
    covered = 1 - (now - minute).total_seconds() / 60
    return current + before * covered > limit


def client_key(address: str) -> str:
    """A keyed hash of a visitor's address, for the per-visitor limit. The address itself is
    never stored, and the key (from SECRET_KEY) is not in the database."""
    return "c:" + keyed(address)[:32]


def rate_limited(survey: Survey, site: str, client: str) -> bool:
    """Too many answers just now: for this survey from this website (or its hosted page), or
    from this one visitor. Keyed on the survey, not on the Origin header, which anyone can
    write: one survey's flood never blocks another organisation's."""
    now = timezone.now()
    per_site = f"s:{survey.key}:{site[:150]}"
    return over_limit(per_site, settings.TAKEUP_SURVEY_PER_MINUTE, now) or over_limit(
        client, settings.TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE, now
    )


ARRIVED_BY = ("widget", "qr", "link")


def page_path(text: str) -> str:
    """The path of the page a hosted survey was opened from (`?path=/bins/garden`, or a whole
    address on the council's site), or "" when it is not one: a bad path loses the mapping,
    never the answer."""
    text = text.strip()[:300]
    if text.startswith(("https://", "http://")):
        text = "/" + text.split("://", 1)[1].partition("/")[2]
    text = text.split("?", 1)[0].split("#", 1)[0]
    if not text.startswith("/") or text.startswith("//") or any(c.isspace() for c in text):
        return ""
    return text


def response_take(
    *,
    survey: Survey,
    payload: Any,
    origin: str,
    device: str,
    language: str,
    client: str = "",
    arrived_by: str = "",
) -> Response | None:
    """Check and save one visitor's answers, all or nothing. Returns None for a robot caught by
    the honeypot (it is told nothing different)."""
    if not survey.active:
        raise IntakeError(404, "This survey is not taking answers.")
    if not isinstance(payload, dict):
        raise IntakeError(400, "Send a JSON object.", [("body", "Send a JSON object.")])
    if payload.get("website"):
        return None  # the honeypot: people never see this field
    unknown = set(payload) - {"answers", "path", "language", "website"}
    if unknown:
        name = sorted(unknown)[0][:40]
        raise IntakeError(400, "The request has errors.", [(name, "Unknown field.")])
    path = payload.get("path", "")
    if not isinstance(path, str) or len(path) > 300 or (path and not path.startswith("/")):
        raise IntakeError(
            400, "The request has errors.", [("path", "Send the page's path, such as /bins.")]
        )
    asked = list(survey.questions.filter(active=True))
    questions = tuple(q.spec() for q in asked)
    answers, errors = check_answers(payload.get("answers"), questions)
    if errors:
        raise IntakeError(400, "The answers have errors; see each field.", errors)
    if not answers:
        raise IntakeError(400, "Answer at least one question.", [("answers", "Answer a question.")])
    if rate_limited(survey, origin or "-", client or "c:-"):
        raise IntakeError(
            429,
            _("Many answers have come in just now. Please send yours again in a minute."),
        )
    path = path.split("?", 1)[0].split("#", 1)[0]
    mapped = map_path(survey, path)
    return Response.objects.create(
        organisation_id=survey.organisation_id,
        survey=survey,
        path=path,
        service=mapped.service,
        area=mapped.area,
        language="cy" if language == "cy" else "en",
        device=device,
        arrived_by=arrived_by if arrived_by in ARRIVED_BY else "",
        answers=answers,
        versions={q.key: q.version for q in asked if q.key in answers},
    )


QUESTION_TEXTS = ["text_en", "text_cy", "hint_en", "hint_cy"]


@transaction.atomic
def question_change(
    *,
    question: Question,
    actor: User | None = None,
    required: bool,
    choice_labels: dict[str, tuple[str, str]] | None = None,
    **texts: str,
) -> Question:
    """Change a question's wording (either language), hints, whether it is required, or its
    choices' labels. Answers already given keep their meaning: the change is a new version with
    the same key, and the old one is kept, retired. A choice's value never changes, so answers
    to either version count together; a change of meaning needs a new question."""
    unknown = set(texts) - set(QUESTION_TEXTS)
    if unknown:
        raise TypeError(f"Unknown question fields: {sorted(unknown)}")
    labels = choice_labels or {}
    choices = [[value, *labels.get(value, (en, cy))] for value, en, cy in question.choices]
    new = Question(
        survey=question.survey,
        key=question.key,
        kind=question.kind,
        order=question.order,
        required=required,
        choices=choices,
        version=question.version + 1,
        **{name: texts.get(name, getattr(question, name)).strip() for name in QUESTION_TEXTS},
    )
    if all(
        getattr(new, f) == getattr(question, f) for f in [*QUESTION_TEXTS, "required", "choices"]
    ):
        return question
    if not new.text_en or not new.text_cy:
        raise ValidationError(
            {
                "text_en" if not new.text_en else "text_cy": _(
                    "Write the question in both languages."
                )
            }
        )
    if any(not en.strip() or not cy.strip() for _value, en, cy in choices):
        raise ValidationError({"choices": _("Give every choice a label in both languages.")})
    question.active = False
    question.save(update_fields=["active"])
    new.full_clean(exclude=["survey"])
    new.save()
    audit_record(
        organisation=question.survey.organisation,
        obj=new,
        actor=actor,
        action="question.update",
        changes={"key": new.key, "version": [question.version, new.version]},
    )
    return new


@transaction.atomic
def question_move(*, question: Question, up: bool, actor: User | None = None) -> None:
    """Swap a question with the one before (or after) it."""
    asked = list(question.survey.questions.filter(active=True))
    at = next(i for i, q in enumerate(asked) if q.pk == question.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(asked):
        return
    asked[at], asked[other] = asked[other], asked[at]
    for order, q in enumerate(asked):
        if q.order != order:
            q.order = order
            q.save(update_fields=["order"])
    audit_record(
        organisation=question.survey.organisation,
        obj=question,
        actor=actor,
        action="question.move",
        changes={"order": [key.key for key in asked]},
    )

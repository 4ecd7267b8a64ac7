"""Writes for exit surveys: set-up, and taking a visitor's answers."""

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.catalogue.models import Service, ServiceArea
from takeup.core import pages, weburls
from takeup.core.clients import keyed
from takeup.core.redisclient import client
from takeup.core.statements import prepared_cursor
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record, model_save

from .models import IntakeWindow, PathRule, Question, Response, Survey
from .queries import SETUP_STAMP, SurveySetup, survey_setup
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


# One call for every window an answer counts in: a script costs Redis and Python less than a
# pipeline of three commands a window. KEYS: this minute's and the last minute's, for each.
WINDOWS_SCRIPT = """
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
end
return out
"""


@lru_cache(maxsize=4)
def _windows_script(r: redis.Redis) -> Any:
    return r.register_script(WINDOWS_SCRIPT)


WINDOW_ADD = (
    "INSERT INTO insight_intakewindow (origin, minute, count) VALUES {rows} "
    "ON CONFLICT (origin, minute) DO UPDATE SET count = insight_intakewindow.count + 1 "
    "RETURNING origin, count"
)


def _count(keys: list[str], minute: datetime) -> list[tuple[int, int]]:
    """Add one to this minute's count for each key; (this minute's count, the last minute's)
    for each. One round trip to Redis, or two to the database."""
    last = minute - timedelta(minutes=1)
    r = client()
    if r is not None:
        windows = [f"takeup:intake:{key}:{at:%Y%m%d%H%M}" for key in keys for at in (minute, last)]
        replies = _windows_script(r)(keys=windows, args=[150])
        return [(int(replies[i]), int(replies[i + 1])) for i in range(0, len(replies), 2)]
    # The database's own form of the time, so that the ORM's lookups below find the rows.
    at = connection.ops.adapt_datetimefield_value(minute)
    with connection.cursor() as cursor:
        cursor.execute(
            WINDOW_ADD.format(rows=", ".join(["(%s, %s, 1)"] * len(keys))),
            [value for key in keys for value in (key, at)],
        )
        current = dict(cursor.fetchall())
    if 1 in current.values():  # the minute's first answer tidies up old windows
        IntakeWindow.objects.filter(minute__lt=minute - timedelta(minutes=5)).delete()
    before = dict(
        IntakeWindow.objects.filter(origin__in=keys, minute=last).values_list("origin", "count")
    )
    return [(int(current[key]), int(before.get(key, 0))) for key in keys]


def _over(limits: list[tuple[str, int]], now: datetime) -> bool:
    """A sliding minute: this minute's count plus the last minute's, weighted by how much of it
    the last sixty seconds still cover. So a burst across a minute boundary is one burst."""
    minute = now.replace(second=0, microsecond=0)
    covered = 1 - (now - minute).total_seconds() / 60
    counts = _count([key for key, _ in limits], minute)
    return any(
        current + before * covered > limit
        for (_, limit), (current, before) in zip(limits, counts, strict=True)
    )


def over_limit(key: str, limit: int, now: datetime) -> bool:
    return _over([(key, limit)], now)


def client_key(address: str) -> str:
    """A keyed hash of a visitor's address, for the per-visitor limit. The address itself is
    never stored, and the key (from SECRET_KEY) is not in the database."""
    return "c:" + keyed(address)[:32]


def rate_limited(survey_key: str, site: str, client: str) -> bool:
    """Too many answers just now: for this survey from this website (or its hosted page), or
    from this one visitor, both counted at once. Keyed on the survey, not on the Origin header,
    which anyone can write: one survey's flood never blocks another organisation's."""
    return _over(
        [
            (f"s:{survey_key}:{site[:150]}", settings.TAKEUP_SURVEY_PER_MINUTE),
            (client, settings.TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE),
        ],
        timezone.now(),
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


# Saves the answer only while the survey's set-up is the one it was checked against (the stamp
# read with it): one round trip, and no answer is checked against questions or rules changed since.
RESPONSE_INSERT = f"""
INSERT INTO insight_response (organisation_id, survey_id, path, service_id, area_id, language,
  device, arrived_by, received_at, answers, versions)
SELECT s.organisation_id, s.id, %(path)s, %(service)s, %(area)s, %(language)s, %(device)s,
  %(arrived_by)s, %(received_at)s, %(answers)s::jsonb, %(versions)s::jsonb
FROM insight_survey s
WHERE s.id = %(survey)s AND {SETUP_STAMP} = %(stamp)s
RETURNING id
"""  # noqa: S608 (the stamp is our own SQL, not input)
SETUPS_KEPT = 1000
_setups: dict[str, SurveySetup] = {}


def setup_of(key: str, *, fresh: bool = False) -> SurveySetup | None:
    """The survey's set-up, as this process last read it unless `fresh`. On SQLite it is read
    every time: there are no round trips to save, and no stamp to check it by."""
    if not fresh and connection.vendor == "postgresql":
        kept = _setups.get(key)
        if kept is not None:
            return kept
    setup = survey_setup(key)
    if connection.vendor == "postgresql":
        if len(_setups) >= SETUPS_KEPT:
            _setups.clear()
        if setup is None:
            _setups.pop(key, None)
        else:
            _setups[key] = setup
    return setup


def origin_allowed(setup: SurveySetup, origin: str, own: str) -> bool:
    """No Origin header is not a cross-site browser request; otherwise one of the survey's
    websites, or Takeup's own."""
    return not origin or origin in setup.allowed_origins or origin == own


def _checked(
    setup: SurveySetup, payload: Any, origin: str, own: str | None
) -> tuple[dict[str, Any], str] | None:
    """The answers and the page's path, or None for a robot caught by the honeypot."""
    if own is not None and not origin_allowed(setup, origin, own):
        raise IntakeError(
            403, "This website may not send answers to this survey.", [("origin", origin[:100])]
        )
    if not setup.active:
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
    answers, errors = check_answers(payload.get("answers"), setup.questions)
    if errors:
        raise IntakeError(400, "The answers have errors; see each field.", errors)
    if not answers:
        raise IntakeError(400, "Answer at least one question.", [("answers", "Answer a question.")])
    return answers, path.split("?", 1)[0].split("#", 1)[0]


def _save(setup: SurveySetup, values: dict[str, Any]) -> bool:
    """Save the answer; False (nothing saved) when the set-up changed since it was read."""
    if connection.vendor != "postgresql":
        fields = {k: v for k, v in values.items() if k not in ("service", "area")}
        Response.objects.create(
            organisation_id=setup.organisation_id,
            survey_id=setup.pk,
            service_id=values["service"],
            area_id=values["area"],
            **fields,
        )
        return True
    values = {
        **values,
        "survey": setup.pk,
        "stamp": setup.stamp,
        "answers": json.dumps(values["answers"]),
        "versions": json.dumps(values["versions"]),
    }
    with prepared_cursor() as cursor:
        cursor.execute(RESPONSE_INSERT, values, prepare=settings.TAKEUP_SERVER_PREPARE)
        return cursor.fetchone() is not None


def response_take(
    *,
    key: str,
    payload: Any,
    origin: str,
    device: str,
    language: str,
    client: str = "",
    arrived_by: str = "",
    own_origin: str | None = None,
) -> bool:
    """Check and save one visitor's answers, all or nothing: True once saved, False for a robot
    caught by the honeypot (it is told nothing different). `own_origin` is Takeup's own, for
    answers sent from a website, whose origin is checked; None for the hosted page.

    The set-up is this process's copy, checked against the database by the statement that saves:
    if it changed, it is read again and the answers checked again. A refusal is never made from
    a copy, only from a set-up read for this answer."""
    setup, fresh = setup_of(key), False
    limited: bool | None = None
    for _attempt in range(3):
        try:
            if setup is None:
                raise IntakeError(404, "No survey has this key.")
            checked = _checked(setup, payload, origin, own_origin)
        except IntakeError:
            if fresh:
                raise
            setup, fresh = setup_of(key, fresh=True), True
            continue
        if checked is None:
            return False
        if limited is None:  # counted once, however many times the set-up is read
            limited = rate_limited(setup.key, origin or "-", client or "c:-")
        if limited:
            raise IntakeError(
                429,
                _("Many answers have come in just now. Please send yours again in a minute."),
            )
        answers, path = checked
        rule = pages.best_match(path, ((prefix, (s, a)) for prefix, s, a in setup.rules))
        service, area = rule or (None, None)
        saved = _save(
            setup,
            {
                "path": path,
                "service": service,
                "area": area,
                "language": "cy" if language == "cy" else "en",
                "device": device,
                "arrived_by": arrived_by if arrived_by in ARRIVED_BY else "",
                "received_at": timezone.now(),
                "answers": answers,
                "versions": {k: v for k, v in setup.versions if k in answers},
            },
        )
        if saved:
            return True
        setup, fresh = setup_of(key, fresh=True), True
    raise IntakeError(503, "The survey is being changed just now. Please send your answers again.")


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

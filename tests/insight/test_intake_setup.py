"""Each process keeps a survey's set-up (questions, page rules, websites) and saves an answer in
one round trip; a change made anywhere else is seen by the very next answer."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import redis.connection
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from takeup.catalogue.models import Service
from takeup.insight import services
from takeup.insight.models import PathRule, Question, Response, Survey
from takeup.insight.services import question_change, question_move, survey_save
from takeup.organisations.models import Organisation
from tests.campaigns.round_trips import round_trips
from tests.factories import ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db
SITE = "https://www.millbrook.gov.uk"
OTHER = "https://www.millbrook-libraries.org.uk"
ANSWERS = {"visits": "first", "for_whom": "self", "found": "yes"}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite reads the set-up for every answer"
)


@pytest.fixture
def survey(org: Organisation) -> Survey:
    return survey_save(organisation=org, name="Exit", sampling_percent=20, allowed_origins=[SITE])


def post(survey: Survey, answers: dict[str, Any] | None = None, **body: Any) -> int:
    return (
        Client()
        .post(
            f"/s/{survey.key}/responses",
            json.dumps({"answers": answers or ANSWERS, **body}),
            content_type="application/json",
            HTTP_ORIGIN=SITE,
        )
        .status_code
    )


def post_from(survey: Survey, origin: str) -> int:
    return (
        Client()
        .post(
            f"/s/{survey.key}/responses",
            json.dumps({"answers": ANSWERS}),
            content_type="application/json",
            HTTP_ORIGIN=origin,
        )
        .status_code
    )


@on_postgresql
def test_an_answer_is_one_round_trip_once_the_survey_is_known(
    r: redis.Redis, survey: Survey
) -> None:
    """With Redis for the limits, the answer itself is the only statement."""
    assert post(survey) == 201  # this process reads the set-up
    with round_trips() as made:
        assert post(survey, path="/bins") == 201
    assert made == [1]
    assert Response.objects.count() == 2


def test_both_limits_are_one_call_to_redis(
    r: redis.Redis, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The website's window and the visitor's, this minute's and the last, in one script."""
    assert post(survey) == 201  # loads the script into Redis
    sent = []
    send: Callable[..., None] = redis.connection.Connection.send_packed_command

    def counted(self: redis.connection.Connection, *args: Any, **kwargs: Any) -> None:
        sent.append(args)
        send(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)
    assert post(survey) == 201
    assert len(sent) == 1
    assert len(list(r.scan_iter("takeup:intake:*"))) == 2  # this minute's, for each


@on_postgresql
def test_without_redis_both_limits_are_counted_together(
    survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The website's and the visitor's windows in one statement, the last minute's in one
    more, then the answer."""
    noon = datetime(2026, 11, 30, 12, 0, 30, tzinfo=UTC)  # one minute for both answers
    monkeypatch.setattr(timezone, "now", lambda: noon)
    assert post(survey) == 201
    with round_trips() as made:
        assert post(survey) == 201
    assert made == [3]


@on_postgresql
def test_the_set_up_is_read_once_per_process(r: redis.Redis, survey: Survey) -> None:
    post(survey)
    with round_trips() as made:
        for _ in range(5):
            assert post(survey) == 201
    assert made == [5]


def test_a_survey_closed_elsewhere_takes_no_more_answers(survey: Survey) -> None:
    assert post(survey) == 201
    Survey.objects.filter(pk=survey.pk).update(active=False)  # by another process
    assert post(survey) == 404
    assert Response.objects.count() == 1


def test_a_question_made_required_elsewhere_is_asked_at_once(survey: Survey) -> None:
    assert post(survey) == 201
    question_change(question=survey.questions.get(key="satisfaction", active=True), required=True)
    assert post(survey) == 400
    assert post(survey, {**ANSWERS, "satisfaction": "4"}) == 201
    saved = Response.objects.latest("pk")
    assert saved.versions["satisfaction"] == 2


def test_a_question_added_elsewhere_can_be_answered_at_once(survey: Survey) -> None:
    assert post(survey) == 201
    Question.objects.create(survey=survey, key="library", kind="text", text_en="L", text_cy="L")
    assert post(survey, {**ANSWERS, "library": "Central"}) == 201
    assert Response.objects.latest("pk").answers["library"] == "Central"


def test_websites_changed_elsewhere_count_at_once(survey: Survey) -> None:
    assert post_from(survey, SITE) == 201
    assert post_from(survey, OTHER) == 403
    survey_save(
        organisation=survey.organisation,
        survey=survey,
        name=survey.name,
        sampling_percent=20,
        allowed_origins=[OTHER],
    )
    assert post_from(survey, OTHER) == 201  # refused from this process's copy only after a read
    assert post_from(survey, SITE) == 403
    assert Response.objects.count() == 2


def test_page_rules_changed_elsewhere_map_the_next_answer(
    org: Organisation, survey: Survey
) -> None:
    care = ServiceFactory.create(organisation=org, name="Ask about care", slug="ask-about-care")
    assert post(survey, path="/social-care/ask") == 201
    PathRule.objects.create(survey=survey, prefix="/social-care", service=care)
    assert post(survey, path="/social-care/ask") == 201
    moved = ServiceAreaFactory.create(organisation=org, name="Adults", slug="adults")
    Service.objects.filter(pk=care.pk).update(area=moved)  # the service's area, not the rule
    assert post(survey, path="/social-care/ask") == 201
    first, second, third = Response.objects.order_by("pk")
    assert first.service is None and second.service == care and second.area == care.area
    assert third.service == care and third.area == moved


def test_a_question_moved_elsewhere_keeps_answers_coming(survey: Survey) -> None:
    assert post(survey) == 201
    question_move(question=survey.questions.get(key="found", active=True), up=True)
    assert post(survey) == 201
    assert Response.objects.count() == 2


@on_postgresql  # SQLite's test database is one connection's
@pytest.mark.django_db(transaction=True)
def test_nothing_is_lost_while_the_survey_changes(survey: Survey, settings: Settings) -> None:
    """Answers from four threads while a fifth keeps changing the survey: every answer told
    201 is a row, and none is told anything but 201 or 503 (send again)."""
    settings.TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE = 1000  # every thread is one address
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    done = threading.Event()

    def answer() -> None:
        try:
            for _ in range(25):
                status = post(survey)
                with lock:
                    statuses[status] += 1
        finally:
            connection.close()

    def change() -> None:
        try:
            while not done.is_set():
                question_move(question=survey.questions.get(key="found", active=True), up=True)
        finally:
            connection.close()

    changer = threading.Thread(target=change)
    changer.start()
    answerers = [threading.Thread(target=answer) for _ in range(4)]
    for thread in answerers:
        thread.start()
    for thread in answerers:
        thread.join()
    done.set()
    changer.join()
    assert set(statuses) <= {201, 503} and statuses[201] > 0
    assert Response.objects.count() == statuses[201]


def test_two_processes_each_see_the_others_change(survey: Survey) -> None:
    """Two processes' copies, simulated by swapping the cache: a survey closed in one is closed
    in the other, though neither copy was told."""
    assert post(survey) == 201
    first = dict(services._setups)
    services._setups.clear()
    assert post(survey) == 201
    second = dict(services._setups)
    Survey.objects.filter(pk=survey.pk).update(active=False)
    for copy in (first, second):
        services._setups.clear()
        services._setups.update(copy)
        assert post(survey) == 404
    assert Response.objects.count() == 2

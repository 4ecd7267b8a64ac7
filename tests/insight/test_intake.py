"""Taking answers: CORS, bad input, abuse limits, the hosted page, and tenancy."""

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.insight.models import PathRule, Response, Survey
from takeup.insight.services import survey_save
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
SITE = "https://www.millbrook.gov.uk"
GOOD: dict[str, Any] = {
    "answers": {
        "visits": "first",
        "for_whom": "intermediary",
        "found": "yes",
        "found_by": ["search"],
        "satisfaction": "5",
        "comments": "Easy.",
    },
    "path": "/social-care/ask?ref=leaflet",
    "language": "cy",
}


@pytest.fixture
def survey(org: Organisation) -> Survey:
    made = survey_save(
        organisation=org, name="Exit survey", sampling_percent=20, allowed_origins=[SITE + "/"]
    )
    care = ServiceFactory.create(organisation=org, name="Ask about care", slug="ask-about-care")
    PathRule.objects.create(survey=made, prefix="/social-care", service=care)
    return made


def post(
    survey: Survey, body: object, origin: str = SITE, raw: bytes | None = None
) -> ClientResponse:
    return Client().post(
        f"/s/{survey.key}/responses",
        raw if raw is not None else json.dumps(body),
        content_type="application/json",
        HTTP_ORIGIN=origin,
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile",
    )


def test_answers_are_saved_with_the_service_and_no_query_string(survey: Survey) -> None:
    response = post(survey, GOOD)
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    saved = Response.objects.get()
    assert saved.path == "/social-care/ask" and saved.service is not None
    assert saved.service.slug == "ask-about-care"
    assert saved.area == saved.service.area and saved.language == "cy"
    assert saved.device == "mobile" and saved.answers["found_by"] == ["search"]
    assert saved.arrived_by == "widget"
    assert not response.cookies


def test_an_unlisted_website_is_refused(survey: Survey) -> None:
    response = post(survey, GOOD, origin="https://evil.example")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert response.json()["errors"][0]["field"] == "origin"
    preflight = Client().options(f"/s/{survey.key}/responses", HTTP_ORIGIN="https://evil.example")
    assert preflight.status_code == 403
    ok = Client().options(f"/s/{survey.key}/responses", HTTP_ORIGIN=SITE)
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SITE
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**GOOD, "answers": {**GOOD["answers"], "visits": "maybe"}}, 400, "answers.visits"),
        ({**GOOD, "answers": {"found": "yes", "for_whom": "self"}}, 400, "answers.visits"),
        ({**GOOD, "answers": {**GOOD["answers"], "comments": "x" * 501}}, 400, "answers.comments"),
        ({**GOOD, "answers": "all good"}, 400, "answers"),
        ({**GOOD, "path": "https://elsewhere/"}, 400, "path"),
        ({**GOOD, "extra": 1}, 400, "extra"),
        ([1, 2], 400, "body"),
    ],
)
def test_bad_answers_name_the_field_and_save_nothing(
    survey: Survey, body: object, status: int, field: str
) -> None:
    response = post(survey, body)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Response.objects.exists()


def test_not_json_and_too_large(survey: Survey) -> None:
    assert post(survey, None, raw=b"{not json").status_code == 400
    big = json.dumps({**GOOD, "path": "/" + "a" * 9000}).encode()
    assert post(survey, None, raw=big).status_code == 413
    assert not Response.objects.exists()


def test_the_honeypot_swallows_robots(survey: Survey) -> None:
    response = post(survey, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 201 and response.json() == {"received": False}
    assert not Response.objects.exists()


def test_a_rate_limit_per_website(survey: Survey, settings: Settings) -> None:
    settings.TAKEUP_SURVEY_PER_MINUTE = 2
    assert [post(survey, GOOD).status_code for _ in range(3)] == [201, 201, 429]
    assert Response.objects.count() == 2


def test_a_closed_or_unknown_survey(survey: Survey) -> None:
    survey.active = False
    survey.save()
    assert post(survey, GOOD).status_code == 404
    assert (
        Client().post("/s/nope/responses", "{}", content_type="application/json").status_code == 404
    )
    assert Client().get("/s/nope/config.json").status_code == 404


def test_the_config_lists_the_questions_for_listed_sites(survey: Survey) -> None:
    response = Client().get(f"/s/{survey.key}/config.json", HTTP_ORIGIN=SITE)
    body = response.json()
    assert body["sampling_percent"] == 20
    assert [q["key"] for q in body["questions"]][:3] == ["reason", "visits", "for_whom"]
    assert body["questions"][1]["cy"] == "Pa mor aml ydych chi’n ymweld â’r wefan hon?"
    refused = Client().get(f"/s/{survey.key}/config.json", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403


def test_the_hosted_page_works_without_javascript(survey: Survey) -> None:
    page = Client().get(f"/s/{survey.key}/")
    assert page.status_code == 200 and b"Tell us about your visit" in page.content
    bad = Client().post(f"/s/{survey.key}/", {"for_whom": "self"})
    assert bad.status_code == 400 and b"govuk-error-summary" in bad.content
    assert not Response.objects.exists()
    good = Client().post(
        f"/s/{survey.key}/",
        {
            "visits": "first",
            "for_whom": "self",
            "found": "partly",
            "found_by": ["search", "print"],
            "path": "/social-care/x",
        },
    )
    assert good.status_code == 200 and b"Thank you" in good.content
    saved = Response.objects.get()
    assert saved.answers["found_by"] == ["print", "search"] and saved.service is not None
    welsh = Client().get(f"/cy/s/{survey.key}/")
    assert b"Dywedwch wrthym am eich ymweliad" in welsh.content
    # It says which questions must be answered, not "answer as many as you like".
    intro = page.content.decode()
    assert "as many as you like" not in intro and "not marked “optional”" in intro
    optional = intro.count("(optional)")
    assert optional == survey.questions.filter(required=False).count() > 0


@pytest.mark.parametrize(
    ("query", "arrived_by"),
    [("?path=/social-care/garden&qr", "qr"), ("?path=/social-care/garden", "link")],
)
def test_hosted_answers_keep_the_page_and_how_they_came(
    survey: Survey, query: str, arrived_by: str
) -> None:
    page = Client().get(f"/s/{survey.key}/{query}").content.decode()
    path = re.search(r'name="path" value="([^"]*)"', page)
    came = re.search(r'name="arrived_by" value="([^"]*)"', page)
    assert path and came and path[1] == "/social-care/garden" and came[1] == arrived_by
    Client().post(
        f"/s/{survey.key}/",
        {
            "visits": "first",
            "for_whom": "self",
            "found": "yes",
            "path": path[1],
            "arrived_by": came[1],
        },
    )
    saved = Response.objects.get()
    assert saved.path == "/social-care/garden" and saved.service is not None
    assert saved.area == saved.service.area and saved.arrived_by == arrived_by


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://www.millbrook.gov.uk/social-care/x?utm=1", "/social-care/x"),
        ("javascript:alert(1)", ""),
        ("//evil.example/x", ""),
        ("/bins garden", ""),
        ("/social-care/y#top", "/social-care/y"),
    ],
)
def test_a_hosted_page_path_is_validated_and_a_bad_one_loses_only_the_mapping(
    survey: Survey, given: str, kept: str
) -> None:
    answered = Client().post(
        f"/s/{survey.key}/",
        {"visits": "first", "for_whom": "self", "found": "yes", "path": given, "arrived_by": "x"},
    )
    assert answered.status_code == 200
    saved = Response.objects.get()
    assert saved.path == kept and saved.arrived_by == ""


def test_another_organisation_cannot_see_the_survey(
    survey: Survey, member_client: Callable[[str], MemberClient], other_org: Organisation
) -> None:
    outsider = member_client("admin")
    outsider.user.memberships.update(organisation=other_org)
    for path in [f"{survey.pk}/", f"{survey.pk}/results/"]:
        assert outsider.get(f"/o/{other_org.slug}/visitors/{path}").status_code == 404


def test_the_widget_is_one_small_file() -> None:
    """Under 10 KB gzipped, with no dependencies: one <script> tag on the council's page."""
    widget = (Path(__file__).parents[2] / "src/takeup/static/insight/widget.js").read_bytes()
    assert len(gzip.compress(widget, 9)) < 10_000
    assert b"import " not in widget and b"require(" not in widget


def test_the_hosted_pages_honeypot_is_hidden_by_the_stylesheet(survey: Survey) -> None:
    page = Client().get(f"/s/{survey.key}/").content.decode()
    assert 'class="takeup-honeypot" aria-hidden="true"' in page
    css = (Path(__file__).parents[2] / "src/takeup/static/vendor/takeup.css").read_text()
    assert ".takeup-honeypot{position:absolute;left:-10000px" in css

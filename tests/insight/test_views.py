"""The survey screens: set-up, mapping pages, results, CSV and the free-text search."""

import html
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from takeup.catalogue.models import Channel, ServiceArea
from takeup.insight.models import PathRule, Response, Survey
from takeup.insight.services import survey_save
from takeup.ledger.models import Volume
from takeup.ledger.services import data_source_get_or_create
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def url(org: Organisation, path: str = "") -> str:
    return f"/o/{org.slug}/visitors/{path}"


@pytest.fixture
def survey(org: Organisation) -> Survey:
    return survey_save(
        organisation=org,
        name="Exit survey",
        sampling_percent=20,
        allowed_origins=["https://www.millbrook.gov.uk"],
    )


def test_editor_makes_a_survey_and_gets_the_snippet(
    editor_client: MemberClient, org: Organisation
) -> None:
    response = editor_client.post(
        url(org),
        {
            "name": "Exit survey",
            "sampling_percent": "20",
            "allowed_origins": "https://www.millbrook.gov.uk/\nhttps://WWW.millbrook.gov.uk",
        },
    )
    survey = Survey.objects.get()
    assert response["Location"] == url(org, f"{survey.pk}/")
    assert survey.allowed_origins == ["https://www.millbrook.gov.uk"]
    assert survey.questions.count() == 10
    raw = editor_client.get(url(org, f"{survey.pk}/")).content.decode()
    assert "just before &lt;/body&gt;." in raw  # the instruction names the tag, escaped
    page = html.unescape(raw)
    assert f'data-survey="{survey.key}"' in page and 'data-rate="20"' in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "sampling_percent": "20"}, "name"),
        ({"name": "X", "sampling_percent": "0"}, "sampling_percent"),
        ({"name": "X", "sampling_percent": "200"}, "sampling_percent"),
        (
            {"name": "X", "sampling_percent": "20", "allowed_origins": "millbrook"},
            "allowed_origins",
        ),
        (
            {"name": "X", "sampling_percent": "20", "allowed_origins": "https://a.gov.uk/page"},
            "allowed_origins",
        ),
    ],
)
def test_bad_survey_forms_save_nothing(
    editor_client: MemberClient, org: Organisation, data: dict[str, Any], field: str
) -> None:
    response = editor_client.post(url(org), data)
    assert field in response.context["form"].errors
    assert not Survey.objects.exists()


def test_viewer_cannot_make_or_change_surveys(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    assert viewer_client.post(url(org), {"name": "X", "sampling_percent": "20"}).status_code == 403
    assert viewer_client.post(url(org, f"{survey.pk}/"), {"form": "survey"}).status_code == 403
    assert Survey.objects.count() == 1


def test_pages_are_mapped_to_a_service(
    editor_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    service = ServiceFactory.create(organisation=org)
    response = editor_client.post(
        url(org, f"{survey.pk}/"),
        {"form": "rule", "starts_with": "bins", "service": service.pk},
    )
    assert response.status_code == 302
    assert PathRule.objects.get().prefix == "/bins"
    both = editor_client.post(
        url(org, f"{survey.pk}/"),
        {"form": "rule", "starts_with": "/x", "service": service.pk, "area": service.area.pk},
    )
    assert both.status_code == 200 and PathRule.objects.count() == 1


def _answer(survey: Survey, area: ServiceArea, **answers: object) -> Response:
    return Response.objects.create(
        organisation_id=survey.organisation_id, survey=survey, area=area, answers=answers
    )


def test_results_compare_an_area_with_the_rest_and_flag_only_real_differences(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    care = ServiceAreaFactory.create(organisation=org, name="Adult social care", slug="care")
    bins = ServiceAreaFactory.create(organisation=org, name="Waste", slug="waste")
    for _ in range(60):
        _answer(
            survey,
            care,
            visits="first",
            for_whom="intermediary",
            gender="female",
            satisfaction="5",
            found="yes",
            comments="Found the care directory",
        )
    for _ in range(60):
        _answer(
            survey,
            bins,
            visits="first",
            for_whom="self",
            gender="female",
            satisfaction="2",
            found="no",
        )
    response = viewer_client.get(url(org, f"{survey.pk}/results/"), {"compare": "care"})
    segments = {s.label: s for s in response.context["segments"]}
    assert segments["intermediaries"].a.k == 60 and segments["intermediaries"].b.k == 0
    flags = " ".join(response.context["flags"])
    assert "intermediaries" in flags and "women" not in flags  # equal shares are not flagged
    assert response.context["satisfaction"].k == 60 and response.context["satisfaction"].n == 120
    searched = viewer_client.get(url(org, f"{survey.pk}/results/"), {"q": "DIRECTORY"})
    assert searched.context["comment_count"] == 60
    nothing = viewer_client.get(url(org, f"{survey.pk}/results/"), {"q": "potholes"})
    assert nothing.context["comment_count"] == 0


def test_the_default_comparison_is_the_area_with_most_first_time_visitors(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    # Welsh names, and no area called "social care": the default comes from the answers.
    ServiceAreaFactory.create(organisation=org, name="Gofal cymdeithasol", slug="gofal")
    waste = ServiceAreaFactory.create(organisation=org, name="Gwastraff", slug="gwastraff")
    for _ in range(3):
        _answer(survey, waste, visits="first", gender="female")
    _answer(survey, waste, visits="regular", gender="male")
    response = viewer_client.get(url(org, f"{survey.pk}/results/"))
    assert response.context["compare"] == waste


def test_the_period_and_area_filter_and_the_csv(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    care = ServiceAreaFactory.create(organisation=org, name="Adult social care", slug="care")
    recent = _answer(survey, care, visits="first", found="yes", found_by=["search", "print"])
    old = _answer(survey, care, visits="regular", found="no")
    old.received_at = timezone.now() - timedelta(days=400)
    old.save()
    response = viewer_client.get(url(org, f"{survey.pk}/results/"), {"area": "care"})
    assert response.context["count"] == 1
    lines = (
        viewer_client.get(url(org, f"{survey.pk}/results/"), {"download": "responses"})
        .content.decode()
        .splitlines()
    )
    assert lines[0].startswith(
        "date,service_area,service,path,arrived_by,device,language,question_versions,reason"
    )
    assert (len(lines) == 2 and "search;print" in lines[1]) or "print;search" in lines[1]
    assert recent.received_at.date().isoformat() in lines[1]
    assert "T" not in lines[1].split(",")[0]  # the day only, not the time


def test_results_with_no_answers(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    response = viewer_client.get(url(org, f"{survey.pk}/results/"), {"from": "nonsense"})
    assert response.status_code == 200 and response.context["count"] == 0


def test_first_time_against_returning_and_this_period_against_the_last(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste", slug="waste")
    for _ in range(50):
        _answer(survey, area, visits="first", for_whom="professional")
        _answer(survey, area, visits="regular", for_whom="self")
    earlier = _answer(survey, area, visits="regular", for_whom="professional")
    earlier.received_at = timezone.now() - timedelta(days=120)
    earlier.save()
    response = viewer_client.get(url(org, f"{survey.pk}/results/"))
    (title, _, _, visits), (_, _, _, period) = response.context["others"]
    assert title == "First-time against returning visitors"
    professionals = {s.label: s for s in visits}["professionals"]
    assert (professionals.a.k, professionals.a.n, professionals.b.k, professionals.b.n) == (
        50,
        50,
        0,
        50,
    )
    assert professionals.difference.significant
    before = {s.label: s for s in period}["professionals"]
    assert (before.b.k, before.b.n) == (1, 1)  # the one answer from the quarter before


def test_contacts_avoided_are_priced_at_the_latest_unit_costs(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste", slug="waste")
    for channel in ["phone"] * 3 + ["not"]:
        _answer(survey, area, visits="regular", otherwise=channel)
    response = viewer_client.get(url(org, f"{survey.pk}/results/"))
    avoided = {a.channel: a for a in response.context["avoided"]}
    assert set(avoided) == {"phone", "in-person"}  # the Socitm 2012 defaults price these two
    assert avoided["phone"].contacts == 750  # 3 of 4, per 1,000 visits
    assert avoided["phone"].saving_pence == 750 * 283


def test_contacts_avoided_use_the_periods_web_visits_when_the_ledger_has_them(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste", slug="waste")
    bins = ServiceFactory.create(organisation=org, area=area, name="Missed bin", slug="missed-bin")
    other = ServiceFactory.create(organisation=org, area=area, name="Bulky waste", slug="bulky")
    elsewhere = ServiceFactory.create(organisation=org, name="Parking", slug="parking")
    PathRule.objects.create(survey=survey, prefix="/bins", service=bins)
    for channel in ["phone"] * 3 + ["not"]:
        _answer(survey, area, visits="regular", otherwise=channel)
    Response.objects.update(received_at=timezone.make_aware(datetime(2026, 3, 10, 12)))
    period = url(org, f"{survey.pk}/results/?from=2026-03-01&to=2026-03-31")
    before = viewer_client.get(period)
    assert before.context["avoided_visits"] is None
    assert "per 1,000 visits" in html.unescape(before.content.decode())
    web = Channel.objects.get(organisation=org, slug="web")
    source = data_source_get_or_create(org, "Website")
    for service, day, count in [
        (bins, date(2026, 3, 2), 1500),
        (bins, date(2026, 3, 31), 500),
        (bins, date(2026, 4, 1), 9999),  # after the period
        (other, date(2026, 3, 2), 7777),  # no rule names it
        (elsewhere, date(2026, 3, 2), 8888),
    ]:
        Volume.objects.create(
            organisation=org,
            source=source,
            service=service,
            channel=web,
            period="day",
            period_start=day,
            measure="visits",
            count=count,
            counted=True,
        )
    after = viewer_client.get(period)
    assert after.context["avoided_visits"] == 2000
    avoided = {a.channel: a for a in after.context["avoided"]}
    assert avoided["phone"].contacts == 1500  # 3 of 4 of 2,000 visits
    assert "from its 2,000 web visits" in html.unescape(after.content.decode())


def test_results_show_what_visitors_came_to_do(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    care = ServiceAreaFactory.create(organisation=org, name="Adult social care", slug="care")
    _answer(survey, care, visits="first", reason="Find a care home for my mum")
    _answer(survey, care, visits="first", comments="Too many clicks")
    page = viewer_client.get(url(org, f"{survey.pk}/results/")).content.decode()
    assert "What did you come to do today?" in page and "Find a care home for my mum" in page
    searched = viewer_client.get(url(org, f"{survey.pk}/results/"), {"q": "care home"})
    assert searched.context["comment_count"] == 1


def test_a_question_is_reworded_as_a_new_version_and_old_answers_keep_theirs(
    editor_client: MemberClient, viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    site = "https://www.millbrook.gov.uk"
    body = {"answers": {"visits": "first", "for_whom": "self", "found": "yes"}}
    first = Client().post(
        f"/s/{survey.key}/responses", body, content_type="application/json", HTTP_ORIGIN=site
    )
    assert first.status_code == 201
    visits = survey.questions.get(key="visits", active=True)
    address = url(org, f"{survey.pk}/questions/{visits.pk}/")
    assert viewer_client.get(address).status_code == 403
    form = {
        "text_en": "How often do you come to this website?",
        "text_cy": visits.text_cy,
        "hint_en": "",
        "hint_cy": "",
        "required": "on",
        **{f"choice_{v}_en": en for v, en, _cy in visits.choices},
        **{f"choice_{v}_cy": cy for v, _en, cy in visits.choices},
    }
    assert editor_client.post(address, form).status_code == 302
    versions = list(survey.questions.filter(key="visits").order_by("version"))
    assert [(q.version, q.active) for q in versions] == [(1, False), (2, True)]
    assert versions[0].text_en == "How often do you visit this website?"  # kept as it was
    Client().post(
        f"/s/{survey.key}/responses", body, content_type="application/json", HTTP_ORIGIN=site
    )
    seen = [r.versions["visits"] for r in Response.objects.order_by("pk")]
    assert seen == [1, 2]
    config = Client().get(f"/s/{survey.key}/config.json", HTTP_ORIGIN=site).json()
    asked = [q for q in config["questions"] if q["key"] == "visits"]
    assert len(asked) == 1 and asked[0]["en"] == "How often do you come to this website?"
    results = editor_client.get(url(org, f"{survey.pk}/results/")).content.decode()
    assert 'id="changed-questions"' in results
    # Saving it again unchanged makes no third version.
    editor_client.post(url(org, f"{survey.pk}/questions/{versions[1].pk}/"), form)
    assert survey.questions.filter(key="visits").count() == 2


def test_questions_move_up_and_down(
    editor_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    keys = list(survey.questions.filter(active=True).values_list("key", flat=True))
    second = survey.questions.get(key=keys[1], active=True)
    editor_client.post(url(org, f"{survey.pk}/questions/{second.pk}/move/"), {"direction": "up"})
    moved = list(survey.questions.filter(active=True).values_list("key", flat=True))
    assert moved == [keys[1], keys[0], *keys[2:]]
    last = survey.questions.get(key=moved[-1], active=True)
    editor_client.post(url(org, f"{survey.pk}/questions/{last.pk}/move/"), {"direction": "down"})
    assert list(survey.questions.filter(active=True).values_list("key", flat=True)) == moved


def test_long_lists_say_how_much_is_shown(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    care = ServiceAreaFactory.create(organisation=org, name="Adult social care", slug="care")
    for i in range(105):
        _answer(survey, care, visits="first", reason=f"Reason {i}", found_by=["search", "print"])
    page = viewer_client.get(url(org, f"{survey.pk}/results/")).content.decode()
    assert "105 visitors wrote something. The 100 newest are shown" in page
    assert "shares add up to more than 100%" in page  # a tick-all-that-apply question


def test_a_period_with_no_whole_month_draws_no_monthly_chart(
    viewer_client: MemberClient, org: Organisation, survey: Survey
) -> None:
    # Answers on the first of a month, seen that day: the month is only begun, so it is left
    # out, and an empty chart (which axe flags, and which says nothing) is not drawn.
    area = ServiceAreaFactory.create(organisation=org)
    _answer(survey, area, satisfaction="5", found="yes")
    Response.objects.update(received_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    page = viewer_client.get(
        f"/o/{org.slug}/visitors/{survey.pk}/results/?from=2026-09-01&to=2026-12-01"
    ).content.decode()
    assert 'data-chart-spec="found-by-spec"' in page
    assert 'data-chart-spec="monthly-spec"' not in page

"""Places, sessions with the people helped, champions, pledges and training: their pages, CSV
import, API and the inclusion lead's summary."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from takeup.catalogue.models import Service
from takeup.organisations.models import AuditEvent, Organisation
from takeup.outreach import reports, services
from takeup.outreach.models import Champion, Helped, Place, Pledge, Session, Training
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db


def _errors(body: str) -> list[str]:
    return re.findall(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)


def url(org: Organisation, path: str = "") -> str:
    return f"/o/{org.slug}/outreach/{path}"


@pytest.fixture
def place(org: Organisation) -> Place:
    return services.place_save(organisation=org, name="Central Library", kind="library")


@pytest.fixture
def champion(org: Organisation) -> Champion:
    return services.champion_save(
        organisation=org, name="Aisha Khan", kind="staff", team="Libraries"
    )


def _person(n: int, **values: str) -> dict[str, str]:
    base = {
        "age_band": "60-74",
        "motivation": "council-services",
        "service": "",
        "confidence": "5",
        "completed": "yes",
        "referred_to": "",
    }
    return {f"p-{n}-{k}": v for k, v in {**base, **values}.items()}


def _session_post(
    place: Place, champion: Champion, people: int, *rows: dict[str, str]
) -> dict[str, object]:
    return {
        "s-place": str(place.pk),
        "s-held_on": timezone.localdate().isoformat(),
        "s-duration_minutes": "75",
        "s-kind": "group" if people > 1 else "one_to_one",
        "s-people": str(people),
        "s-champions": [str(champion.pk)],
        "p-TOTAL_FORMS": str(len(rows)),
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "30",
        **{k: v for row in rows for k, v in row.items()},
    }


def test_recording_a_session_keeps_bands_not_names(
    editor_client: MemberClient,
    org: Organisation,
    place: Place,
    champion: Champion,
    service: Service,
) -> None:
    data = _session_post(
        place,
        champion,
        3,
        _person(0, service=str(service.pk), referred_to="Library computer course"),
        _person(1, age_band="75-plus", motivation="keeping-in-touch", confidence="4"),
        _person(2, age_band="", motivation="", confidence="", completed="not-asked"),  # blank
    )
    response = editor_client.post(url(org, "sessions/new/"), data)
    assert response.status_code == 302, _errors(response.content.decode())
    session = Session.objects.get()
    assert (session.people, session.duration_minutes, session.kind) == (3, 75, "group")
    assert list(session.champions.all()) == [champion]
    helped = list(session.helped.order_by("pk"))
    assert [(h.age_band, h.motivation, h.service_id) for h in helped] == [
        ("60-74", "council-services", service.pk),
        ("75-plus", "keeping-in-touch", None),
    ]
    assert helped[0].referred_to == "Library computer course"
    assert {f.name for f in Helped._meta.get_fields()} >= {"age_band", "motivation"}
    assert not {"name", "email", "phone", "postcode"} & {f.name for f in Helped._meta.get_fields()}
    assert AuditEvent.objects.filter(action="outreach.session.create").count() == 1


def test_add_another_person_posts_back_without_saving_or_errors(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    data = _session_post(place, champion, 1, _person(0))
    data["add_person"] = "1"
    data["s-place"] = ""  # not chosen yet: no error until Save
    response = editor_client.post(url(org, "sessions/new/"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="person-2"' in body and 'id="person-3"' not in body
    assert "There is a problem" not in body
    assert 'name="p-0-age_band"' in body and 'value="60-74" selected' in body
    assert Session.objects.count() == 0


def test_a_bad_session_is_refused_whole_with_the_reason(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    future = _session_post(place, champion, 1, _person(0))
    future["s-held_on"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = editor_client.post(url(org, "sessions/new/"), future)
    assert "The date is in the future" in response.content.decode()
    too_many = _session_post(place, champion, 1, _person(0), _person(1))
    too_many["s-kind"] = "group"
    response = editor_client.post(url(org, "sessions/new/"), too_many)
    assert "2 people are recorded one by one" in response.content.decode()
    no_motivation = _session_post(place, champion, 1, _person(0, motivation=""))
    response = editor_client.post(url(org, "sessions/new/"), no_motivation)
    assert "Person 1: Choose what brought them." in response.content.decode()
    assert Session.objects.count() == 0 and Helped.objects.count() == 0


def test_another_organisations_place_cannot_be_used(
    editor_client: MemberClient, org: Organisation, other_org: Organisation, champion: Champion
) -> None:
    theirs = services.place_save(organisation=other_org, name="Their hub", kind="pop_up")
    response = editor_client.post(
        url(org, "sessions/new/"), _session_post(theirs, champion, 1, _person(0))
    )
    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert editor_client.get(url(org, f"places/{theirs.pk}/change/")).status_code == 404


def test_a_viewer_sees_but_cannot_record(
    viewer_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    assert viewer_client.get(url(org)).status_code == 200
    assert "Record a session" not in viewer_client.get(url(org, "sessions/")).content.decode()
    assert viewer_client.get(url(org, "sessions/new/")).status_code == 403
    response = viewer_client.post(url(org, "sessions/new/"), _session_post(place, champion, 1))
    assert response.status_code == 403
    assert Session.objects.count() == 0


CSV = (
    "session,place,date,minutes,kind,people,champions,age_band,motivation,service,confidence,"
    "completed,referred_to\n"
    "1,Central Library,{day},75,one_to_one,,Aisha Khan,60-74,council-services,"
    "report-a-missed-bin,5,yes,\n"
    "2,central library,{day},120,group,6,Aisha Khan;Ben Price,75-plus,keeping-in-touch,,4,"
    "partly,Library course\n"
    "2,Central Library,{day},120,group,,Aisha Khan;Ben Price,45-59,interests,,,not-asked,\n"
)


def test_a_days_csv_imports_once(
    editor_client: MemberClient,
    org: Organisation,
    place: Place,
    champion: Champion,
    service: Service,
) -> None:
    services.champion_save(organisation=org, name="Ben Price", kind="volunteer")
    day = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    data = CSV.format(day=day).encode()
    record = services.sessions_import(org, data, filename="monday.csv")
    assert record.sessions == 2
    one, group = Session.objects.order_by("people")
    assert (one.people, one.kind, one.source) == (1, "one_to_one", "csv")
    assert (group.people, group.duration_minutes, group.champions.count()) == (6, 120, 2)
    assert group.helped.count() == 2
    assert one.helped.get().service == service
    with pytest.raises(services.ImportRefused, match="already counted"):
        services.sessions_import(org, data, filename="monday-again.csv")
    assert Session.objects.count() == 2


def test_a_bad_csv_row_names_its_line_and_saves_nothing(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = (
        "session,place,date,minutes,age_band,motivation,confidence\n"
        f"1,Central Library,{day},75,60-74,council-services,5\n"
        f"2,Nowhere Hall,{day},75,60-74,council-services,5\n"
        f"3,Central Library,{day},a while,60-74,council-services,5\n"
        f"4,Central Library,{day},60,sixty,council-services,9\n"
        f"1,Central Library,{day},90,60-74,interests,5\n"
    ).encode()
    response = editor_client.post(
        url(org, "sessions/import/"), {"file": SimpleUploadedFile("day.csv", bad)}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "No place is called &#x27;Nowhere Hall&#x27;" in body
    assert "&#x27;a while&#x27; is not a whole number of minutes" in body
    assert "&#x27;sixty&#x27; is not one of" in body
    assert "9 is outside 1 to 5 points" in body
    assert "Session &#x27;1&#x27; began on line 2" in body
    assert Session.objects.count() == 0


def test_pledges_training_and_the_honour_roll(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    shy = services.champion_save(
        organisation=org, name="Eleanor Shaw", kind="staff", team="Revenues", on_honour_roll=False
    )
    response = editor_client.post(
        url(org, f"champions/{champion.pk}/"), {"hours": "10", "made_on": "2026-04-01"}
    )
    assert response.status_code == 302
    assert Pledge.objects.get().hours == Decimal("10")
    assert (
        editor_client.post(
            url(org, f"champions/{champion.pk}/"), {"hours": "0", "made_on": "2026-04-01"}
        ).status_code
        == 200
    )
    day = timezone.localdate() - timedelta(days=3)
    for who in (champion, shy):
        services.session_record(
            organisation=org,
            place=place,
            held_on=day,
            duration_minutes=90,
            kind="one_to_one",
            people=1,
            champions=[who],
        )
    response = editor_client.post(
        url(org, "training/new/"),
        {
            "title": "How our online services work",
            "kind": "awareness",
            "held_on": "2026-05-01",
            "duration_minutes": "60",
            "team": "Libraries",
            "attendees": "12",
            "champions": [str(champion.pk)],
        },
    )
    assert response.status_code == 302
    assert list(Training.objects.get().champions.all()) == [champion]
    page = reports.summary(org)
    assert page.pledged == Decimal("10") and page.delivered == Decimal("3")
    assert page.people == 2 and page.sessions == 2 and page.trained == 12
    assert page.since == day
    assert [name for name, _team, _hours in page.honour_roll] == ["Aisha Khan"]
    teams = {r.label: r for r in page.by_team}
    assert teams["Libraries"].pledged == 10 and teams["Libraries"].delivered == Decimal("1.5")
    body = editor_client.get(url(org)).content.decode()
    assert (
        "Aisha Khan (Libraries)" in body
        and "Eleanor Shaw" not in body.split("Honour roll")[1].split("training")[0]
    )
    roll = editor_client.get(url(org) + "?download=honour-roll").content.decode()
    assert "Aisha Khan" in roll and "Eleanor Shaw" not in roll


def test_champions_are_seen_only_by_the_organisations_staff(
    client: Client,
    org: Organisation,
    other_org: Organisation,
    champion: Champion,
    member_client: object,
) -> None:
    assert client.get(url(org, "champions/")).status_code == 302  # to sign in
    assert client.get("/api/outreach/sessions").status_code == 401


def test_api_places_and_sessions(
    api_client: Client,
    org: Organisation,
    other_org: Organisation,
    champion: Champion,
    service: Service,
) -> None:
    services.place_save(organisation=other_org, name="Their hub", kind="pop_up")
    made = api_client.post(
        "/api/outreach/places",
        {"name": "Age UK Millbrook", "kind": "partner", "partner": "Age UK"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    place_id = made.json()["id"]
    again = api_client.post(
        "/api/outreach/places",
        {"name": "age uk millbrook", "kind": "partner"},
        content_type="application/json",
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "name"
    assert [p["name"] for p in api_client.get("/api/outreach/places").json()] == [
        "Age UK Millbrook"
    ]
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    sent = api_client.post(
        "/api/outreach/sessions",
        {
            "place": place_id,
            "held_on": day,
            "duration_minutes": 60,
            "kind": "group",
            "champions": [champion.pk],
            "helped": [
                {
                    "age_band": "75-plus",
                    "motivation": "council-services",
                    "service": service.slug,
                    "confidence": 5,
                    "completed": "yes",
                },
                {"motivation": "interests"},
            ],
        },
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["people"] == 2 and body["source"] == "api"
    assert body["helped"][0]["service"] == service.slug
    wrong = api_client.post(
        "/api/outreach/sessions",
        {
            "place": place_id,
            "held_on": day,
            "duration_minutes": 60,
            "helped": [{"motivation": "interests", "service": "nope"}],
        },
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "helped.0.service"
    one_too_many = api_client.post(
        "/api/outreach/sessions",
        {
            "place": place_id,
            "held_on": day,
            "duration_minutes": 60,
            "kind": "one_to_one",
            "helped": [{"motivation": "interests"}, {"motivation": "other"}],
        },
        content_type="application/json",
    )
    assert one_too_many.status_code == 422
    their_place = Place.objects.get(organisation=other_org)
    theirs = api_client.post(
        "/api/outreach/sessions",
        {"place": their_place.pk, "held_on": day, "duration_minutes": 60},
        content_type="application/json",
    )
    assert theirs.status_code == 422
    listed = api_client.get("/api/outreach/sessions", {"since": day}).json()
    assert len(listed) == 1 and listed[0]["helped"][1]["motivation"] == "interests"
    assert Session.objects.count() == 1 and Helped.objects.count() == 2


def test_every_page_answers_in_welsh(
    viewer_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    for path in ("", "places/", "sessions/", "champions/", "training/", "assisted-digital/"):
        response = viewer_client.get(f"/cy{url(org, path)}")
        assert response.status_code == 200, path
        assert 'lang="cy"' in response.content.decode()


def test_more_people_rows_than_the_form_allows_are_refused(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    rows = [_person(n) for n in range(31)]
    data = _session_post(place, champion, 40, *rows)
    response = editor_client.post(url(org, "sessions/new/"), data)
    assert response.status_code == 200
    assert "30" in "".join(_errors(response.content.decode()))
    assert Session.objects.count() == 0


def test_deleting_a_session_takes_it_out_and_is_audited(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    session = services.session_record(
        organisation=org,
        place=place,
        held_on=timezone.localdate(),
        duration_minutes=60,
        kind="one_to_one",
        people=1,
        champions=[champion],
        helped=[{"motivation": "interests"}],
    )
    page = editor_client.get(url(org, f"sessions/{session.pk}/")).content.decode()
    assert "Yes, delete this session" in page
    assert editor_client.post(url(org, f"sessions/{session.pk}/")).status_code == 302
    assert Session.objects.count() == 0 and Helped.objects.count() == 0
    assert AuditEvent.objects.filter(action="outreach.session.delete").count() == 1
    assert reports.summary(org).people == 0


def test_every_problem_with_a_session_is_said_at_once(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    data = _session_post(place, champion, 1, _person(0), _person(1))
    data["s-place"] = ""
    data["s-held_on"] = (timezone.localdate() + timedelta(days=5)).isoformat()
    data["s-duration_minutes"] = "2"
    errors = "".join(_errors(editor_client.post(url(org, "sessions/new/"), data).content.decode()))
    assert "Choose the place where the session was held." in errors
    assert "The date is in the future" in errors
    assert "Enter a length between 5 and 720 minutes." in errors
    assert "2 people are recorded one by one" in errors
    assert Session.objects.count() == 0


def test_a_session_must_fall_while_its_place_is_open(
    editor_client: MemberClient, api_client: Client, org: Organisation, champion: Champion
) -> None:
    today = timezone.localdate()
    later = services.place_save(
        organisation=org, name="New hub", kind="digital_zone", opened_on=today - timedelta(days=10)
    )
    for day, said in (
        (today - timedelta(days=30), "New hub opened on"),
        (date(1901, 1, 1), "before 2000"),
    ):
        data = _session_post(later, champion, 1, _person(0))
        data["s-held_on"] = day.isoformat()
        response = editor_client.post(url(org, "sessions/new/"), data)
        assert said in "".join(_errors(response.content.decode()))
        sent = api_client.post(
            "/api/outreach/sessions",
            {"place": later.pk, "held_on": day.isoformat(), "duration_minutes": 60},
            content_type="application/json",
        )
        assert sent.status_code == 422 and sent.json()["errors"][0]["field"] == "held_on"
    with pytest.raises(ValidationError):
        services.place_save(
            organisation=org, name="Far off", kind="pop_up", opened_on=date(2099, 1, 1)
        )
    row = f"1,New hub,{(today - timedelta(days=30)).isoformat()},60\n"
    with pytest.raises(services.ImportRefused) as refused:
        services.sessions_import(org, ("session,place,date,minutes\n" + row).encode())
    assert refused.value.errors[0].line == 2 and refused.value.errors[0].column == "held_on"
    assert Session.objects.count() == 0


def test_add_another_person_makes_it_a_group_of_enough_people(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    data = _session_post(place, champion, 1, _person(0))
    data["add_person"] = "1"
    body = editor_client.post(url(org, "sessions/new/"), data).content.decode()
    assert 'value="group" selected' in body
    assert re.search(r'name="s-people" value="2"', body)
    assert 'formaction="#person-3"' in body


def test_a_binary_file_or_the_same_file_twice_is_said_for_the_whole_file(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    binary = SimpleUploadedFile("day.csv", b"PK\x03\x04\x00\x00binary")
    body = editor_client.post(url(org, "sessions/import/"), {"file": binary}).content.decode()
    assert "This is not a CSV text file" in body and 'id="import-errors"' not in body
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    good = f"session,place,date,minutes\n1,Central Library,{day},60\n".encode()
    response = editor_client.post(
        url(org, "sessions/import/"), {"file": SimpleUploadedFile("d.csv", good)}, follow=True
    )
    assert "1 session is imported." in response.content.decode()
    again = editor_client.post(
        url(org, "sessions/import/"), {"file": SimpleUploadedFile("d.csv", good)}
    ).content.decode()
    assert "its sessions are already counted" in again and 'id="import-errors"' not in again
    assert Session.objects.count() == 1


def test_a_place_read_from_the_api_can_be_sent_back(api_client: Client, org: Organisation) -> None:
    made = api_client.post(
        "/api/outreach/places",
        {"name": "Pop-up", "kind": "pop_up", "address": "", "partner": "  "},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    got = made.json()
    assert got["address"] == "" and got["partner"] == ""
    again = {k: got[k] for k in ("kind", "address", "partner", "opening_times", "equipment")}
    resent = api_client.post(
        "/api/outreach/places", {**again, "name": "Pop-up 2"}, content_type="application/json"
    )
    assert resent.status_code == 201, resent.content
    bad = api_client.post(
        "/api/outreach/places",
        {"name": "Bad", "kind": "pop_up", "address": "a\x00b"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_a_person_can_be_taken_out_before_saving(
    editor_client: MemberClient, org: Organisation, place: Place, champion: Champion
) -> None:
    data = _session_post(
        place, champion, 3, _person(0, age_band="25-44"), _person(1, age_band="75-plus")
    )
    data["remove_person"] = "0"
    body = editor_client.post(url(org, "sessions/new/"), data).content.decode()
    assert 'id="person-1"' in body and 'id="person-2"' not in body
    assert 'value="75-plus" selected' in body and 'value="25-44" selected' not in body
    assert "Remove person 1" not in body  # the last person stays
    assert "There is a problem" not in body
    assert Session.objects.count() == 0

"""The principles pages, their API and the two places they read a council's site (a service's
page, the site's search), against a small site served on loopback."""

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.organisations.models import AuditEvent, Organisation
from takeup.principles import tasks
from takeup.principles.models import ChecklistItem, ScoreSnapshot, SearchResult, SearchTerm, Stage
from takeup.principles.services import search_check
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "/bins": "<h1>Report a missed bin</h1><p>Report it online, or call 01708 434343.</p>",
    "/search": (
        "<main><a href='/news'>News</a><a href='/a'>A</a><a href='/b'>B</a><a href='/c'>C</a>"
        "<a href='/d'>D</a><a href='/carers/break'>A break for carers</a></main>"
    ),
}


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path.split("?")[0])
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "Not found").encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def local(org: Organisation) -> Organisation:
    org.allowed_domains = ["127.0.0.1"]
    org.save()
    return org


def url(org: Organisation, path: str = "") -> str:
    return f"/o/{org.slug}/principles/{path}"


def test_reading_a_service_page_fills_the_checklist_and_staff_answers_stay(
    editor_client: MemberClient, local: Organisation, site: str
) -> None:
    service = ServiceFactory.create(organisation=local, slug="bins", online_url=f"{site}/bins")
    editor_client.post(
        url(local, "services/bins/"),
        {
            "form": "checklist",
            "c-promoted_everywhere": "pass",
            "c-promoted_everywhere__evidence": "On the home page",
            "c-no_phone_published": "pass",
            "c-no_email_published": "unknown",
            "c-no_post_or_cheques": "unknown",
        },
    )
    editor_client.post(url(local, "services/bins/"), {"form": "read"})
    found = {c.item: c for c in ChecklistItem.objects.filter(service=service)}
    assert found["no_phone_published"].result == "pass"  # set by staff: the page does not change it
    assert found["no_email_published"].result == "pass"  # read from the page
    assert found["no_email_published"].evidence_url == f"{site}/bins"
    assert ScoreSnapshot.objects.get(service=service).passed == 4
    page = editor_client.get(url(local)).content.decode()
    assert "4 of 4" in page
    assert AuditEvent.objects.filter(action="principles.read_page").count() == 1


def test_a_page_off_the_organisations_domains_is_not_read(
    editor_client: MemberClient, org: Organisation, site: str
) -> None:
    ServiceFactory.create(organisation=org, slug="bins", online_url=f"{site}/bins")
    response = editor_client.post(url(org, "services/bins/"), {"form": "read"}, follow=True)
    assert "allowed domains" in response.content.decode()
    assert not ChecklistItem.objects.exists()


def test_an_action_for_a_failing_principle(
    editor_client: MemberClient, viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    bad = editor_client.post(
        url(org, f"services/{service.slug}/"),
        {
            "form": "action",
            "a-item": "no_phone_published",
            "a-text": "",
            "a-owner": "",
            "a-due_on": "soon",
        },
    )
    assert (
        "Enter what to do" in bad.content.decode() and "Enter a real date" in bad.content.decode()
    )
    editor_client.post(
        url(org, f"services/{service.slug}/"),
        {
            "form": "action",
            "a-item": "no_phone_published",
            "a-text": "Take the phone number off the page",
            "a-owner": "Web team",
            "a-due_on": "2027-01-31",
        },
    )
    page = viewer_client.get(url(org, "actions/")).content.decode()
    assert "Take the phone number off the page" in page and "Web team" in page
    assert viewer_client.post(url(org, "actions/1/done/")).status_code == 403
    assert (
        viewer_client.post(url(org, f"services/{service.slug}/"), {"form": "read"}).status_code
        == 403
    )


def test_going_online_only_is_the_services_switch(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    editor_client.post(
        url(org, f"services/{service.slug}/"),
        {
            "form": "stages",
            "s-live_actual": "2024-05-01",
            "s-online_only_planned": "2025-03-01",
            "s-online_only_actual": "2025-04-01",
        },
    )
    assert {s.stage for s in Stage.objects.filter(service=service)} == {"live", "online_only"}
    service.refresh_from_db()
    assert service.online_only_since == date(2025, 4, 1)
    from takeup.principles.queries import stage_bands

    bands = stage_bands(service, date(2025, 1, 1), date(2025, 12, 31))
    assert [b[0] for b in bands] == ["2025-04-01"]


def test_findability_records_where_the_page_came_and_is_searched_weekly(
    editor_client: MemberClient, local: Organisation, site: str
) -> None:
    assert (
        editor_client.post(
            url(local, "findability/"), {"form": "template", "t-url_template": f"{site}/search"}
        ).status_code
        == 200
    )  # no {terms}: refused
    editor_client.post(
        url(local, "findability/"),
        {"form": "template", "t-url_template": f"{site}/search?q={{terms}}"},
    )
    editor_client.post(
        url(local, "findability/"),
        {"form": "term", "w-terms": "Break for carers", "w-expected_url": f"{site}/carers/break"},
    )
    term = SearchTerm.objects.get()
    now = datetime(2027, 1, 4, 9, tzinfo=UTC)
    assert tasks.searches_due(now) == [term.pk]
    assert tasks.searches_due(now + timedelta(minutes=1)) == []  # queued, not twice
    result = search_check(term)
    assert (result.rank, result.error) == (6, "")
    page = editor_client.get(url(local, "findability/")).content.decode()
    assert "Found, number 6" in page and "govuk-tag--red" in page  # outside the top 5
    SearchResult.objects.update(checked_at=now)
    assert tasks.searches_due(now + timedelta(days=8)) == [term.pk]  # a week on: again


def test_the_api_lists_and_sets_principles(
    api_client: Client, org: Organisation, service: Service
) -> None:
    listed = api_client.get("/api/principles/services").json()
    assert listed[0]["state"] in ("online", "not_online")
    items = [i["item"] for i in listed[0]["items"]]
    put = api_client.put(
        f"/api/principles/services/{service.slug}/checklist",
        [{"item": items[0], "result": "fail", "evidence": "A phone number"}],
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["answered"] == 1
    wrong = api_client.put(
        f"/api/principles/services/{service.slug}/checklist",
        [{"item": "digital_by_default", "result": "pass"}],
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "item"
    made = api_client.post(
        "/api/principles/phone-messages",
        {
            "kind": "out_of_hours",
            "number": "01708 434343",
            "text": "We are closed. Report a missed bin online at millbrook.gov.uk.",
            "reason": service.slug,
            "last_checked_on": "2026-11-01",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert [c["result"] for c in made.json()["checks"]] == ["pass", "pass"]
    assert made.json()["next_check_on"] == "2027-02-01"
    outside = api_client.post(
        "/api/principles/search-terms",
        {"terms": "bins", "expected_url": "https://evil.example/bins"},
        content_type="application/json",
    )
    assert outside.status_code == 422
    stages = api_client.put(
        f"/api/principles/services/{service.slug}/stages",
        [{"stage": "scoping", "planned_on": "2027-01-01", "actual_on": None}],
        content_type="application/json",
    )
    assert stages.json() == [{"stage": "scoping", "planned_on": "2027-01-01", "actual_on": None}]


def test_phone_messages_page_says_what_to_fix_and_when_to_check(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    editor_client.post(
        url(org, "phone-messages/new/"),
        {
            "kind": "busy",
            "number": "01708 434343",
            "text": "All our advisers are busy. Please hold.",
            "reason": service.pk,
            "last_checked_on": "2026-01-05",
        },
    )
    page = editor_client.get(url(org, "phone-messages/")).content.decode()
    assert page.count("govuk-tag--red") == 2  # no website, no service named
    assert "Due for a check" in page  # checked in January: a quarter has passed
    welsh = editor_client.get(f"/cy/o/{org.slug}/principles/phone-messages/").content.decode()
    assert 'lang="cy"' in welsh


def test_each_failing_principle_becomes_an_action_once(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    from takeup.principles.models import Action
    from takeup.principles.services import checklist_set

    checklist_set(
        service, {"no_phone_published": ("fail", "Call us"), "no_email_published": ("pass", "")}
    )
    checklist_set(service, {"no_phone_published": ("fail", "Call us on 01632 960000")})
    (action,) = Action.objects.filter(service=service)
    assert action.item == "no_phone_published" and action.owner == ""
    assert action.due_on > date.today()
    page = editor_client.get(url(org, "actions/")).content.decode()
    assert "Nobody yet" in page
    editor_client.post(
        url(org, f"actions/{action.pk}/change/"),
        {"text": action.text, "owner": "Web team", "due_on": "2027-02-01", "done_on": "2027-01-15"},
    )
    action.refresh_from_db()
    assert (action.owner, action.done_on) == ("Web team", date(2027, 1, 15))
    checklist_set(service, {"no_phone_published": ("fail", "Still there")})
    assert Action.objects.filter(service=service, done_on=None).count() == 1  # a new one


def test_a_redirect_off_the_allowed_domains_is_never_requested(local: Organisation) -> None:
    import httpx

    from takeup.principles.services import FetchError, fetch

    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest"})
        return httpx.Response(200, text="<p>Hello</p>")

    client = httpx.Client(transport=httpx.MockTransport(answer))
    with pytest.raises(FetchError, match="redirected off"):
        fetch("http://127.0.0.1/moved", ["127.0.0.1"], client)
    assert asked == ["http://127.0.0.1/moved"]  # the inside address was not asked for

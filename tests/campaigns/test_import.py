"""Campaigns and activities from CSV: all or nothing, line-numbered errors, nothing doubled."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from takeup.campaigns.csvimport import parse_campaigns
from takeup.campaigns.models import Activity, Campaign, Medium, TrackedLink
from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
MEDIA = {v: v for v in Medium.values} | {str(label).lower(): v for v, label in Medium.choices}
GOOD = (
    "campaign,services,campaign_start,campaign_end,budget,phase,follows,"
    "medium,place,start,end,cost\n"
    "Bins online,report-a-missed-bin,01/03/2026,28/03/2026,"
    '"£1,500",Phase 1,,Leaflet,GP surgeries,,,600\n'
    "Bins online,,,,,,,Facebook advert,Facebook,2026-03-01,2026-03-14,900.50\n"
    "Bins online 2,report-a-missed-bin,2026-12-01,2026-12-28,2000,Phase 2,Bins online,radio,FM,,,\n"
)


def upload(
    client: MemberClient, org: Organisation, text: str, name: str = "c.csv"
) -> ClientResponse:
    return client.post(
        f"/o/{org.slug}/campaigns/import/",
        {"file": SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")},
    )


def test_a_good_file_loads_and_loading_it_again_doubles_nothing(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    for _ in range(2):
        response = upload(editor_client, org, GOOD)
        assert response.status_code == 302
    assert Campaign.objects.count() == 2 and Activity.objects.count() == 3
    assert TrackedLink.objects.count() == 3
    first = Campaign.objects.get(name="Bins online")
    assert first.budget_pence == 150000 and first.phase == "Phase 1"
    assert Campaign.objects.get(name="Bins online 2").parent == first
    facebook = Activity.objects.get(medium="facebook")
    assert facebook.cost_pence == 90050 and str(facebook.ends_on) == "2026-03-14"
    leaflet = Activity.objects.get(medium="leaflet")
    assert str(leaflet.starts_on) == "2026-03-01"  # the campaign's dates when none are given


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("campaign,medium\nX,leaflet\n", 2, "services"),
        ("name\nX\n", 1, "campaign"),
        ("campaign,colour\nX,red\n", 1, "colour"),
        (GOOD.replace("Leaflet", "Pigeon"), 2, "medium"),
        (GOOD.replace("01/03/2026", "31/02/2026"), 2, "campaign_start"),
        (GOOD.replace('"£1,500"', "lots"), 2, "budget"),
        (GOOD.replace("2026-03-14", "2026-02-01"), 3, "end"),
        ("", 1, ""),
        ("campaign\n", 2, ""),
    ],
)
def test_bad_rows_are_reported_by_line(text: str, line: int, column: str) -> None:
    parsed = parse_campaigns(text.encode(), MEDIA)
    assert not parsed.ok
    assert (line, column) in {(e.line, e.column) for e in parsed.errors}, parsed.errors


def test_a_bad_file_saves_nothing_and_shows_the_lines(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    response = upload(editor_client, org, GOOD.replace("Facebook advert", "Carrier pigeon"))
    assert response.status_code == 200
    assert (
        "Carrier pigeon" in response.content.decode()
        and "import-errors" in response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_unknown_services_and_parents_save_nothing(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    response = upload(
        editor_client,
        org,
        GOOD.replace("Bins online 2,report-a-missed-bin", "Bins online 2,potholes"),
    )
    assert "no service with the short name potholes" in response.content.decode()
    response = upload(editor_client, org, GOOD.replace(",Bins online,radio", ",Nothing,radio"))
    assert "to follow on from" in response.content.decode()
    assert not Campaign.objects.exists() and not Activity.objects.exists()


def test_viewers_cannot_import(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    assert upload(viewer_client, org, GOOD).status_code == 403
    assert not Campaign.objects.exists()

"""The campaign screens: register, activities, QR codes, notes, import, roles and tenancy."""

import io
import re
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from PIL import Image
from pytest_django import DjangoAssertNumQueries

from takeup.campaigns.models import Activity, Annotation, Campaign, TrackedLink
from takeup.campaigns.services import campaign_save
from takeup.catalogue.models import Service
from takeup.organisations.models import AuditEvent, Organisation
from tests.conftest import MemberClient
from tests.factories import OrganisationFactory, ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def url(org: Organisation, path: str = "") -> str:
    return f"/o/{org.slug}/campaigns/{path}"


def campaign_form(service: Service, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Garden waste online",
        "objective": "Renewals online",
        "services": [service.pk],
        "audience": "Subscribers",
        "starts_on": "2026-02-02",
        "ends_on": "2026-03-01",
        "budget_pence": "1,200.50",
        "phase": "",
        "parent": "",
    }
    data.update(changes)
    return data


def test_editor_registers_a_campaign_with_three_activities(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    response = editor_client.post(url(org, "new/"), campaign_form(service))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == url(org, f"{campaign.pk}/")
    assert campaign.budget_pence == 120050 and list(campaign.services.all()) == [service]
    for medium, place in [("facebook", "Facebook"), ("leaflet", "GP surgeries"), ("radio", "FM")]:
        response = editor_client.post(
            url(org, f"{campaign.pk}/activities/new/"),
            {
                "medium": medium,
                "place": place,
                "starts_on": "2026-02-02",
                "ends_on": "2026-02-15",
                "cost_pence": "300",
                "vanity": "garden" if medium == "radio" else "",
            },
        )
        assert response.status_code == 302
    assert Activity.objects.count() == 3 and TrackedLink.objects.count() == 3
    assert TrackedLink.objects.get(activity__medium="radio").vanity == "garden"
    page = editor_client.get(url(org, f"{campaign.pk}/"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "/go/garden" in content and "QR code for print (PNG)" in content
    assert AuditEvent.objects.filter(action="activity.create").count() == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name"),
        ({"services": []}, "services", "Choose at least one service"),
        ({"ends_on": "2026-01-01"}, "ends_on", "on or after the start date"),
        ({"starts_on": "31/02/2026"}, "starts_on", "real date"),
        ({"budget_pence": "lots"}, "budget_pence", ""),
        ({"services": [999999]}, "services", "organisation's services"),
    ],
)
def test_bad_campaign_forms_save_nothing(
    editor_client: MemberClient,
    org: Organisation,
    service: Service,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    response = editor_client.post(url(org, "new/"), campaign_form(service, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert b"govuk-error-summary" in response.content
    assert not Campaign.objects.exists()


def test_another_organisations_service_cannot_be_chosen(
    editor_client: MemberClient, org: Organisation, service: Service, other_org: Organisation
) -> None:
    theirs = ServiceFactory.create(organisation=other_org)
    response = editor_client.post(url(org, "new/"), campaign_form(service, services=[theirs.pk]))
    assert response.status_code == 200 and not Campaign.objects.exists()


def test_a_duplicate_name_is_refused(
    editor_client: MemberClient, org: Organisation, service: Service, campaign: Campaign
) -> None:
    response = editor_client.post(url(org, "new/"), campaign_form(service, name="BINS ONLINE"))
    assert "already exists" in " ".join(response.context["form"].errors["name"])


def test_phase_two_follows_phase_one(
    editor_client: MemberClient, org: Organisation, service: Service, campaign: Campaign
) -> None:
    editor_client.post(
        url(org, "new/"), campaign_form(service, name="Bins online 2", parent=campaign.pk)
    )
    second = Campaign.objects.get(name="Bins online 2")
    assert second.parent == campaign
    listing = editor_client.get(url(org)).content.decode()
    assert "Follows Bins online" in listing


def test_viewer_sees_but_cannot_change(
    viewer_client: MemberClient, org: Organisation, service: Service, activity: Activity
) -> None:
    campaign = activity.campaign
    assert viewer_client.get(url(org)).status_code == 200
    assert viewer_client.get(url(org, f"{campaign.pk}/")).status_code == 200
    assert viewer_client.get(url(org, "new/")).status_code == 403
    assert viewer_client.post(url(org, "new/"), campaign_form(service)).status_code == 403
    assert (
        viewer_client.post(url(org, f"{campaign.pk}/estimate/"), {"after_days": 28}).status_code
        == 403
    )
    assert viewer_client.get(url(org, f"activities/{activity.pk}/change/")).status_code == 403
    assert Campaign.objects.count() == 1


def test_another_organisation_gets_404(
    member_client: Callable[[str], MemberClient], activity: Activity, org: Organisation
) -> None:
    other = OrganisationFactory.create(slug="other-council")
    outsider = member_client("admin")
    outsider.user.memberships.update(organisation=other)
    campaign = activity.campaign
    for path in [
        f"{campaign.pk}/",
        f"{campaign.pk}/change/",
        f"activities/{activity.pk}/change/",
        f"activities/{activity.pk}/qr.svg",
    ]:
        assert outsider.get(f"/o/{other.slug}/campaigns/{path}").status_code == 404
        assert outsider.get(url(org, path)).status_code == 404


def test_qr_codes_for_screen_and_print(
    viewer_client: MemberClient, org: Organisation, activity: Activity
) -> None:
    code = activity.link.code
    svg = viewer_client.get(url(org, f"activities/{activity.pk}/qr.svg"))
    assert svg["Content-Type"] == "image/svg+xml"
    assert f"/go/{code}</text>" in svg.content.decode()  # the address printed under the code
    png = viewer_client.get(url(org, f"activities/{activity.pk}/qr.png?download=1"))
    assert png["Content-Type"] == "image/png"
    assert f'filename="qr-{code}.png"' in png["Content-Disposition"]
    image = Image.open(io.BytesIO(png.content))
    assert image.width >= 500 and image.height > image.width  # room for the caption
    assert round(image.info["dpi"][0]) == 300


def test_activity_change_keeps_its_link(
    editor_client: MemberClient, org: Organisation, activity: Activity
) -> None:
    code = activity.link.code
    response = editor_client.post(
        url(org, f"activities/{activity.pk}/change/"),
        {
            "medium": "poster",
            "place": "Libraries",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-10",
            "cost_pence": "50",
            "vanity": "",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.medium == "poster" and activity.cost_pence == 5000
    assert activity.link.code == code


def test_bad_activity_form(
    editor_client: MemberClient, org: Organisation, campaign: Campaign
) -> None:
    response = editor_client.post(
        url(org, f"{campaign.pk}/activities/new/"),
        {"medium": "pigeon", "starts_on": "2026-03-02", "ends_on": "2026-03-01", "vanity": "a b"},
    )
    errors = response.context["form"].errors
    assert {"medium", "vanity"} <= set(errors)
    assert not Activity.objects.exists()


def test_notes_are_added_listed_and_removed(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    response = editor_client.post(
        url(org, "notes/"),
        {"text": "Online form redesigned", "starts_on": "2026-05-14", "services": [service.pk]},
    )
    assert response.status_code == 302
    note = Annotation.objects.get()
    assert list(note.services.all()) == [service]
    assert "Online form redesigned" in editor_client.get(url(org, "notes/")).content.decode()
    bad = editor_client.post(url(org, "notes/"), {"text": "", "starts_on": "nope"})
    assert {"text", "starts_on"} <= set(bad.context["form"].errors)
    editor_client.post(url(org, f"notes/{note.pk}/delete/"))
    assert not Annotation.objects.exists()


def test_viewer_cannot_add_notes(viewer_client: MemberClient, org: Organisation) -> None:
    response = viewer_client.post(url(org, "notes/"), {"text": "x", "starts_on": "2026-05-14"})
    assert response.status_code == 403 and not Annotation.objects.exists()
    assert "Only these roles can do this: editor, analyst, admin." in response.content.decode()


def test_comparison_csv(viewer_client: MemberClient, org: Organisation, activity: Activity) -> None:
    response = viewer_client.get(url(org, "?download=comparison"))
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("campaign,phase,follows,activity,service,start,end,cost_pounds")
    assert lines[1].startswith("Bins online,,,,,2026-03-02,2026-03-29,600.00,0")
    assert lines[2].startswith("Bins online,,,Leaflet: 12 GP surgeries,")


def test_campaign_list_query_count_is_pinned(
    viewer_client: MemberClient,
    org: Organisation,
    activity: Activity,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    viewer_client.get(url(org))
    with django_assert_num_queries(11):
        viewer_client.get(url(org))
    for i in range(3):
        campaign = Campaign.objects.create(
            organisation=org, name=f"More {i}", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
        )
        Activity.objects.create(
            organisation=org,
            campaign=campaign,
            medium="poster",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 2),
        )
    with django_assert_num_queries(11):
        viewer_client.get(url(org))


def test_nav_links_to_campaigns(viewer_client: Client, org: Organisation) -> None:
    page = viewer_client.get(f"/o/{org.slug}/").content.decode()
    assert f'href="/o/{org.slug}/campaigns/"' in page


def test_a_phase_is_compared_with_the_phase_before(
    viewer_client: MemberClient, org: Organisation, service: Service, campaign: Campaign
) -> None:
    second = Campaign.objects.create(
        organisation=org,
        name="Bins online, again",
        phase="Phase 2",
        parent=campaign,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 9, 28),
        budget_pence=50_000,
    )
    page = viewer_client.get(url(org, f"{second.pk}/")).content.decode()
    table = page[page.index('id="phases"') :]
    table = table[: table.index("</table>")]
    assert "Bins online" in table and "Phase 2" in table
    assert table.index("2 Mar 2026") < table.index("1 Sep 2026")  # earlier phase first
    lone = Campaign.objects.create(
        organisation=org, name="Alone", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
    )
    assert 'id="phases"' not in viewer_client.get(url(org, f"{lone.pk}/")).content.decode()


def test_a_change_is_audited_against_what_was_stored(
    org: Organisation, campaign: Campaign, service: Service
) -> None:
    # A bound form changes the object in memory before the service sees it: the audit log
    # must still show the stored value as "before".
    stored = campaign.name
    campaign.name = "Renamed in memory"
    campaign_save(organisation=org, campaign=campaign, services=[service], name="Renamed in memory")
    event = AuditEvent.objects.filter(action="campaign.update").latest("pk")
    assert event.changes["name"] == [stored, "Renamed in memory"]


def test_services_are_checkboxes_under_their_areas(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    parking = ServiceAreaFactory.create(organisation=org, name="Parking", slug="parking")
    permit = ServiceFactory.create(
        organisation=org, area=parking, name="Apply for a permit", slug="p"
    )
    page = editor_client.get(url(org, "new/")).content.decode()
    assert "Hold Ctrl" not in page and "<select" not in page.split('name="services"')[0][-300:]
    assert f'type="checkbox" value="{permit.pk}"' in page
    assert page.index(">Parking</p>") < page.index("Apply for a permit")
    # Left empty, the error summary links to the first checkbox.
    empty = editor_client.post(url(org, "new/"), campaign_form(service, services=[]))
    html = empty.content.decode()
    assert re.search(r'href="#(id_services_0)".*id="\1"', html, re.S)
    # Two ticked services are both kept.
    response = editor_client.post(
        url(org, "new/"), campaign_form(service, services=[service.pk, permit.pk])
    )
    assert response.status_code == 302
    assert set(Campaign.objects.get().services.all()) == {service, permit}

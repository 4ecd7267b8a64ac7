"""Catalogue screens: forms with error summaries, archive, CSV import, defaults, query counts."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from takeup.catalogue.models import Channel, Service, ServiceArea, UnitCost
from takeup.organisations.models import Organisation
from tests.factories import ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def test_new_organisation_starts_with_standard_channels_and_socitm_costs(
    org: Organisation,
) -> None:
    slugs = set(Channel.objects.filter(organisation=org).values_list("slug", flat=True))
    assert {"web", "phone", "face-to-face", "post", "email", "assisted-digital"} <= slugs
    costs = {c.channel.slug: c for c in UnitCost.objects.filter(organisation=org)}
    assert costs["face-to-face"].pence_per_contact == 862
    assert costs["phone"].pence_per_contact == 283
    assert costs["web"].pence_per_contact == 15
    assert all("Socitm" in c.source and "2012" in c.source for c in costs.values())
    assisted = Channel.objects.get(organisation=org, slug="assisted-digital")
    assert assisted.is_digital and not assisted.counts_towards_take_up


def test_add_service(editor_client: Client, org: Organisation) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Parking")
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/",
        {
            "name": "Apply for a visitor parking permit",
            "area": area.pk,
            "kind": "apply",
            "online_url": "https://www.millbrook.gov.uk/parking/visitor",
            "online_since": "2020-04-01",
            "target_percent": "95",
            "target_date": "2027-03-31",
            "public": "on",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(organisation=org, slug="apply-for-a-visitor-parking-permit")
    assert service.public and service.target_percent == 95
    listing = editor_client.get(f"/o/{org.slug}/catalogue/services/").content.decode()
    assert "Apply for a visitor parking permit" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "apply"}, "Enter the name of the service"),
        ({"name": "A thing", "kind": "grumble"}, "Choose “Kind” from the list."),
        (
            {"name": "A thing", "kind": "pay", "online_url": "https://evil.example.com/x"},
            "allowed domains (millbrook.gov.uk)",
        ),
        (
            {
                "name": "A thing",
                "kind": "pay",
                "target_percent": "120",
                "target_date": "2027-01-01",
            },
            "less than or equal to 100",
        ),
        (
            {"name": "A thing", "kind": "pay", "target_percent": "80"},
            "Give a take-up target and the date to reach it, or neither.",
        ),
        (
            {"name": "A thing", "kind": "pay", "online_since": "31/02/2020"},
            "“Date it went online” must be a real date.",
        ),
    ],
)
def test_bad_service_shows_an_error_summary_and_saves_nothing(
    editor_client: Client, org: Organisation, data: dict[str, str], message: str
) -> None:
    area = ServiceAreaFactory.create(organisation=org)
    before = Service.objects.count()
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/", {"area": area.pk, **data}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert message in page
    assert Service.objects.count() == before


def test_duplicate_service_name_is_refused(
    editor_client: Client, org: Organisation, service: Service
) -> None:
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/",
        {"name": service.name, "area": service.area_id, "kind": "report"},
    )
    assert b"already exists" in response.content
    assert Service.objects.filter(organisation=org).count() == 1


def test_cannot_put_a_service_in_another_organisations_area(
    editor_client: Client, org: Organisation, other_org: Organisation
) -> None:
    theirs = ServiceAreaFactory.create(organisation=other_org)
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/",
        {"name": "Sneaky", "area": theirs.pk, "kind": "pay"},
    )
    assert b"govuk-error-summary" in response.content
    assert not Service.objects.filter(name="Sneaky").exists()


def test_archive_and_restore(editor_client: Client, org: Organisation, service: Service) -> None:
    url = f"/o/{org.slug}/catalogue/services/{service.slug}/archive/"
    editor_client.post(url)
    service.refresh_from_db()
    assert not service.active
    link = f"/catalogue/services/{service.slug}/"
    assert link not in editor_client.get(f"/o/{org.slug}/catalogue/services/").content.decode()
    assert (
        link in editor_client.get(f"/o/{org.slug}/catalogue/services/?archived=1").content.decode()
    )
    editor_client.post(url, {"restore": "1"})
    service.refresh_from_db()
    assert service.active


def test_import_with_bad_rows_reports_each_line_and_saves_nothing(
    editor_client: Client, org: Organisation
) -> None:
    with (DATA / "bad.csv").open("rb") as f:
        response = editor_client.post(f"/o/{org.slug}/catalogue/services/import/", {"file": f})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Nothing was saved" in page
    errors = response.context["errors"]
    assert {e.line for e in errors} == {3, 4, 5, 6}
    assert Service.objects.filter(organisation=org).count() == 0
    assert ServiceArea.objects.filter(organisation=org).count() == 0


def test_import_rejected_by_the_database_rules_saves_nothing(
    editor_client: Client, org: Organisation
) -> None:
    # Line 2 is fine on its own; line 3 points outside the allowed domains. Neither is saved.
    data = (
        b"name,area,kind,online_url\nJoin the library,Libraries,Apply for it,\n"
        b"Phish,Libraries,Pay it,https://evil.example.com/\n"
    )
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/import/", {"file": _upload(data)}
    )
    assert [(e.line, e.column) for e in response.context["errors"]] == [(3, "online_url")]
    assert not Service.objects.filter(organisation=org).exists()
    assert not ServiceArea.objects.filter(organisation=org).exists()


def test_import_adds_then_updates_without_doubling(
    editor_client: Client, org: Organisation
) -> None:
    url = f"/o/{org.slug}/catalogue/services/import/"
    with (DATA / "good.csv").open("rb") as f:
        assert editor_client.post(url, {"file": f}).status_code == 302
    assert Service.objects.filter(organisation=org).count() == 3
    assert ServiceArea.objects.filter(organisation=org).count() == 2
    with (DATA / "good.csv").open("rb") as f:
        editor_client.post(url, {"file": f})
    assert Service.objects.filter(organisation=org).count() == 3
    assert ServiceArea.objects.filter(organisation=org).count() == 2


def test_catalogue_csv_download_loads_back(
    editor_client: Client, org: Organisation, service: Service
) -> None:
    response = editor_client.get(f"/o/{org.slug}/catalogue/services/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert b"Report a missed bin" in body
    Service.objects.all().delete()
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/import/", {"file": _upload(body)}
    )
    assert response.status_code == 302
    assert Service.objects.get(organisation=org).name == "Report a missed bin"


def test_unit_cost_in_pounds_is_stored_in_pence(editor_client: Client, org: Organisation) -> None:
    phone = Channel.objects.get(organisation=org, slug="phone")
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/unit-costs/add/",
        {
            "channel": phone.pk,
            "pence_per_contact": "£3.10",
            "effective_from": "2025-04-01",
            "source": "Finance, 2025/26",
        },
    )
    assert response.status_code == 302
    assert UnitCost.objects.get(channel=phone, effective_from="2025-04-01").pence_per_contact == 310
    page = editor_client.get(f"/o/{org.slug}/catalogue/unit-costs/").content.decode()
    assert "£3.10" in page and "£2.83" in page


def test_unit_cost_needs_a_cost(editor_client: Client, org: Organisation) -> None:
    phone = Channel.objects.get(organisation=org, slug="phone")
    before = UnitCost.objects.count()
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/unit-costs/add/",
        {"channel": phone.pk, "effective_from": "2025-04-01", "source": "x"},
    )
    assert b"Give a cost per transaction, a cost per contact, or both." in response.content
    assert UnitCost.objects.count() == before


def test_organisation_adds_its_own_channel(editor_client: Client, org: Organisation) -> None:
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/channels/add/",
        {"name": "Kiosk", "is_digital": "on", "is_self_service": "on", "active": "on"},
    )
    assert response.status_code == 302
    kiosk = Channel.objects.get(organisation=org, slug="kiosk")
    assert kiosk.counts_towards_take_up and not kiosk.standard
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/channels/add/", {"name": "Helper", "is_assisted_digital": "on"}
    )
    assert b"An assisted digital channel must also be digital." in response.content


def test_service_list_query_count_does_not_grow_with_services(
    viewer_client: Client,
    org: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(3):
        ServiceFactory.create(organisation=org)
    url = f"/o/{org.slug}/catalogue/services/"
    viewer_client.get(url)
    with django_assert_num_queries(6):
        viewer_client.get(url)
    for _ in range(10):
        ServiceFactory.create(organisation=org)
    with django_assert_num_queries(6):
        viewer_client.get(url)


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("catalogue.csv", data, content_type="text/csv")

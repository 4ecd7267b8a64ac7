"""LGSL codes on services: the list as shipped, the form's search, the CSV import and export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from takeup.catalogue.csvimport import parse_catalogue
from takeup.catalogue.lgsl import LIST_FILE, lgsl_find, lgsl_services
from takeup.catalogue.models import Service
from takeup.demo.catalogue import LGSL as DEMO_LGSL
from takeup.demo.catalogue import SERVICES
from takeup.organisations.models import Organisation
from tests.factories import ServiceAreaFactory, ServiceFactory

HEADER = "name,area,kind,lgsl\n"


def test_the_list_ships_as_published_and_reads_past_its_quirks() -> None:
    assert LIST_FILE.read_bytes().startswith(b"\xef\xbb\xbf")  # unchanged: BOM and all
    services = lgsl_services()
    assert len(services) == 1002
    assert sum(not s.live for s in services.values()) == 24
    assert services[524].label == "Household waste collection"
    assert services[1094].label == "Dog waste bins"  # a doubled space
    assert services[742].label == "Street café licence"  # garbled in the published file


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("524", 524),
        (" 524 Household waste collection", 524),
        ("household WASTE collection", 524),
        ("Dog waste bins", 1094),
        ("99999", None),
        ("Report a missed bin", None),
        ("Criminal behaviour order", None),  # two entries differ only in capitals
    ],
)
def test_find_a_code_from_what_was_typed(typed: str, code: int | None) -> None:
    assert lgsl_find(typed) == code


def test_every_demo_service_has_a_real_code() -> None:
    assert {name for _area, name, *_rest in SERVICES} == set(DEMO_LGSL)
    assert all(code in lgsl_services() for code in DEMO_LGSL.values())


@pytest.mark.django_db
def test_add_a_service_with_a_code_by_name(editor_client: Client, org: Organisation) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste")
    form = editor_client.get(f"/o/{org.slug}/catalogue/services/add/").content.decode()
    assert (
        'list="id_lgsl-list"' in form and '<option value="524 Household waste collection">' in form
    )
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/",
        {
            "name": "Report a missed bin",
            "area": area.pk,
            "kind": "report",
            "lgsl": "Household waste collection",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(organisation=org, slug="report-a-missed-bin")
    assert service.lgsl == 524
    page = editor_client.get(f"/o/{org.slug}/catalogue/services/report-a-missed-bin/change/")
    assert 'value="524 Household waste collection"' in page.content.decode()


@pytest.mark.django_db
def test_a_code_not_in_the_list_is_refused_at_the_field(
    editor_client: Client, org: Organisation
) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste")
    response = editor_client.post(
        f"/o/{org.slug}/catalogue/services/add/",
        {"name": "Report a missed bin", "area": area.pk, "kind": "report", "lgsl": "99999"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lgsl"] == [
        "Enter a real LGSL code, such as 524, or choose a service from the list."
    ]
    assert not Service.objects.filter(organisation=org).exists()


def test_csv_reads_codes_and_names_and_reports_a_bad_one_on_its_line() -> None:
    parsed = parse_catalogue(
        (
            HEADER + "Report a missed bin,Waste,Report it,524\n"
            "Bulky waste,Waste,Book it,Bulky household waste collections\n"
            "Pay council tax,Council tax,Pay it,\n"
            "Report a pothole,Highways,Report it,12345\n"
        ).encode()
    )
    assert [(e.line, e.column) for e in parsed.errors] == [(5, "lgsl")]
    assert "'12345' is not in the Local Government Service List" in parsed.errors[0].message
    assert [(r.lgsl, r.has_lgsl) for r in parsed.rows] == [(524, True), (528, True), (None, True)]


@pytest.mark.django_db
def test_import_without_the_column_keeps_codes_and_export_round_trips(
    editor_client: Client, org: Organisation
) -> None:
    area = ServiceAreaFactory.create(organisation=org, name="Waste")
    ServiceFactory.create(
        organisation=org,
        area=area,
        name="Report a missed bin",
        slug="report-a-missed-bin",
        lgsl=524,
    )
    upload = SimpleUploadedFile("c.csv", b"name,area,kind\nReport a missed bin,Waste,Report it\n")
    response = editor_client.post(f"/o/{org.slug}/catalogue/services/import/", {"file": upload})
    assert response.status_code == 302
    assert Service.objects.get(organisation=org).lgsl == 524
    exported = editor_client.get(f"/o/{org.slug}/catalogue/services/?format=csv")
    text = exported.content
    lines = text.decode().splitlines()
    assert lines[0].endswith(",lgsl") and lines[1].endswith(",524")
    again = SimpleUploadedFile("c.csv", text)
    response = editor_client.post(f"/o/{org.slug}/catalogue/services/import/", {"file": again})
    assert response.status_code == 302
    assert Service.objects.get(organisation=org).lgsl == 524


@pytest.mark.django_db
def test_import_with_a_bad_code_saves_nothing(editor_client: Client, org: Organisation) -> None:
    upload = SimpleUploadedFile(
        "c.csv", (HEADER + "Report a missed bin,Waste,Report it,0\n").encode()
    )
    response = editor_client.post(f"/o/{org.slug}/catalogue/services/import/", {"file": upload})
    assert response.status_code == 200
    assert "is not in the Local Government Service List" in response.content.decode()
    assert not Service.objects.filter(organisation=org).exists()

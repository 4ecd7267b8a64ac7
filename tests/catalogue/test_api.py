import json

import pytest
from django.test import Client

from takeup.catalogue.models import Channel, Service
from takeup.organisations.models import AuditEvent, Organisation
from tests.factories import ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_list_services(api_client: Client, service: Service) -> None:
    response = api_client.get("/api/services")
    assert response.status_code == 200
    assert [s["slug"] for s in response.json()] == [service.slug]
    assert response.json()[0]["area"] == service.area.slug


def test_another_organisations_service_answers_404(
    api_client: Client, other_org: Organisation
) -> None:
    theirs = ServiceFactory.create(organisation=other_org, slug="their-service")
    response = api_client.get(f"/api/services/{theirs.slug}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert theirs.slug not in api_client.get("/api/services").content.decode()


def test_create_service(api_client: Client, org: Organisation) -> None:
    area = ServiceAreaFactory.create(organisation=org, slug="parking")
    response = api_client.post(
        "/api/services",
        {
            "name": "Apply for a visitor parking permit",
            "area": "parking",
            "kind": "apply",
            "online_url": "https://www.millbrook.gov.uk/parking",
            "target_percent": 95,
            "target_date": "2027-03-31",
            "online_only_since": "2025-04-01",
            "lgsl": 474,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "apply-for-a-visitor-parking-permit" and body["target_percent"] == 95
    assert body["online_only_since"] == "2025-04-01" and body["lgsl"] == 474
    assert Service.objects.get(organisation=org, slug=body["slug"]).area == area
    event = AuditEvent.objects.get(action="service.create", organisation=org)
    assert event.api_key is not None and event.actor is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"area": "parking", "kind": "apply"}, "name"),
        ({"name": "X", "area": "parking", "kind": "complain"}, "kind"),
        ({"name": "X", "area": "nowhere", "kind": "pay"}, "area"),
        ({"name": "X", "area": "parking", "kind": "pay", "target_percent": 101}, "target_percent"),
        (
            {"name": "X", "area": "parking", "kind": "pay", "online_url": "https://evil.example/"},
            "online_url",
        ),
        ({"name": "X", "area": "parking", "kind": "pay", "target_percent": 50}, "body"),
        ({"name": "\x00", "area": "parking", "kind": "pay"}, "name"),
        ({"name": "!!!", "area": "parking", "kind": "pay"}, "name"),
        ({"name": "X", "area": "parking", "kind": "pay", "lgsl": 99999}, "lgsl"),
        (
            {"name": "X", "area": "parking", "kind": "pay", "online_only_since": "soon"},
            "online_only_since",
        ),
    ],
)
def test_bad_service_gets_json_naming_the_field_and_saves_nothing(
    api_client: Client, org: Organisation, payload: dict[str, object], field: str
) -> None:
    ServiceAreaFactory.create(organisation=org, slug="parking")
    response = api_client.post("/api/services", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Service.objects.filter(organisation=org).exists()


def test_malformed_json_is_a_clear_4xx(api_client: Client) -> None:
    response = api_client.post("/api/services", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_duplicate_service_is_refused(api_client: Client, service: Service) -> None:
    response = api_client.post(
        "/api/services",
        {"name": service.name, "area": service.area.slug, "kind": "report"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert Service.objects.filter(name=service.name).count() == 1


def test_list_and_create_channels(api_client: Client, org: Organisation) -> None:
    slugs = [c["slug"] for c in api_client.get("/api/channels").json()]
    assert slugs[0] == "web" and "assisted-digital" in slugs
    response = api_client.post(
        "/api/channels",
        {"name": "Kiosk", "is_digital": True, "is_self_service": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["counts_towards_take_up"] is True
    again = api_client.post("/api/channels", {"name": "Kiosk"}, content_type="application/json")
    assert again.status_code == 422
    assert Channel.objects.filter(organisation=org, name="Kiosk").count() == 1


def test_service_areas(api_client: Client, org: Organisation) -> None:
    assert (
        api_client.post(
            "/api/service-areas", {"name": "Parking"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert [a["slug"] for a in api_client.get("/api/service-areas").json()] == ["parking"]


def test_filters(api_client: Client, org: Organisation) -> None:
    ServiceFactory.create(organisation=org, kind="pay", slug="pay-it")
    ServiceFactory.create(organisation=org, kind="book", slug="book-it", active=False)
    assert [s["slug"] for s in api_client.get("/api/services?kind=pay").json()] == ["pay-it"]
    assert api_client.get("/api/services?kind=sing").status_code == 422
    assert len(api_client.get("/api/services?include_archived=true").json()) == 2


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    return dict(pairs)


def test_openapi_and_docs(client: Client) -> None:
    schema = json.loads(
        client.get("/api/openapi.json").content, object_pairs_hook=_no_duplicate_keys
    )
    assert set(schema["paths"]["/api/services"]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "413",  # any body over the limit, in the API's error shape
        "422",
    }
    assert {"/api/services", "/api/channels", "/api/services/{slug}"} <= set(schema["paths"])
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize("area", ["\x00", "Waste Services", "x" * 61])
def test_a_bad_area_filter_is_a_field_error_not_a_crash(api_client: Client, area: str) -> None:
    # Found by schemathesis on PostgreSQL: a NUL in the filter reached the database.
    response = api_client.get("/api/services", {"area": area})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "area"


@pytest.mark.parametrize(
    "address", ["/api/services/%00", "/api/services/%00/kpis?from=2026-01-01&to=2026-02-01"]
)
def test_a_bad_slug_in_the_address_is_a_field_error_not_a_crash(
    api_client: Client, address: str
) -> None:
    response = api_client.get(address)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "slug"

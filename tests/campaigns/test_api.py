"""The campaigns API: create and list, with errors that name the field, and tenancy."""

from typing import Any

import pytest
from django.test import Client

from takeup.campaigns.models import Activity, Campaign, TrackedLink
from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from takeup.organisations.services import api_key_create

pytestmark = pytest.mark.django_db
BODY = {
    "name": "Bins online",
    "services": ["report-a-missed-bin"],
    "starts_on": "2026-03-02",
    "ends_on": "2026-03-29",
    "budget_pence": 100000,
}


def test_create_a_campaign_and_an_activity_then_list(api_client: Client, service: Service) -> None:
    response = api_client.post("/api/campaigns", BODY, content_type="application/json")
    assert response.status_code == 201
    campaign_id = response.json()["id"]
    response = api_client.post(
        f"/api/campaigns/{campaign_id}/activities",
        {
            "medium": "radio",
            "place": "Millbrook FM",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-15",
            "cost_pence": 20000,
            "vanity": "bins",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["vanity"] == "bins" and len(response.json()["short_code"]) == 7
    listed = api_client.get("/api/campaigns").json()
    assert [c["name"] for c in listed] == ["Bins online"]
    assert listed[0]["activities"][0]["medium"] == "radio"
    assert api_client.get(f"/api/campaigns/{campaign_id}").json()["services"] == [service.slug]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"services": ["nope"]}, "services"),
        ({"services": []}, "services"),
        ({"ends_on": "2026-01-01"}, "ends_on"),
        ({"starts_on": "0001-01-01"}, "starts_on"),
        ({"budget_pence": -5}, "budget_pence"),
        ({"name": "\u0000"}, "name"),
        ({"follows": 999999}, "follows"),
    ],
)
def test_bad_campaigns_name_the_field_and_save_nothing(
    api_client: Client, service: Service, change: dict[str, Any], field: str
) -> None:
    response = api_client.post(
        "/api/campaigns", {**BODY, **change}, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert field in str(response.json()), response.json()
    assert not Campaign.objects.exists()


def test_bad_activities_save_nothing(api_client: Client, service: Service) -> None:
    campaign_id = api_client.post("/api/campaigns", BODY, content_type="application/json").json()[
        "id"
    ]
    for body, field in [
        ({"medium": "pigeon", "starts_on": "2026-03-02", "ends_on": "2026-03-02"}, "medium"),
        ({"medium": "radio", "starts_on": "2026-03-09", "ends_on": "2026-03-02"}, "ends_on"),
        (
            {
                "medium": "radio",
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-02",
                "link_service": "other",
            },
            "link_service",
        ),
        (
            {
                "medium": "radio",
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-02",
                "vanity": "Not OK",
            },
            "vanity",
        ),
    ]:
        response = api_client.post(
            f"/api/campaigns/{campaign_id}/activities", body, content_type="application/json"
        )
        assert response.status_code in (400, 422), body
        assert field in str(response.json())
    assert not Activity.objects.exists() and not TrackedLink.objects.exists()


def test_another_organisations_campaign_is_404(
    api_client: Client, service: Service, other_org: Organisation
) -> None:
    campaign_id = api_client.post("/api/campaigns", BODY, content_type="application/json").json()[
        "id"
    ]
    _, raw = api_key_create(organisation=other_org, name="theirs")
    theirs = Client(headers={"authorization": f"Bearer {raw}"})
    assert theirs.get(f"/api/campaigns/{campaign_id}").status_code == 404
    assert theirs.get("/api/campaigns").json() == []
    response = theirs.post(
        f"/api/campaigns/{campaign_id}/activities",
        {"medium": "radio", "starts_on": "2026-03-02", "ends_on": "2026-03-02"},
        content_type="application/json",
    )
    assert response.status_code == 404 and not Activity.objects.exists()


def test_no_key_no_campaigns(service: Service) -> None:
    assert Client().get("/api/campaigns").status_code == 401

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def post(client: Client, body: object) -> ClientResponse:
    return client.post("/api/volumes", json.dumps(body), content_type="application/json")


def test_post_volumes_is_idempotent(api_client: Client, service: Service) -> None:
    body = {
        "source": "CRM feed",
        "rows": [
            {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 120},
            {"date": "2026-03-02", "service": service.name, "channel": "Phone", "count": 80},
        ],
    }
    first = post(api_client, body)
    assert first.status_code == 201, first.content
    assert first.json()["rows_accepted"] == 2
    second = post(api_client, body)
    assert second.json()["rows_replaced"] == 2
    assert sum(Volume.objects.values_list("count", flat=True)) == 200


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"date": "2026-02-30", "service": "x", "channel": "web", "count": 1}, "rows.0.date"),
        ({"date": "2026-03-02", "service": "x", "channel": "web", "count": -1}, "rows.0.count"),
        ({"date": "2026-03-02", "service": "x", "channel": "web", "count": "44.2"}, "rows.0.count"),
        (
            {"date": "2026-03-02", "service": "x", "channel": "web", "count": 1, "period": "hour"},
            "rows.0.period",
        ),
    ],
)
def test_bad_rows_get_422_naming_the_field(
    api_client: Client, service: Service, row: dict[str, object], field: str
) -> None:
    response = post(api_client, {"source": "CRM", "rows": [row]})
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Volume.objects.count() == 0


def test_unknown_service_rejects_the_lot_unless_only_valid(
    api_client: Client, service: Service
) -> None:
    rows = [
        {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 5},
        {"date": "2026-03-02", "service": "no-such-service", "channel": "web", "count": 5},
    ]
    response = post(api_client, {"source": "CRM", "rows": rows})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows.1.service"
    assert Volume.objects.count() == 0
    response = post(api_client, {"source": "CRM", "rows": rows, "only_valid": True})
    assert response.status_code == 201 and response.json()["rows_rejected"] == 1
    assert Volume.objects.count() == 1


def test_kpis(api_client: Client, org: Organisation, service: Service) -> None:
    post(
        api_client,
        {
            "source": "CRM",
            "rows": [
                {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 60},
                {"date": "2026-03-02", "service": service.slug, "channel": "phone", "count": 40},
                {"date": "2025-03-03", "service": service.slug, "channel": "web", "count": 30},
                {"date": "2025-03-03", "service": service.slug, "channel": "phone", "count": 70},
            ],
        },
    )
    response = api_client.get(f"/api/services/{service.slug}/kpis?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["transactions"] == 100 and body["digital_take_up_percent"] == 60.0
    assert body["baseline_take_up_percent"] == 30.0 and body["change_points"] == 30.0
    assert body["cost_pence"] == 60 * 15 + 40 * 283
    assert body["from"] == "2026-03-01"
    assert api_client.get(f"/api/services/{service.slug}/kpis?from=2026-03-01").status_code == 422


def test_kpis_of_another_organisations_service_404(
    api_client: Client, other_org: Organisation
) -> None:
    theirs = ServiceFactory.create(organisation=other_org, slug="theirs")
    response = api_client.get(f"/api/services/{theirs.slug}/kpis?from=2026-01-01&to=2026-01-31")
    assert response.status_code == 404


def test_cli_import(
    org: Organisation, service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "import", str(DATA / "long-clean.csv"), "--source", "CRM", "--organisation", org.slug
    )
    assert "Imported 4 rows" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Nothing imported: 6 of 7 rows were rejected"):
        call_command(
            "import", str(DATA / "bad-rows.csv"), "--source", "CRM", "--organisation", org.slug
        )
    assert "line 3 [date]" in capsys.readouterr().err
    assert Volume.objects.count() == 4
    with pytest.raises(CommandError, match="No file at"):
        call_command("import", "/nonexistent.csv", "--source", "CRM", "--organisation", org.slug)


def test_control_characters_and_broken_unicode_are_refused(
    api_client: Client, service: Service
) -> None:
    for name in ["\x00bins", "bins\udad9"]:
        response = post(
            api_client,
            {
                "source": "CRM",
                "rows": [{"date": "2026-03-02", "service": name, "channel": "web", "count": 1}],
            },
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "rows.0.service"
        response = post(
            api_client,
            {
                "source": name,
                "rows": [
                    {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 1}
                ],
            },
        )
        assert response.status_code == 422
    assert Volume.objects.count() == 0


def test_file_errors_quoting_control_characters_can_be_stored(org: Organisation) -> None:
    from takeup.ledger.services import data_source_get_or_create, volumes_import

    outcome = volumes_import(
        organisation=org,
        source=data_source_get_or_create(org, "CRM"),
        data=b"date,service,channel,count\n2026-03-02,\x00bins,web,1\n",
        file_name="nul.csv",
    )
    assert not outcome.imported
    assert "?bins" in outcome.batch.errors[0]["message"]


def test_a_source_name_without_letters_is_refused_everywhere(
    api_client: Client,
    org: Organisation,
    service: Service,
    member_client: Callable[[str], MemberClient],
) -> None:
    response = post(
        api_client,
        {
            "source": "!!!",
            "rows": [{"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 1}],
        },
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "source"
    with pytest.raises(CommandError, match="letters or digits"):
        call_command(
            "import", str(DATA / "long-clean.csv"), "--source", "!!!", "--organisation", org.slug
        )
    with (DATA / "long-clean.csv").open("rb") as f:
        page = member_client("analyst").post(
            f"/o/{org.slug}/take-up/upload/", {"file": f, "new_source": "!!!", "period": "day"}
        )
    assert page.status_code == 200 and b"letters or digits" in page.content
    assert Volume.objects.count() == 0


def test_kpis_dates_out_of_range_get_422(api_client: Client, service: Service) -> None:
    response = api_client.get(f"/api/services/{service.slug}/kpis?from=0001-01-01&to=0001-02-01")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"from", "to"}

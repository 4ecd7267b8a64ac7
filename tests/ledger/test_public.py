from datetime import date

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org: Organisation, service: Service) -> Service:
    service.public = True
    service.save()
    rows = [
        {
            "date": f"2026-{m:02d}-01",
            "period": "month",
            "service": service.slug,
            "channel": c,
            "count": n,
        }
        for m in (1, 2, 3, 4)
        for c, n in (("web", 60 + m), ("phone", 40 - m))
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported
    return service


def test_public_page_needs_no_sign_in(
    client: Client, org: Organisation, published: Service
) -> None:
    response = client.get(f"/performance/{org.slug}/{published.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert published.name in page and org.name in page
    assert "2025/26 Q4" in page  # January–March 2026; the next is incomplete (data end in April)
    assert "2026/27 Q1" not in page
    assert "62.0%" in page  # (61 + 62 + 63) / 300


def test_open_data_json_and_csv_with_cors(
    client: Client, org: Organisation, published: Service
) -> None:
    response = client.get(f"/performance/{org.slug}/{published.slug}.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    quarter = body["quarters"][0]
    assert quarter == {
        **quarter,
        "quarter": "2025/26 Q4",
        "transactions": 300,
        "digital_transactions": 186,
        "digital_take_up_percent": 62.0,
    }
    assert body["licence"] == "Open Government Licence v3.0"
    csv_response = client.get(f"/performance/{org.slug}/{published.slug}.csv")
    assert csv_response["Access-Control-Allow-Origin"] == "*"
    assert csv_response.content.decode().splitlines()[1].startswith("2026-01-01,2025/26 Q4,300,186")


def test_unpublished_and_unknown_services_404(
    client: Client, org: Organisation, service: Service
) -> None:
    assert client.get(f"/performance/{org.slug}/{service.slug}/").status_code == 404
    assert client.get(f"/performance/{org.slug}/{service.slug}.json").status_code == 404
    assert client.get(f"/performance/{org.slug}/nothing/").status_code == 404
    assert client.get(f"/performance/nowhere/{service.slug}/").status_code == 404


def test_welsh_public_page(client: Client, org: Organisation, published: Service) -> None:
    response = client.get(f"/cy/performance/{org.slug}/{published.slug}/")
    assert response.status_code == 200
    assert '<html lang="cy"' in response.content.decode()


def test_public_cost_names_the_channels_it_leaves_out(
    client: Client, org: Organisation, published: Service
) -> None:
    rows = [
        {
            "date": f"2026-{m:02d}-01",
            "period": "month",
            "service": published.slug,
            "channel": "email",
            "count": 10,
        }
        for m in (1, 2, 3)
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "Mailbox"), rows=rows
    ).imported
    page = client.get(f"/performance/{org.slug}/{published.slug}/").content.decode()
    assert 'id="cost-leaves-out">Leaves out Email: no unit cost.' in page
    quarter = client.get(f"/performance/{org.slug}/{published.slug}.json").json()["quarters"][0]
    assert quarter["cost_leaves_out"] == "Email"
    # The cost is over the transactions it prices, as the staff page has it: not pulled down
    # by the 30 emails, which have no unit cost.
    staff = staff_cost_per_transaction(org, published)
    assert quarter["cost_per_transaction_pounds"] == pytest.approx(staff / 100, abs=0.005)


def staff_cost_per_transaction(org: Organisation, service: Service) -> float:
    from takeup.ledger.periods import Range
    from takeup.ledger.reports import service_figures

    (row,) = service_figures(
        org,
        [service],
        Range(date(2026, 1, 1), date(2026, 3, 31)),
        Range(date(2025, 1, 1), date(2025, 3, 31)),
    )
    assert row.cost.uncosted_channels and row.cost.pence_per_transaction is not None
    return row.cost.pence_per_transaction

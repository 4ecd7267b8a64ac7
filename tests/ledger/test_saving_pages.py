"""The saving on the pages and in the API: contacts avoided, never extra online demand; money
figures that name what they leave out; cashable and capacity freed; contacts on screen."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from takeup.catalogue.models import Channel, Service
from takeup.catalogue.services import channel_save
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db
MARCH = "period=custom&from=2026-03-01&to=2026-03-31"
# Not whole months: the figures come from the volumes, not the monthly totals.
PART_OF_MARCH = "period=custom&from=2026-03-02&to=2026-03-30"


def feed(
    org: Organisation, service: Service, day: date, measure: str = "transactions", **n: int
) -> None:
    rows = [
        {
            "date": day.isoformat(),
            "service": service.slug,
            "channel": c.replace("_", "-"),
            "measure": measure,
            "count": k,
        }
        for c, k in n.items()
    ]
    outcome = volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, f"CRM {measure}"), rows=rows
    )
    assert outcome.imported, outcome.batch.errors


def saving_of(client: Client, org: Organisation, service: Service, query: str) -> Any:
    """The page's figures (a ServiceFigures; its `saving` is there whenever these tests ask)."""
    response = client.get(f"/o/{org.slug}/take-up/services/{service.slug}/?{query}")
    assert response.status_code == 200
    return response.context["figures"]


@pytest.mark.parametrize("query", [MARCH, PART_OF_MARCH])
def test_extra_web_with_the_phones_as_busy_saves_nothing(
    viewer_client: Client, org: Organisation, service: Service, query: str
) -> None:
    feed(org, service, date(2025, 3, 10), web=300, phone=400)
    feed(org, service, date(2025, 3, 10), measure="contacts", phone=900)
    feed(org, service, date(2026, 3, 10), web=300, phone=400)
    feed(org, service, date(2026, 3, 10), measure="contacts", phone=900)
    before = saving_of(viewer_client, org, service, query)
    assert before.saving.total.pence == 0

    # 167 more web transactions, a day later; phone unchanged.
    feed(org, service, date(2026, 3, 11), web=167)
    after = saving_of(viewer_client, org, service, query)
    assert after.take_up.part == before.take_up.part + 167  # online demand grew
    assert after.take_up.percent > before.take_up.percent  # and so did take-up
    assert after.saving.total.pence == 0  # but no contact was avoided
    assert after.saving.channels[0].measure == "contacts"


def test_fewer_calls_are_a_saving_at_the_cost_per_contact(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    feed(org, service, date(2025, 3, 10), web=300, phone=400)
    feed(org, service, date(2025, 3, 10), measure="contacts", phone=900)
    feed(org, service, date(2026, 3, 10), web=400, phone=300)
    feed(org, service, date(2026, 3, 10), measure="contacts", phone=700)
    figures = saving_of(viewer_client, org, service, MARCH)
    phone = figures.saving.channels[0]
    assert (phone.expected, phone.actual, phone.avoided) == (900, 700, 200)
    assert figures.saving.total.pence == 200 * 283  # Socitm 2012: £2.83 a phone contact
    assert figures.saving.total.lower < figures.saving.total.pence < figures.saving.total.upper
    assert figures.contacts == 700 and figures.baseline_contacts == 900
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/{service.slug}/?{MARCH}")
    html = page.content.decode()
    assert 'id="saving">£566<' in html
    assert "Capacity freed £566" in html or "capacity freed £566" in html
    assert 'id="contacts-per-transaction">Contacts per transaction: 1.00 (baseline 1.29)' in html


def test_cashable_channels_are_split_from_capacity_freed(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    phone = Channel.objects.get(organisation=org, slug="phone")
    channel_save(
        organisation=org,
        channel=phone,
        saving_cashable=True,
        cashable_note="Two phone posts removed in the 2026 restructure",
    )
    feed(org, service, date(2025, 3, 10), web=100, phone=400, face_to_face=100)
    feed(org, service, date(2026, 3, 10), web=300, phone=300, face_to_face=90)
    figures = saving_of(viewer_client, org, service, MARCH)
    assert figures.saving.cashable.pence == 100 * 283
    assert figures.saving.capacity.pence == 10 * 862
    overview = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()
    assert "Cashable £283; capacity freed £86" in overview


def test_a_cashable_channel_must_say_why(org: Organisation) -> None:
    from django.core.exceptions import ValidationError

    phone = Channel.objects.get(organisation=org, slug="phone")
    with pytest.raises(ValidationError, match="Say why"):
        channel_save(organisation=org, channel=phone, saving_cashable=True)


def test_no_cost_to_us_is_not_unknown(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    feed(org, service, date(2025, 3, 10), web=100, email=50)
    feed(org, service, date(2026, 3, 10), web=150, email=40)
    url = f"/o/{org.slug}/take-up/services/{service.slug}/?{MARCH}"
    page = viewer_client.get(url).content.decode()
    assert "Leaves out Email: no unit cost." in page  # cost per transaction
    assert 'id="saving-leaves-out">Leaves out Email' in page
    email = Channel.objects.get(organisation=org, slug="email")
    channel_save(organisation=org, channel=email, no_cost=True)
    page = viewer_client.get(url).content.decode()
    assert "Leaves out" not in page
    assert "no cost to us" in page


def test_a_channel_missing_from_this_period_is_left_out_not_avoided(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    # Face-to-face figures stopped arriving: that is not 100 visits avoided.
    feed(org, service, date(2025, 3, 10), web=100, phone=100, face_to_face=100)
    feed(org, service, date(2026, 3, 10), web=100, phone=100)
    figures = saving_of(viewer_client, org, service, MARCH)
    f2f = Channel.objects.get(organisation=org, slug="face-to-face")
    assert figures.saving.no_figures == {f2f.pk}
    assert figures.saving.total.pence == 0


def test_overview_names_what_money_figures_leave_out_and_shows_phone_change(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    feed(org, service, date(2025, 3, 10), web=100, phone=200, post=10)
    feed(org, service, date(2026, 3, 10), web=200, phone=150, post=10)
    page = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()
    assert 'id="cost-leaves-out">Leaves out Post: no unit cost.' in page
    assert 'id="saving-leaves-out">Leaves out Post' in page
    assert "\u221225.0%" in page  # phone contacts change, with a true minus sign
    csv = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}&format=csv").content.decode()
    header, row = csv.splitlines()[:2]
    assert "saving leaves out" in header and "phone contacts change %" in header
    assert row.endswith(",Post,-25.0")


def test_negative_savings_read_as_money(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    feed(org, service, date(2025, 3, 10), web=100, phone=100)
    feed(org, service, date(2026, 3, 10), web=100, phone=150)
    page = viewer_client.get(
        f"/o/{org.slug}/take-up/services/{service.slug}/?{MARCH}"
    ).content.decode()
    assert 'id="saving">\u2212£142<' in page  # 50 more calls × £2.83
    assert "£-" not in page


def test_api_saving_says_what_it_covers(
    api_client: Client, org: Organisation, service: Service
) -> None:
    feed(org, service, date(2025, 3, 10), web=100, phone=200, post=5)
    feed(org, service, date(2026, 3, 10), web=200, phone=100, post=5)
    body = api_client.get(f"/api/services/{service.slug}/kpis?from=2026-03-01&to=2026-03-31").json()
    assert body["saving_pence"] == 100 * 283
    assert body["saving_lower_pence"] < body["saving_pence"] < body["saving_upper_pence"]
    assert body["saving_leaves_out"] == ["Post"]
    assert body["cost_leaves_out"] == ["Post"]
    assert "channel_shift_saving_pence" not in body


def test_the_cashable_note_error_is_at_its_field(
    member_client: Callable[[str], MemberClient], org: Organisation
) -> None:
    admin = member_client("admin")
    url = f"/o/{org.slug}/catalogue/channels/phone/change/"
    response = admin.post(
        url,
        {
            "name": "Phone",
            "is_digital": "",
            "saving_cashable": "on",
            "cashable_note": "",
            "active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert 'href="#id_cashable_note"' in page  # the summary links to the field
    assert "govuk-form-group--error" in page
    assert not Channel.objects.get(organisation=org, slug="phone").saving_cashable


def test_a_later_cost_per_contact_does_not_take_away_the_cost_per_transaction(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    from takeup.catalogue.services import unit_cost_save

    phone = Channel.objects.get(organisation=org, slug="phone")
    unit_cost_save(
        organisation=org,
        channel=phone,
        pence_per_contact=450,
        effective_from=date(2025, 4, 1),
        source="Contact centre costing 2025",
    )
    feed(org, service, date(2025, 3, 10), web=100, phone=400)
    feed(org, service, date(2026, 3, 10), web=200, phone=300)
    figures = saving_of(viewer_client, org, service, MARCH)
    assert figures.saving.channels[0].measure == "transactions"
    assert figures.saving.total.pence == 100 * 283  # still priced, per transaction
    assert not figures.saving.no_unit_cost


def test_weekly_calls_are_compared_week_for_week(
    viewer_client: Client, org: Organisation, service: Service
) -> None:
    # Q3 2024 has 14 Mondays, Q3 2025 has 13: the same 100 calls a week is no saving.
    source = data_source_get_or_create(org, "Phone weekly")
    for year in (2024, 2025):
        day = date(year, 7, 1)
        rows: list[dict[str, object]] = []
        while day <= date(year, 9, 30):
            if day.weekday() == 0:
                rows += [
                    {
                        "date": day.isoformat(),
                        "period": "week",
                        "service": service.slug,
                        "channel": "phone",
                        "measure": m,
                        "count": 100,
                    }
                    for m in ("contacts", "transactions")
                ]
            day += timedelta(days=1)
        assert volumes_import_rows(organisation=org, source=source, rows=rows).imported
    feed(org, service, date(2024, 8, 12), web=50)
    feed(org, service, date(2025, 8, 12), web=50)
    figures = saving_of(viewer_client, org, service, "period=custom&from=2025-07-01&to=2025-09-30")
    phone = figures.saving.channels[0]
    assert (phone.baseline, phone.actual) == (1400, 1300)
    assert phone.expected == pytest.approx(1300)
    assert figures.saving.total.pence == 0

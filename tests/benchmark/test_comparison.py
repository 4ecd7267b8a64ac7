"""The comparison page: peers of the same kind that share, the rule about fewer than five, the
quartiles and rank by hand, opting in, the CSV, the central government reference, Welsh."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client

from takeup.catalogue.models import Channel, Service
from takeup.insight.models import Response
from takeup.insight.services import survey_save
from takeup.ledger.models import DataSource, PublishedFigure, Volume
from takeup.ledger.services import data_source_get_or_create, month_totals_refresh
from takeup.organisations.models import AuditEvent, Organisation
from tests.conftest import MemberClient
from tests.factories import OrganisationFactory, ServiceAreaFactory, ServiceFactory

pytestmark = pytest.mark.django_db
UNITARY = Organisation.Kind.UNITARY
QUARTER = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]


def council(
    org: Organisation | None = None,
    *,
    take_up: int,
    shares: bool = True,
    kind: str = UNITARY,
    months: list[date] = QUARTER,
) -> Organisation:
    """A council with one service, LGSL 524, doing `take_up` of every 100 transactions a
    month online and the rest by phone."""
    org = org or OrganisationFactory.create(kind=kind)
    org.kind, org.shares_figures = kind, shares
    org.save()
    area = ServiceAreaFactory.create(organisation=org, name="Waste", slug="waste")
    service = ServiceFactory.create(
        organisation=org, area=area, name="Report a missed bin", slug="missed-bin", lgsl=524
    )
    source = data_source_get_or_create(org, "CRM")
    web = Channel.objects.get(organisation=org, slug="web")
    phone = Channel.objects.get(organisation=org, slug="phone")
    Volume.objects.bulk_create(
        Volume(
            organisation=org,
            service=service,
            channel=channel,
            period_start=month,
            period="month",
            measure="transactions",
            count=count,
            source=source,
        )
        for month in months
        for channel, count in ((web, take_up), (phone, 100 - take_up))
    )
    month_totals_refresh(organisation_id=org.pk)
    return org


@pytest.fixture
def ours(org: Organisation) -> Organisation:
    # Figures into October, so July to September is the latest complete quarter.
    return council(org, take_up=65, months=[*QUARTER, date(2026, 10, 1)])


def comparison_csv(client: Client, org: Organisation) -> dict[str, dict[str, str]]:
    response = client.get(f"/o/{org.slug}/comparison/?format=csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return {f"{r['group']}/{r['figure']}": r for r in rows}


def test_five_peers_show_the_quartiles_and_rank_by_hand(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    for take_up in (40, 50, 60, 70, 80):
        council(take_up=take_up)
    page = viewer_client.get(f"/o/{ours.slug}/comparison/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "July to September 2026 (2026/27 Q2)" in text
    assert "5 other councils of your kind (Unitary authority) share their figures." in text
    row = comparison_csv(viewer_client, ours)["Unitary authority/take_up"]
    # 40 50 60 70 80: quartiles at positions 1, 2 and 3 of 0–4.
    assert (row["yours"], row["peers"], row["lower_quartile"], row["median"]) == (
        "65.0",
        "5",
        "50.0",
        "60.0",
    )
    assert (row["upper_quartile"], row["rank"], row["of"]) == ("70.0", "3", "6")
    cost = comparison_csv(viewer_client, ours)["Unitary authority/cost"]
    # Cheaper the more is online (web 15p, phone 283p): 70 and 80 cost less than 65.
    assert (cost["rank"], cost["of"]) == ("3", "6")
    assert cost["yours"] == "1.09"  # (65 × 15 + 35 × 283) ÷ 100 = 108.8p


def test_four_peers_show_nothing_and_say_why(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    for take_up in (40, 50, 60, 70):
        council(take_up=take_up)
    row = comparison_csv(viewer_client, ours)["Unitary authority/take_up"]
    assert row["yours"] == "65.0"
    assert row["median"] == row["lower_quartile"] == row["rank"] == ""
    assert "fewer than 5 other councils" in row["note"]
    text = viewer_client.get(f"/o/{ours.slug}/comparison/").content.decode()
    assert "Not shown: fewer than 5 other councils of your kind have this figure." in text


def test_councils_that_do_not_share_or_are_another_kind_are_left_out(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    for take_up in (40, 50, 60, 70, 80):
        council(take_up=take_up)
    council(take_up=100, shares=False)
    council(take_up=0, kind=Organisation.Kind.COUNTY)
    row = comparison_csv(viewer_client, ours)["Unitary authority/take_up"]
    assert (row["peers"], row["median"], row["upper_quartile"], row["of"]) == (
        "5",
        "60.0",
        "70.0",
        "6",
    )


def test_a_council_that_does_not_share_sees_no_one_else(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    ours.shares_figures = False
    ours.save()
    for take_up in (40, 50, 60, 70, 80):
        council(take_up=take_up)
    text = viewer_client.get(f"/o/{ours.slug}/comparison/").content.decode()
    assert "Your organisation does not share its figures" in text
    assert "Median" not in text
    row = comparison_csv(viewer_client, ours)["Unitary authority/take_up"]
    assert row["peers"] == "" and row["median"] == ""


def test_a_sharing_council_never_appears_to_one_that_does_not(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    """Seen from the other side: a peer that stops sharing leaves every comparison."""
    peers = [council(take_up=t) for t in (40, 50, 60, 70, 80)]
    peers[0].shares_figures = False
    peers[0].save()
    row = comparison_csv(viewer_client, ours)["Unitary authority/take_up"]
    assert row["median"] == "" and row["rank"] == ""


def test_satisfaction_needs_ten_answers(viewer_client: MemberClient, ours: Organisation) -> None:
    survey = survey_save(organisation=ours, name="Exit", sampling_percent=20, allowed_origins=[])
    service = Service.objects.get(organisation=ours)
    Response.objects.bulk_create(
        Response(
            organisation=ours,
            survey=survey,
            service=service,
            received_at=datetime(2026, 8, 3, 10, tzinfo=UTC),
            answers={"satisfaction": "5" if i < 8 else "2"},
        )
        for i in range(10)
    )
    assert comparison_csv(viewer_client, ours)["Unitary authority/satisfaction"]["yours"] == "80.0"
    Response.objects.filter(organisation=ours).first().delete()  # type: ignore[union-attr]
    assert comparison_csv(viewer_client, ours)["Unitary authority/satisfaction"]["yours"] == ""


def test_central_government_is_a_reference_row_apart(
    viewer_client: MemberClient, ours: Organisation
) -> None:
    for take_up in (40, 50, 60, 70, 80):
        council(take_up=take_up)
    Service.objects.filter(organisation=ours).update(lgsl=663)
    for peer in Organisation.objects.filter(shares_figures=True):
        Service.objects.filter(organisation=peer).update(lgsl=663)
    gov = OrganisationFactory.create(kind=Organisation.Kind.CENTRAL_GOVERNMENT)
    gov.shares_figures = True
    gov.save()
    name = "Orders for a copy of a birth, death or marriage certificate"
    published = ServiceFactory.create(
        organisation=gov, area=ServiceAreaFactory.create(organisation=gov), name=name
    )
    source = DataSource.objects.create(organisation=gov, name="GOV.UK", slug="govuk")
    for kind, value in (("transactions", 1000), ("digital_transactions", 900)):
        PublishedFigure.objects.create(
            organisation=gov,
            service=published,
            source=source,
            kind=kind,
            period_end=date(2017, 12, 31),
            months=3,
            value=Decimal(value),
        )
    rows = comparison_csv(viewer_client, ours)
    assert rows["central government/take_up"]["yours"] == "90.0"
    assert rows["Unitary authority/take_up"]["peers"] == "5"  # not among the councils
    text = viewer_client.get(f"/o/{ours.slug}/comparison/").content.decode()
    assert name in text


def test_the_page_in_welsh(viewer_client: MemberClient, ours: Organisation) -> None:
    for take_up in (40, 50, 60, 70, 80):
        council(take_up=take_up)
    page = viewer_client.get(f"/cy/o/{ours.slug}/comparison/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cymharu â chynghorau eraill" in text
    assert "Y nifer sy’n defnyddio’r gwasanaeth digidol" in text or "Defnydd digidol" in text
    assert "Comparison with other councils" not in text


def test_sharing_is_an_admin_setting_and_audited(
    admin_client: MemberClient, viewer_client: MemberClient, org: Organisation
) -> None:
    assert not org.shares_figures
    address = f"/o/{org.slug}/settings/comparison/"
    assert viewer_client.post(address, {"shares_figures": "on"}).status_code == 403
    assert admin_client.post(address, {"shares_figures": "on"}).status_code == 302
    org.refresh_from_db()
    assert org.shares_figures
    event = AuditEvent.objects.get(organisation=org, action="organisation.sharing")
    assert event.changes == {"shares_figures": [False, True]}
    assert event.actor == admin_client.user
    admin_client.post(address, {})
    org.refresh_from_db()
    assert not org.shares_figures

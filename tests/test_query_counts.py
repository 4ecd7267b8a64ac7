"""Every list and detail page, and every API list, makes as many queries with 30 rows as with 3:
a page that reads a row at a time would slow down with every service, campaign or answer a
council adds. Each page's count is pinned too, so that a new query is a decision, not a drift."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from takeup.alerts.models import Message, Subscriber, Subscription, Topic
from takeup.alerts.services import fanout as alert_fanout
from takeup.campaigns.services import activity_save, annotation_save, campaign_save
from takeup.catalogue.lgsl import lgsl_services
from takeup.catalogue.models import Channel, Service
from takeup.catalogue.services import unit_cost_save
from takeup.demo.neighbourhoods import schematic_tiles
from takeup.insight.models import Response
from takeup.insight.services import survey_save
from takeup.ledger.models import Volume
from takeup.ledger.services import data_source_get_or_create
from takeup.organisations.models import Organisation
from takeup.organisations.services import api_key_create
from takeup.outreach import areacsv, imd, maps
from takeup.outreach.models import Neighbourhood, Place
from takeup.outreach.services import (
    area_volumes_import,
    boundary_set,
    champion_save,
    indicators_import,
    neighbourhoods_import,
    place_save,
    pledge_add,
    session_record,
    training_save,
)
from takeup.principles.models import SearchResult
from takeup.principles.services import (
    action_save,
    checklist_set,
    phone_message_save,
    search_term_save,
    stages_set,
)
from takeup.webcheck.checks import IDS
from takeup.webcheck.checks import Result as WebcheckResult
from takeup.webcheck.services import run_record as webcheck_record
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceAreaFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)

# Page → the queries it makes, whatever the number of rows. A change here is a decision.
PAGES: dict[str, int] = {
    "/o/qc/": 34,
    "/o/qc/briefing/": 7,
    "/o/qc/briefing/2026-02/": 30,
    "/o/qc/campaigns/{campaign}/report/": 21,
    "/performance/qc/": 9,
    "/performance/qc/service-0/": 9,
    "/o/qc/catalogue/services/": 6,
    "/o/qc/catalogue/services/service-0/": 5,
    "/o/qc/catalogue/areas/": 5,
    "/o/qc/catalogue/channels/": 5,
    "/o/qc/catalogue/unit-costs/": 5,
    "/o/qc/take-up/?period=month&date=2026-02-01": 20,  # 1: alert subscriptions
    "/o/qc/take-up/services/service-0/?period=month&date=2026-02-01": 35,  # 6: assisted digital
    "/o/qc/take-up/sources/": 5,
    "/o/qc/take-up/upload/": 6,
    "/o/qc/campaigns/": 11,
    "/o/qc/campaigns/{campaign}/": 21,
    "/o/qc/campaigns/notes/": 7,
    "/o/qc/visitors/": 5,
    "/o/qc/visitors/{survey}/": 10,
    "/o/qc/visitors/{survey}/results/?from=2026-01-01&to=2026-03-31": 11,
    "/o/qc/settings/staff/": 5,
    "/o/qc/settings/api-keys/": 5,
    "/o/qc/settings/audit-log/": 6,
    "/o/qc/comparison/": 11,
    "/o/qc/website/": 10,
    "/o/qc/website/league/": 5,
    "/o/qc/principles/": 9,
    "/o/qc/principles/services/service-0/": 9,
    "/o/qc/principles/actions/": 5,
    "/o/qc/principles/phone-messages/": 5,
    "/o/qc/principles/findability/": 7,
    "/o/qc/outreach/": 12,
    "/o/qc/outreach/places/": 5,
    "/o/qc/outreach/sessions/": 7,
    "/o/qc/outreach/sessions/{session}/": 7,
    "/o/qc/outreach/champions/": 9,
    "/o/qc/outreach/champions/{champion}/": 11,
    "/o/qc/outreach/training/": 6,
    "/o/qc/outreach/assisted-digital/": 11,
    "/o/qc/outreach/assisted-digital/service-0/": 12,
    "/o/qc/outreach/neighbourhoods/": 11,
    "/o/qc/outreach/did-it-work/": 11,
    "/o/qc/alerts/": 14,
    "/o/qc/alerts/messages/{message}/": 7,
    "/alerts/qc/": 5,
}
API: dict[str, int] = {
    "/api/services": 2,
    "/api/service-areas": 2,
    "/api/channels": 2,
    "/api/campaigns": 8,
    "/api/webcheck/runs": 2,
    "/api/principles/services": 7,
    "/api/principles/actions": 2,
    "/api/principles/phone-messages": 2,
    "/api/principles/search-terms": 3,
    "/api/outreach/places": 2,
    "/api/outreach/sessions": 4,
    "/api/outreach/neighbourhoods": 7,
    "/api/alerts/topics": 2,
}


def build(rows: int) -> dict[str, Any]:
    """An organisation with `rows` of everything the pages list."""
    org = OrganisationFactory.create(
        name="Query Count Council", slug="qc", allowed_domains=["qc.gov.uk"]
    )
    org.shares_figures = True  # the comparison page compares with every peer
    org.save()
    for n in range(rows):  # peers: they share, and each runs the same services
        peer = OrganisationFactory.create(slug=f"peer-{n}", kind=org.kind)
        peer.shares_figures = True
        peer.save()
    admin = UserFactory.create()
    MembershipFactory.create(organisation=org, user=admin, role="admin")
    for _ in range(rows - 1):
        MembershipFactory.create(organisation=org, user=UserFactory.create(), role="viewer")
    web = Channel.objects.get(organisation=org, slug="web")
    phone = Channel.objects.get(organisation=org, slug="phone")
    source = data_source_get_or_create(org, "CRM")
    services = []
    for i in range(rows):
        area = ServiceAreaFactory.create(organisation=org, name=f"Area {i}", slug=f"area-{i}")
        service = ServiceFactory.create(
            organisation=org,
            area=area,
            name=f"Service {i}",
            slug=f"service-{i}",
            online_url=f"https://www.qc.gov.uk/s{i}",
            lgsl=sorted(lgsl_services())[i],
            public=True,
        )
        services.append(service)
        Volume.objects.bulk_create(
            Volume(
                organisation=org,
                service=service,
                channel=channel,
                period_start=START + timedelta(days=d),
                period="day",
                measure="transactions",
                count=10 + d,
                source=source,
            )
            for d in range(0, 60, 3)
            for channel in (web, phone)
        )
        unit_cost_save(
            organisation=org,
            channel=phone,
            pence_per_transaction=300 + i,
            pence_per_contact=None,
            effective_from=date(2020, 1, 1) + timedelta(days=i),
            source="Finance",
        )
        api_key_create(organisation=org, name=f"Feed {i}")
    campaign = None
    for i in range(rows):
        campaign = campaign_save(
            organisation=org,
            services=services[: 1 + i % 3],
            name=f"Campaign {i}",
            starts_on=date(2026, 1, 12),
            ends_on=date(2026, 2, 8),
            budget_pence=1000,
        )
        annotation_save(
            organisation=org,
            services=[services[0]],
            starts_on=date(2026, 1, 20),
            ends_on=None,
            text=f"Note {i}",
        )
    assert campaign is not None
    for i in range(rows):
        activity_save(
            organisation=org,
            campaign=campaign,
            medium="radio",
            place=f"Place {i}",
            ward="",
            starts_on=date(2026, 1, 12),
            ends_on=date(2026, 1, 20),
            cost_pence=100,
        )
    survey = survey_save(
        organisation=org, name="Exit survey", sampling_percent=20, allowed_origins=[]
    )
    for i in range(rows - 1):
        survey_save(organisation=org, name=f"Survey {i}", sampling_percent=20, allowed_origins=[])
    Response.objects.bulk_create(
        Response(
            organisation=org,
            survey=survey,
            area=services[i % rows].area,
            answers={"visits": "first", "for_whom": "self", "found": "yes", "reason": f"R{i}"},
        )
        for i in range(rows * 3)
    )
    Response.objects.filter(survey=survey).update(received_at="2026-02-02T10:00:00Z")
    for i in range(rows):  # website checks, each with its key pages
        webcheck_record(
            organisation=org,
            url="https://www.qc.gov.uk/",
            results=[WebcheckResult(c, "pass", "https://www.qc.gov.uk/", "Seen.") for c in IDS],
            when=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=i),
            pages_read=10,
            key_pages=[
                (f"service:service-{k}", f"https://www.qc.gov.uk/s{k}", 1) for k in range(rows)
            ],
        )
    for i, service in enumerate(services):  # digital principles for every service
        checklist_set(service, {"no_phone_published": ("fail", f"Call 0{i}")})
        action_save(
            organisation=org,
            service=service,
            item="no_phone_published",
            text=f"Take number {i} off",
            owner="Web team",
            due_on=date(2027, 1, 1),
        )
        stages_set(service, {"live": (date(2020, 1, 1), date(2020, 2, 1))})
        phone_message_save(
            organisation=org,
            kind="busy",
            number=f"0163296{i:04d}",
            text="Go online at qc.gov.uk",
            reason=service,
            last_checked_on=date(2026, 1, 1),
        )
        term = search_term_save(
            organisation=org, terms=f"words {i}", expected_url=f"https://www.qc.gov.uk/s{i}"
        )
        SearchResult.objects.create(term=term, rank=i + 1, found=[])
    session = champion = None
    for i, service in enumerate(services):  # outreach: a place, a champion and a session each
        place = place_save(organisation=org, name=f"Place {i}", kind="library")
        champion = champion_save(organisation=org, name=f"Champion {i}", kind="staff", team=f"T{i}")
        pledge_add(champion=champion, hours=Decimal(5), made_on=date(2026, 1, 1))
        training_save(
            organisation=org,
            champions=[champion],
            title=f"Training {i}",
            kind="awareness",
            held_on=date(2026, 1, 2),
            duration_minutes=60,
            attendees=5,
        )
        session = session_record(
            organisation=org,
            place=place,
            held_on=date(2026, 2, 1),
            duration_minutes=60,
            kind="group",
            people=3,
            champions=[champion],
            helped=[
                {"age_band": "60-74", "motivation": "council-services", "service": service},
                {"age_band": "75-plus", "motivation": "interests"},
            ],
        )
    assert session is not None and champion is not None
    lsoas = [  # neighbourhoods: each place in one, with an indicator, a shape and monthly figures
        imd.Lsoa(f"E0100{i:04d}", f"Qc {i:03d}A", "E06000099", "Qc", 100 + i, 1, 1500, 300 + i)
        for i in range(rows)
    ]
    neighbourhoods_import(org, imd.District(lsoas, []))
    codes = {lsoa.code for lsoa in lsoas}
    for i, lsoa in enumerate(lsoas):
        Place.objects.filter(organisation=org, name=f"Place {i}").update(
            neighbourhood=org_neighbourhood(org, lsoa.code)
        )
    indicators_import(
        org,
        areacsv.parse_indicators(
            "\n".join(["code,Broadband"] + [f"{c},{90 + n}" for n, c in enumerate(codes)]).encode(),
            codes,
        ),
    )
    boundary_set(org, "Tiles", maps.read_boundary(schematic_tiles(lsoas), codes, key="code"))
    area_volumes_import(
        org,
        areacsv.parse_area_volumes(
            "\n".join(
                ["service,neighbourhood,month,online,total"]
                + [
                    f"service-{i % rows},{lsoa.code},2026-0{m},{40 + m},100"
                    for i, lsoa in enumerate(lsoas)
                    for m in range(1, 7)
                ]
            ).encode(),
            {s.slug for s in services},
            codes,
            date(2026, 12, 31),
        ),
    )
    topics = [
        Topic.objects.create(organisation=org, slug=f"topic-{i}", kind="news", name=f"Topic {i}")
        for i in range(rows)
    ]
    message = None
    for i, topic in enumerate(topics):  # alerts: a subscriber and a message each, sent
        person = Subscriber.objects.create(
            organisation=org, channel="email", address=f"r{i}@qc.org"
        )
        Subscription.objects.create(
            organisation=org,
            subscriber=person,
            topic=topic,
            frequency="immediately",
            confirmed_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
        message = Message.objects.create(organisation=org, subject=f"Message {i}", body="x")
        message.topics.set(topics)
        alert_fanout("message", message.pk)
    assert message is not None
    client = Client()
    client.force_login(admin)
    return {
        "message": message.pk,
        "org": org,
        "client": client,
        "campaign": campaign.pk,
        "survey": survey.pk,
        "session": session.pk,
        "champion": champion.pk,
    }


def org_neighbourhood(org: Organisation, code: str) -> Neighbourhood:
    return Neighbourhood.objects.get(organisation=org, code=code)


def count(client: Client, address: str) -> int:
    client.get(address)  # warm: sessions, caches, the first-request work
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    return len(queries)


@pytest.mark.parametrize("rows", [3, 30])
def test_pages_make_a_fixed_number_of_queries(rows: int) -> None:
    built = build(rows)
    found = {page: count(built["client"], page.format(**built)) for page in PAGES}
    assert found == PAGES


@pytest.mark.parametrize("rows", [3, 30])
def test_api_lists_make_a_fixed_number_of_queries(rows: int) -> None:
    org: Organisation = build(rows)["org"]
    _, raw = api_key_create(organisation=org, name="Counting")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    found = {address: count(client, address) for address in API}
    assert found == API
    assert Service.objects.filter(organisation=org).count() == rows

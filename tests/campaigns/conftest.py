from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from takeup.campaigns.models import Activity, Campaign
from takeup.campaigns.services import activity_save, campaign_save
from takeup.catalogue.models import Channel, Service
from takeup.ledger.models import Volume
from takeup.ledger.services import data_source_get_or_create
from takeup.organisations.models import Organisation
from tests.factories import ServiceFactory

START = date(2025, 1, 6)  # a Monday
DAYS = 420
WEEKDAY = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])


def daily(
    org: Organisation,
    service: Service,
    counts: list[int],
    channel: str = "web",
    start: date = START,
) -> None:
    """Daily volumes straight into the ledger, one row a day."""
    source = data_source_get_or_create(org, "CRM")
    channel_id = Channel.objects.get(organisation=org, slug=channel).pk
    Volume.objects.bulk_create(
        Volume(
            organisation=org,
            service=service,
            channel_id=channel_id,
            period_start=start + timedelta(days=i),
            period="day",
            measure="transactions",
            count=int(n),
            source=source,
            rank=source.priority,
        )
        for i, n in enumerate(counts)
    )


def poisson_series(seed: int, level: float, lift: float = 0.0, lift_from: int = DAYS) -> list[int]:
    rng = np.random.default_rng(seed)
    days = np.arange(DAYS)
    mean = level * WEEKDAY[(days + START.weekday()) % 7]
    mean = np.where(days >= lift_from, mean * (1 + lift), mean)
    return [int(x) for x in rng.poisson(mean)]


@pytest.fixture
def ledger_services(org: Organisation) -> Callable[..., list[Service]]:
    """Services with a year and more of daily web (and phone) figures; the first gets `lift`
    from day `lift_from`."""

    def make(count: int = 4, lift: float = 0.0, lift_from: int = DAYS) -> list[Service]:
        made = []
        for i in range(count):
            service = ServiceFactory.create(
                organisation=org,
                name=f"Service {i}",
                slug=f"service-{i}",
                online_url=f"https://www.millbrook.gov.uk/s{i}",
            )
            daily(org, service, poisson_series(i, 120 + 40 * i, lift if i == 0 else 0, lift_from))
            daily(org, service, poisson_series(100 + i, 60), channel="phone")
            made.append(service)
        return made

    return make


@pytest.fixture
def campaign(org: Organisation, service: Service) -> Campaign:
    return campaign_save(
        organisation=org,
        services=[service],
        name="Bins online",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 29),
        budget_pence=100_000,
    )


@pytest.fixture
def activity(org: Organisation, campaign: Campaign) -> Activity:
    return activity_save(
        organisation=org,
        campaign=campaign,
        medium="leaflet",
        place="12 GP surgeries",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 29),
        cost_pence=60_000,
    )

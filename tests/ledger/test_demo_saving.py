"""On the demo council: with the phones (and every other offline channel) as busy as a year
before, extra online demand moves take-up and online demand, and the saving from contacts avoided
stays at zero."""

from datetime import date, timedelta

import pytest
from django.test import Client

from takeup.catalogue.models import Channel
from takeup.demo.services import demo_create
from takeup.ledger.models import DataSource, Volume
from takeup.ledger.services import volumes_import_rows
from takeup.organisations.models import Organisation, User

pytestmark = pytest.mark.django_db
QUARTER = "period=custom&from=2026-07-01&to=2026-09-30"
SERVICE = "report-a-missed-bin"


def send(org: Organisation, rows: list[dict[str, object]]) -> None:
    crm = DataSource.objects.get(organisation=org, slug="millbrook-crm")
    outcome = volumes_import_rows(organisation=org, source=crm, rows=rows, replace_keys=True)
    assert outcome.imported, outcome.batch.errors


def test_extra_web_with_the_phones_as_busy_as_before_saves_nothing(client: Client) -> None:
    org, _ = demo_create(years=2, end=date(2026, 10, 31))
    client.force_login(User.objects.get(email="admin@millbrook.example"))
    # Every offline figure of the quarter as it was on the same day a year before.
    offline = Channel.objects.filter(organisation=org).exclude(slug="web")
    Volume.objects.filter(
        service__slug=SERVICE,
        channel__in=offline,
        period_start__range=(date(2026, 7, 1), date(2026, 9, 30)),
    ).delete()
    last_year = Volume.objects.filter(
        service__slug=SERVICE,
        channel__in=offline,
        period_start__range=(date(2025, 7, 1), date(2025, 9, 30)),
    ).select_related("channel")
    send(
        org,
        [
            {
                "date": (v.period_start + timedelta(days=365)).isoformat(),
                "service": SERVICE,
                "channel": v.channel.slug,
                "measure": v.measure,
                "count": v.count,
            }
            for v in last_year
        ],
    )
    url = f"/o/{org.slug}/take-up/services/{SERVICE}/?{QUARTER}"
    before = client.get(url).context["figures"]
    assert before.saving.total.pence == 0

    web = Volume.objects.get(
        service__slug=SERVICE,
        channel__slug="web",
        measure="transactions",
        period_start=date(2026, 8, 12),
    )
    send(
        org,
        [{"date": "2026-08-12", "service": SERVICE, "channel": "web", "count": web.count + 167}],
    )
    after = client.get(url).context["figures"]
    assert after.take_up.part == before.take_up.part + 167  # online demand grew
    assert after.take_up.percent > before.take_up.percent  # and so did take-up
    assert after.saving.total.pence == 0  # but no contact was avoided
    assert after.saving.total.lower < 0 < after.saving.total.upper

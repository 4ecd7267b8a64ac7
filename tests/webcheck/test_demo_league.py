"""The demo's league table has a field: Millbrook and the councils it is compared with."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from takeup.demo.peers import demo_peers_create
from takeup.demo.webcheck import demo_webcheck_create
from takeup.organisations.models import User
from takeup.organisations.services import membership_add
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_demo_league_table_ranks_millbrook_among_its_peers(client: Client) -> None:
    millbrook = OrganisationFactory.create(name="Millbrook City Council", slug="millbrook")
    demo_webcheck_create(millbrook, end=datetime(2026, 10, 31, tzinfo=UTC))
    peers = demo_peers_create(millbrook, end=date(2026, 10, 31))
    membership_add(
        organisation=millbrook, email="lead@millbrook.example", role="viewer", password="x" * 12
    )
    client.force_login(User.objects.get(email="lead@millbrook.example"))
    page = client.get("/o/millbrook/website/league/").content.decode()
    table = page[page.index('id="league"') :]
    assert table.count("<tr") == 1 + 1 + len(peers)
    assert all(peer.name in table for peer in peers)

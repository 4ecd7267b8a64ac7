"""A campaign activity whose tracked link sends people to the alerts sign-up page: the link is
made, the redirect goes there and the arrival counts, like any other."""

from datetime import date

import pytest
from django.test import Client

from takeup.campaigns.models import Arrival
from takeup.campaigns.services import activity_save, campaign_save
from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient


@pytest.mark.django_db
def test_an_activity_can_send_visitors_to_the_sign_up_page(
    editor_client: MemberClient, org: Organisation, service: Service
) -> None:
    campaign = campaign_save(
        organisation=org,
        services=[service],
        name="Bin alerts drive",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )
    response = editor_client.post(
        f"/o/{org.slug}/campaigns/{campaign.pk}/activities/new/",
        {
            "medium": "leaflet",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "to_sign_up": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = campaign.activities.get().link
    assert link.destination == f"http://127.0.0.1:8000/alerts/{org.slug}/"
    visit = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile").get(f"/go/{link.code}")
    assert visit.status_code == 302
    assert visit["Location"].startswith(f"http://127.0.0.1:8000/alerts/{org.slug}/?utm_")
    assert Arrival.objects.get(link=link).count == 1
    # Back to the service's page.
    activity = campaign.activities.get()
    activity_save(organisation=org, campaign=campaign, activity=activity, to_sign_up=False)
    link.refresh_from_db()
    assert link.destination == service.online_url

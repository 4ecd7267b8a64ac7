"""Tenancy and roles in the staff UI."""

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation, User
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_another_organisations_service_answers_404(
    viewer_client: Client, other_org: Organisation, org: Organisation
) -> None:
    theirs = ServiceFactory.create(organisation=other_org, slug="their-service")
    # Through our organisation's address: not found.
    assert viewer_client.get(f"/o/{org.slug}/catalogue/services/{theirs.slug}/").status_code == 404
    # Through theirs, of which we are not a member: not found either, not "forbidden".
    assert viewer_client.get(f"/o/{other_org.slug}/").status_code == 404
    response = viewer_client.get(f"/o/{other_org.slug}/catalogue/services/{theirs.slug}/")
    assert response.status_code == 404


def test_same_slug_in_two_organisations_shows_only_ours(
    viewer_client: Client, org: Organisation, other_org: Organisation
) -> None:
    ServiceFactory.create(organisation=org, slug="pay-council-tax", name="Ours")
    ServiceFactory.create(organisation=other_org, slug="pay-council-tax", name="Theirs")
    response = viewer_client.get(f"/o/{org.slug}/catalogue/services/pay-council-tax/")
    assert response.status_code == 200
    assert b"Ours" in response.content and b"Theirs" not in response.content


def test_viewer_cannot_edit(viewer_client: Client, org: Organisation, service: Service) -> None:
    base = f"/o/{org.slug}/catalogue"
    for url in [
        f"{base}/services/add/",
        f"{base}/services/{service.slug}/change/",
        f"{base}/channels/add/",
        f"{base}/unit-costs/add/",
        f"{base}/services/import/",
    ]:
        assert viewer_client.get(url).status_code == 403, url
    response = viewer_client.post(
        f"{base}/services/{service.slug}/change/",
        {"name": "Renamed", "area": service.area_id, "kind": "report"},
    )
    assert response.status_code == 403
    response = viewer_client.post(f"{base}/services/{service.slug}/archive/")
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.name == "Report a missed bin" and service.active


def test_viewer_sees_no_edit_buttons_and_no_settings(
    viewer_client: Client, editor_client: Client, org: Organisation, service: Service
) -> None:
    page = viewer_client.get(f"/o/{org.slug}/catalogue/services/").content.decode()
    assert "Add a service" not in page
    assert f"/o/{org.slug}/settings/" not in page
    assert (
        "Add a service" in editor_client.get(f"/o/{org.slug}/catalogue/services/").content.decode()
    )


def test_only_admins_reach_settings(
    admin_client: Client, editor_client: Client, org: Organisation
) -> None:
    for page in ["settings/", "settings/staff/", "settings/api-keys/", "settings/audit-log/"]:
        assert editor_client.get(f"/o/{org.slug}/{page}").status_code == 403
        assert admin_client.get(f"/o/{org.slug}/{page}").status_code == 200


def test_signed_out_visitor_is_sent_to_sign_in(client: Client, org: Organisation) -> None:
    response = client.get(f"/o/{org.slug}/catalogue/services/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_user_in_two_organisations_can_switch(
    admin_user: User,
    org: Organisation,
    other_org: Organisation,
) -> None:
    from takeup.organisations.services import membership_add

    membership_add(organisation=other_org, email=admin_user.email, role="viewer")
    client = Client()
    client.force_login(admin_user)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/o/{org.slug}/" in page and f"/o/{other_org.slug}/" in page
    assert client.get(f"/o/{other_org.slug}/").status_code == 200
    assert b"Switch organisation" in client.get(f"/o/{org.slug}/").content

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.organisations.models import AuditEvent, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_admin_adds_a_member(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(
        f"/o/{org.slug}/settings/staff/",
        {"email": "New.Person@Millbrook.gov.uk", "full_name": "New Person", "role": "editor"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(organisation=org, user__email="new.person@millbrook.gov.uk")
    assert membership.role == "editor"
    assert not membership.user.has_usable_password()


def test_adding_a_member_twice_is_an_error(
    admin_client: Client, org: Organisation, admin_user: User
) -> None:
    response = admin_client.post(
        f"/o/{org.slug}/settings/staff/", {"email": admin_user.email, "role": "viewer"}
    )
    assert b"is already a member" in response.content
    assert Membership.objects.filter(organisation=org, user=admin_user).count() == 1


def test_the_last_admin_cannot_step_down(
    admin_client: Client, org: Organisation, admin_user: User
) -> None:
    membership = Membership.objects.get(organisation=org, user=admin_user)
    response = admin_client.post(
        f"/o/{org.slug}/settings/staff/{membership.pk}/", {"role": "viewer"}
    )
    assert b"at least one admin" in response.content
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_changes_are_in_the_audit_log(
    admin_client: Client, org: Organisation, service: Service, admin_user: User
) -> None:
    response = admin_client.post(
        f"/o/{org.slug}/catalogue/services/{service.slug}/change/",
        {
            "name": "Report a missed bin collection",
            "area": service.area_id,
            "kind": "report",
            "online_url": service.online_url,
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(organisation=org, action="service.update")
    assert event.actor == admin_user
    assert event.changes["name"] == ["Report a missed bin", "Report a missed bin collection"]
    page = admin_client.get(f"/o/{org.slug}/settings/audit-log/").content.decode()
    assert "service.update" in page and admin_user.email in page
    assert "Report a missed bin → Report a missed bin collection" in page


def test_audit_log_shows_only_our_organisation(
    admin_client: Client, org: Organisation, other_org: Organisation
) -> None:
    page = admin_client.get(f"/o/{org.slug}/settings/audit-log/").content.decode()
    assert other_org.name not in page


def test_admin_edits_organisation_details_and_domains(
    admin_client: Client, org: Organisation
) -> None:
    response = admin_client.post(
        f"/o/{org.slug}/settings/organisation/",
        {
            "name": "Millbrook City Council",
            "kind": "unitary",
            "nation": "england",
            "allowed_domains": "https://www.millbrook.gov.uk/\nmillbrook-libraries.org.uk",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.allowed_domains == ["millbrook.gov.uk", "millbrook-libraries.org.uk"]
    assert AuditEvent.objects.filter(organisation=org, action="organisation.update").exists()


def test_bad_domain_is_refused_and_nothing_changes(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(
        f"/o/{org.slug}/settings/organisation/",
        {
            "name": "Renamed",
            "kind": "unitary",
            "nation": "england",
            "allowed_domains": "millbrook.gov.uk\nnot a domain",
        },
    )
    assert b"govuk-error-summary" in response.content
    assert b"Enter a domain such as millbrook.gov.uk" in response.content
    org.refresh_from_db()
    assert org.name == "Millbrook Test Council"


def test_cli_creates_an_organisation_with_its_admin(db: None) -> None:
    from django.core.management import call_command

    call_command(
        "organisation",
        "create",
        "--name",
        "Caerwen County Borough Council",
        "--slug",
        "caerwen",
        "--kind",
        "welsh_unitary",
        "--nation",
        "wales",
        "--domains",
        "caerwen.gov.wales",
        "--admin",
        "Digital@Caerwen.gov.wales",
    )
    org = Organisation.objects.get(slug="caerwen")
    assert org.allowed_domains == ["caerwen.gov.wales"]
    assert org.channels.count() == 9
    assert Membership.objects.get(organisation=org).user.email == "digital@caerwen.gov.wales"


def test_cli_refuses_a_taken_slug_and_creates_nothing(org: Organisation) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"Nothing was created\. Fix: slug"):
        call_command(
            "organisation",
            "create",
            "--name",
            "Another",
            "--slug",
            org.slug,
            "--kind",
            "county",
            "--nation",
            "england",
            "--admin",
            "a@example.org",
        )
    assert Organisation.objects.filter(slug=org.slug).count() == 1
    assert not Membership.objects.filter(user__email="a@example.org").exists()

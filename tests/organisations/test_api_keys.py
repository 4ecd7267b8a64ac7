import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from takeup.organisations.models import ApiKey, AuditEvent, Organisation
from takeup.organisations.services import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_admin_creates_a_key_shown_once_and_stored_hashed(
    admin_client: Client, org: Organisation
) -> None:
    response = admin_client.post(f"/o/{org.slug}/settings/api-keys/", {"name": "CRM export"})
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert raw.startswith("tk_") and raw in response.content.decode()
    key = ApiKey.objects.get(organisation=org, name="CRM export")
    assert raw not in key.key_hash and key.key_hash != raw
    listing = admin_client.get(f"/o/{org.slug}/settings/api-keys/").content.decode()
    assert "CRM export" in listing and raw not in listing
    assert (
        Client(headers={"authorization": f"Bearer {raw}"}).get("/api/services").status_code == 200
    )


def test_key_with_blank_name_is_refused(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(f"/o/{org.slug}/settings/api-keys/", {"name": "  "})
    assert b"govuk-error-summary" in response.content
    assert not ApiKey.objects.filter(organisation=org).exists()


def test_revoked_key_gets_401(org: Organisation, admin_client: Client) -> None:
    key, raw = api_key_create(organisation=org, name="feed")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert client.get("/api/services").status_code == 200
    response = admin_client.post(f"/o/{org.slug}/settings/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    response = client.get("/api/services")
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]
    assert AuditEvent.objects.filter(organisation=org, action="api_key.revoke").exists()


def test_tampered_and_missing_keys_get_401(org: Organisation) -> None:
    _, raw = api_key_create(organisation=org, name="feed")
    for header in [f"Bearer {raw}x", f"Bearer {raw[:-1]}", "Bearer tk_nothing", "Basic abc", ""]:
        client = Client(headers={"authorization": header} if header else {})
        assert client.get("/api/services").status_code == 401, header


def test_last_use_is_recorded(org: Organisation) -> None:
    key, raw = api_key_create(organisation=org, name="feed")
    assert key.last_used_at is None
    Client(headers={"authorization": f"Bearer {raw}"}).get("/api/channels")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_cannot_revoke_another_organisations_key(
    admin_client: Client, org: Organisation, other_org: Organisation
) -> None:
    theirs, _ = api_key_create(organisation=other_org, name="theirs")
    response = admin_client.post(f"/o/{org.slug}/settings/api-keys/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_cli_creates_a_working_key(org: Organisation, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("apikey", "create", "--organisation", org.slug, "--name", "nightly")
    raw = capsys.readouterr().out.strip()
    assert (
        Client(headers={"authorization": f"Bearer {raw}"}).get("/api/channels").status_code == 200
    )
    call_command("apikey", "revoke", "--organisation", org.slug, "--prefix", raw.split("_")[1])
    assert (
        Client(headers={"authorization": f"Bearer {raw}"}).get("/api/channels").status_code == 401
    )


def test_cli_names_an_unknown_organisation(db: None) -> None:
    with pytest.raises(CommandError, match="No organisation has the slug 'nowhere'"):
        call_command("apikey", "create", "--organisation", "nowhere", "--name", "x")


def test_revoking_twice_is_harmless(org: Organisation) -> None:
    key, _ = api_key_create(organisation=org, name="feed")
    api_key_revoke(api_key=key)
    first = key.revoked_at
    api_key_revoke(api_key=key)
    assert key.revoked_at == first
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1

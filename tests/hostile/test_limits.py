"""Limits answer with a clear error, never a 500."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from takeup.catalogue.models import Service
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation, User
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db


def test_a_volumes_body_over_the_limit_is_413_in_the_api_shape(
    api_client: Client, org: Organisation, service: Service
) -> None:
    row = {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 1}
    body = json.dumps({"source": "CRM", "rows": [row] * 40_000})
    assert len(body) > 2_621_440
    response = api_client.post("/api/volumes", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The body is larger than 2.6 MB")
    assert response.json()["errors"] == [{"field": "body", "message": "Too large"}]
    assert not Volume.objects.exists()


def test_staff_pages_are_never_stored(viewer_client: Client, org: Organisation) -> None:
    for url in (f"/o/{org.slug}/take-up/", f"/o/{org.slug}/settings/api-keys/"):
        response = viewer_client.get(url)
        assert response["Cache-Control"] == "no-store", url


def test_a_reset_for_an_unknown_address_does_the_same_work(
    django_user_model: type[User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    django_user_model.objects.create_user("clerk@millbrook.gov.uk", "a long enough secret")
    counts = []
    for email in ("clerk@millbrook.gov.uk", "nobody@millbrook.gov.uk"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = Client().post("/password-reset/", {"email": email})
        assert response.status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert DBTaskResult.objects.count() == 2  # one task each: the worker looks the address up


def test_an_import_that_finds_the_database_locked_says_so(
    api_client: Client,
    org: Organisation,
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import OperationalError

    from takeup.ledger import services

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "insert_volumes", locked)
    row = {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 1}
    response = api_client.post(
        "/api/volumes", {"source": "CRM", "rows": [row]}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "Another import" in response.json()["detail"]
    path = tmp_path / "v.csv"
    path.write_text(f"date,service,channel,count\n02/03/2026,{service.slug},web,1\n")
    with pytest.raises(CommandError, match="Another import of this organisation's figures"):
        call_command("import", str(path), "--source", "CRM")
    assert not Volume.objects.exists()


@pytest.fixture
def strict_analyst(
    org: Organisation, settings: Settings, django_user_model: type[User]
) -> tuple[Client, str, str]:
    """An analyst's browser that sends the CSRF token as a real form does, uploads capped at
    10 kB: (client, upload address, token)."""
    from tests.factories import MembershipFactory

    settings.TAKEUP_MAX_UPLOAD_BYTES = 10_000
    user = django_user_model.objects.create_user("analyst@millbrook.gov.uk", "a long secret!")
    MembershipFactory.create(organisation=org, user=user, role="analyst")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = f"/o/{org.slug}/take-up/upload/"
    return client, url, client.get(url).context["csrf_token"]


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    strict_analyst: tuple[Client, str, str],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from takeup.ledger.models import DataSource, ImportBatch

    client, url, token = strict_analyst
    big = SimpleUploadedFile("big.csv", b"date,service,channel,count\n" + b"x" * 20_000)
    response = client.post(
        url, {"csrfmiddlewaretoken": token, "file": big, "new_source": "CRM", "period": "day"}
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"The file is larger than 0 MB" in response.content
    assert not DataSource.objects.exists() and not ImportBatch.objects.exists()
    small = SimpleUploadedFile("small.csv", b"date,service,channel,count\n")
    ok = client.post(
        url, {"csrfmiddlewaretoken": token, "file": small, "new_source": "CRM", "period": "day"}
    )
    assert ok.status_code in (200, 302)  # read and answered by the form, not refused


def test_a_too_large_upload_whose_token_comes_after_the_file_is_told_so(
    strict_analyst: tuple[Client, str, str],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client, url, token = strict_analyst
    big = SimpleUploadedFile("big.csv", b"x" * 20_000)
    response = client.post(url, {"file": big, "csrfmiddlewaretoken": token})
    assert response.status_code == 413
    assert b"The file is too large" in response.content


def test_one_address_trying_many_user_names_is_throttled(
    settings: Settings, django_user_model: type[User]
) -> None:
    settings.TAKEUP_SIGN_IN_FAILURES_PER_ADDRESS = 8
    django_user_model.objects.create_user("real@millbrook.gov.uk", "correct horse battery")
    client = Client(REMOTE_ADDR="198.51.100.20")
    for i in range(8):  # eight names, a wrong password each: no single name is locked
        client.post("/sign-in/", {"username": f"n{i}@millbrook.gov.uk", "password": "x"})
    blocked = client.post(
        "/sign-in/", {"username": "real@millbrook.gov.uk", "password": "correct horse battery"}
    )
    assert blocked.status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.21").post(
        "/sign-in/", {"username": "real@millbrook.gov.uk", "password": "correct horse battery"}
    )
    assert elsewhere.status_code == 302


def test_behind_a_proxy_the_configured_header_is_believed(settings: Settings) -> None:
    from django.test import RequestFactory

    from takeup.core.clients import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_address(request) == "10.0.0.1"  # not believed unless configured
    settings.TAKEUP_CLIENT_IP_HEADER = "X-Forwarded-For"
    assert client_address(request) == "203.0.113.9"  # the entry our proxy added, not the forged


def test_a_workbook_that_unpacks_too_far_is_refused_unread(
    org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from takeup.ledger import parsing
    from takeup.ledger.services import data_source_get_or_create, volumes_import

    monkeypatch.setattr(parsing, "MAX_XLSX_UNPACKED", 1_000)
    data = (Path(__file__).parents[1] / "ledger/data/notes-first.xlsx").read_bytes()
    outcome = volumes_import(
        organisation=org,
        source=data_source_get_or_create(org, "CRM"),
        data=data,
        file_name="x.xlsx",
    )
    assert not outcome.imported
    assert "unpacks to" in outcome.read.refused and "save the sheet with the figures as CSV" in (
        outcome.read.refused
    )


def test_the_import_page_shows_at_most_a_hundred_problems(
    member_client: Callable[[str], MemberClient], org: Organisation
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = ["date,service,channel,count"] + [
        f"02/03/2026,Unknown service {i},web,1" for i in range(150)
    ]
    client = member_client("analyst")
    upload = SimpleUploadedFile("many.csv", "\n".join(lines).encode())
    response = client.post(
        f"/o/{org.slug}/take-up/upload/", {"file": upload, "new_source": "CRM", "period": "day"}
    )
    page = client.get(response["Location"])
    assert len(page.context["grouped_errors"]) == 100
    assert "And 50 more problems." in page.content.decode()
    assert page.context["mapping_form"].more == 100  # 150 unknown names, 50 offered

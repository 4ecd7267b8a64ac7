"""Big uploads are read and imported by the worker, with progress on the page; the preview is
kept with the batch, so viewing it never reads the file again."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger import services
from takeup.ledger.models import ImportBatch, Volume
from takeup.ledger.tasks import batch_apply, batch_read
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def upload(client: Client, org: Organisation, name: str) -> ImportBatch:
    file = SimpleUploadedFile(name, (DATA / name).read_bytes())
    response = client.post(
        f"/o/{org.slug}/take-up/upload/", {"file": file, "new_source": "CRM", "period": "day"}
    )
    assert response.status_code == 302, response.content
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_big_file_is_read_and_imported_by_the_worker(
    member_client, org: Organisation, service: Service, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TAKEUP_INLINE_READ_BYTES = 10
    client = member_client("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(client, org, "long-clean.csv")
    assert batch.status == ImportBatch.Status.READING
    page = client.get(f"/o/{org.slug}/take-up/imports/{batch.pk}/").content.decode()
    assert "The file is being read and checked" in page and 'hx-trigger="every 2s"' in page
    status = client.get(f"/o/{org.slug}/take-up/imports/{batch.pk}/status/", HTTP_HX_REQUEST="1")
    assert "HX-Refresh" not in status
    assert batch_read.call(batch.pk) == ImportBatch.Status.PENDING  # what the worker runs
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING and batch.reading["layout"] == "long"
    done = client.get(f"/o/{org.slug}/take-up/imports/{batch.pk}/status/", HTTP_HX_REQUEST="1")
    assert done["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{batch.pk}/", {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING and not Volume.objects.exists()
    assert batch_apply.call(batch.pk) == ImportBatch.Status.APPLIED
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert Volume.objects.count() == batch.rows_accepted > 0


def test_viewing_a_preview_never_reads_the_file_again(
    member_client, org: Organisation, service: Service, monkeypatch
) -> None:
    client = member_client("analyst")
    batch = upload(client, org, "long-clean.csv")
    assert batch.status == ImportBatch.Status.PENDING

    def no(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read again")

    monkeypatch.setattr(services, "volumes_import", no)
    page = client.get(f"/o/{org.slug}/take-up/imports/{batch.pk}/")
    assert page.status_code == 200
    assert 'id="header-line"' in page.content.decode()

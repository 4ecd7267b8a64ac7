"""Big uploads are read and imported by the worker, with progress on the page; the preview is
kept with the batch, so viewing it never reads the file again."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from takeup.catalogue.models import Service
from takeup.ledger import services
from takeup.ledger.models import ImportBatch, Volume
from takeup.ledger.tasks import batch_apply, batch_read
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient

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
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
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
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
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


def kept(batch: ImportBatch) -> Path:
    """Where a waiting batch keeps its file: on disk, under MEDIA_ROOT."""
    assert batch.upload.name and batch.content is not None
    return Path(batch.upload.path)


def test_a_previewed_upload_is_kept_on_disk_not_in_the_database(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = member_client("analyst")
    batch = upload(client, org, "long-clean.csv")
    assert batch.status == ImportBatch.Status.PENDING
    path = kept(batch)
    assert path.read_bytes() == (DATA / "long-clean.csv").read_bytes()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "content" not in {f.name for f in ImportBatch._meta.get_fields()}  # no bytes column
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{batch.pk}/", {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and Volume.objects.count() == 4
    assert not batch.upload and batch.content is None and not path.exists()


def test_a_cancelled_upload_deletes_its_file(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = member_client("analyst")
    first = upload(client, org, "long-clean.csv")
    second = upload(client, org, "long-clean.csv")  # the source has another batch: it stays
    path = kept(second)
    assert path != kept(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{second.pk}/", {"action": "cancel"})
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.CANCELLED and not second.upload
    assert not path.exists() and kept(first).exists()


def test_a_rejected_import_deletes_its_file(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = member_client("analyst")
    file = SimpleUploadedFile("bad.csv", b"date,service,channel,count\n2026-03-02,Nope,Web,1\n")
    response = client.post(
        f"/o/{org.slug}/take-up/upload/", {"file": file, "new_source": "CRM", "period": "day"}
    )
    batch = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    path = kept(batch)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{batch.pk}/", {"action": "import-valid"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED and not batch.upload
    assert not path.exists() and not Volume.objects.exists()


def test_a_refused_upload_keeps_no_file(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    settings: Settings,
) -> None:
    client = member_client("analyst")
    imports = Path(settings.MEDIA_ROOT) / "imports"
    before = set(imports.iterdir()) if imports.exists() else set()
    with (DATA / "report.html").open("rb") as page:
        response = client.post(
            f"/o/{org.slug}/take-up/upload/", {"file": page, "new_source": "CRM", "period": "day"}
        )
    assert response.status_code == 200 and not ImportBatch.objects.exists()
    assert (set(imports.iterdir()) if imports.exists() else set()) == before


def test_the_worker_imports_a_big_file_from_disk_and_deletes_it(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.TAKEUP_INLINE_READ_BYTES = 10
    client = member_client("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(client, org, "long-clean.csv")
    path = kept(batch)
    assert batch_read.call(batch.pk) == ImportBatch.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{batch.pk}/", {"action": "import"})
    assert path.exists()  # waiting for the worker
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_apply.call(batch.pk) == ImportBatch.Status.APPLIED
    batch.refresh_from_db()
    assert not batch.upload and not path.exists() and Volume.objects.count() == 4


def test_uploads_work_with_a_storage_that_is_not_on_this_disk(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Several web processes and workers on several machines share files through S3 or alike:
    a storage with no path on this disk. The worker reads the kept file from it all the same."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.TAKEUP_INLINE_READ_BYTES = 10
    client = member_client("analyst")
    on_disk = set(Path(settings.MEDIA_ROOT).rglob("*"))
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(client, org, "long-clean.csv")
    assert batch.upload and set(Path(settings.MEDIA_ROOT).rglob("*")) == on_disk
    assert batch_read.call(batch.pk) == ImportBatch.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{org.slug}/take-up/imports/{batch.pk}/", {"action": "import"})
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_apply.call(batch.pk) == ImportBatch.Status.APPLIED
    batch.refresh_from_db()
    assert not batch.upload and Volume.objects.count() == 4

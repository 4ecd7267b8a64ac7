"""Uploads refused by their declared size before any of them is read. Django would otherwise
stream the whole body to a temporary file (and parse it) before a form could say "too large"."""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class RefuseLargeUploads(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: of a body larger than TAKEUP_MAX_UPLOAD_BYTES, no file is
    read. The request goes on with its other fields, no files and `upload_too_large` set, so
    the form can say so."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if content_length > settings.TAKEUP_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True  # type: ignore[union-attr]

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        # The form's other fields (its token among them) come before the file and are kept.
        if getattr(self.request, "upload_too_large", False):
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def csrf_failure(request: Any, reason: str = "") -> Any:
    """CSRF_FAILURE_VIEW: an upload refused for its size never reached its form token, so say
    what really happened; anything else is Django's own refusal."""
    from django.shortcuts import render
    from django.views.csrf import csrf_failure as django_csrf_failure

    if getattr(request, "upload_too_large", False):
        limit = settings.TAKEUP_MAX_UPLOAD_BYTES // (1024 * 1024)
        return render(request, "upload_too_large.html", {"limit": limit}, status=413)
    return django_csrf_failure(request, reason)

"""The type of what the test client answers, for helpers that pass a response on.

django-stubs names it `_MonkeyPatchedWSGIResponse` (an HttpResponse with the test client's
extras: `json()`, `context`, `templates`, ...); it exists only for the type checker."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse
else:
    from django.http import HttpResponse as ClientResponse

__all__ = ["ClientResponse"]

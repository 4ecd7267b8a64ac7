"""Response headers that every page carries, and the styled error pages."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.defaults import page_not_found, server_error

# Only our own scripts and styles; Vega draws through its interpreter so no 'unsafe-eval' is
# needed, and GOV.UK Frontend needs no inline script once its module adds the support class.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy on every response; and no-store on every page a signed-in
    member sees (figures, a new API key shown once) unless the view said otherwise, so that no
    shared computer or proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


class StyledErrorPagesMiddleware:
    """With DEBUG on (`make demo`, development) Django answers a missing page or a crash with its
    technical page, which lists every URL pattern and setting. Serve the styled 404 and 500
    pages instead, unless TAKEUP_TECHNICAL_ERRORS asks for Django's (a developer's choice).
    With DEBUG off, Django serves the styled pages itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _wanted(self) -> bool:
        return settings.DEBUG and not getattr(settings, "TAKEUP_TECHNICAL_ERRORS", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            self._wanted()
            and response.status_code == 404
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and TECHNICAL_MARK in response.content
        ):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._wanted() or isinstance(exception, Http404 | PermissionDenied):
            return None
        logger.error("Error on %s", request.path, exc_info=exception)
        return server_error(request)


# Django's technical 404 page says why it is shown; our own 404 pages never do.
TECHNICAL_MARK = b"DEBUG = True"
logger = logging.getLogger("django.request")


class RefuseNulMiddleware:
    """An address with a NUL byte in its path or query is nobody's: answer 400 before any view
    looks it up (PostgreSQL refuses NUL in text, so a lookup would be a server error). The API
    checks its own fields and answers in its own error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        query = [v for values in request.GET.lists() for v in [values[0], *values[1]]]
        if "\x00" in request.path or any("\x00" in v for v in query):
            return HttpResponseBadRequest(
                "This address has a NUL character in it, which no address has.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

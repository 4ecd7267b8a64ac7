"""The API at /api/: OpenAPI at /api/openapi.json, docs at /api/docs."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from takeup.api_errors import ErrorOut, FieldError
from takeup.catalogue.api import router as catalogue_router
from takeup.organisations.api import ApiKeyAuth
from takeup.organisations.api import router as organisation_router

api = NinjaAPI(
    title="Takeup API",
    version="1",
    description="Read and write one organisation's Takeup data with an organisation API key. "
    "Errors are JSON: `detail` says what went wrong and `errors` names each field to fix.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
)
api.add_router("/", organisation_router)
api.add_router("/", catalogue_router)

IGNORED_LOCATION = {"body", "payload", "query", "filters", "path"}


def _error(request: HttpRequest, status: int, body: ErrorOut) -> HttpResponse:
    return api.create_response(request, body.dict(), status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        names = [str(p) for p in error.get("loc", []) if str(p) not in IGNORED_LOCATION]
        errors.append(FieldError(field=".".join(names) or "body", message=error.get("msg", "")))
    return _error(request, 422, ErrorOut(detail="The request has errors; see each field.",
                                         errors=errors))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, ErrorOut(
        detail="Send a valid, unrevoked API key as 'Authorization: Bearer KEY'."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, ErrorOut(detail="Not found."))

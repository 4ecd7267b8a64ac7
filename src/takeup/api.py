"""The API at /api/: OpenAPI at /api/openapi.json, docs at /api/docs."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from takeup.alerts.api import router as alerts_router
from takeup.api_errors import DETAIL, ErrorOut, FieldError, Invalid, field_errors
from takeup.campaigns.api import router as campaigns_router
from takeup.catalogue.api import router as catalogue_router
from takeup.ledger.api import router as ledger_router
from takeup.organisations.api import ApiKeyAuth
from takeup.organisations.api import router as organisation_router
from takeup.outreach.api import router as outreach_router
from takeup.principles.api import router as principles_router
from takeup.webcheck.api import router as webcheck_router


class TakeupAPI(NinjaAPI):
    """Documents the errors every operation can give, in the one shape they all have."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"]["schemas"].setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        schema["components"]["schemas"].setdefault("FieldError", FieldError.model_json_schema())
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for path in schema["paths"].values():
            for operation in path.values():
                # django-ninja keys responses by int; keep one key per status when serialised.
                responses = operation["responses"]
                params = operation.get("parameters", [])
                wanted = {401: "No valid API key"}
                if operation.get("requestBody"):
                    wanted[400] = "The body is not JSON"
                    wanted[413] = "The body is larger than the limit (2.5 MB)"
                if params or operation.get("requestBody"):
                    wanted[422] = "A field to fix"
                if any(p.get("in") == "path" for p in params):
                    wanted[404] = "Not found"
                for status, description in wanted.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, **error}
        return schema


api = TakeupAPI(
    title="Takeup API",
    version="1",
    description="Read and write one organisation's Takeup data with an organisation API key. "
    "Errors are JSON: `detail` says what went wrong and `errors` names each field to fix.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
)
api.add_router("/", organisation_router)
api.add_router("/", catalogue_router)
api.add_router("/", ledger_router)
api.add_router("/", campaigns_router)
api.add_router("/", webcheck_router)
api.add_router("/", principles_router)
api.add_router("/", outreach_router)
api.add_router("/", alerts_router)

IGNORED_LOCATION = {"body", "payload", "query", "filters", "path"}


def _error(request: HttpRequest, status: int, body: ErrorOut) -> HttpResponse:
    return api.create_response(request, body.dict(), status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        names = [str(p) for p in error.get("loc", []) if str(p) not in IGNORED_LOCATION]
        errors.append(FieldError(field=".".join(names) or "body", message=error.get("msg", "")))
    return _error(request, 422, ErrorOut(detail=DETAIL, errors=errors))


def _invalid(request: HttpRequest, errors: list[tuple[str, str]]) -> HttpResponse:
    fields = [FieldError(field=field, message=message) for field, message in errors]
    return _error(request, 422, ErrorOut(detail=DETAIL, errors=fields))


@api.exception_handler(Invalid)
def on_invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
    return _invalid(request, exc.errors)


@api.exception_handler(DjangoValidationError)
def on_service_refusal(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused what was sent (services validate and raise ValidationError)."""
    return _invalid(request, field_errors(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        ErrorOut(detail="Send a valid, unrevoked API key as 'Authorization: Bearer KEY'."),
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
    return _error(
        request,
        413,
        ErrorOut(
            detail=f"The body is larger than {limit:.1f} MB: send the rows in several requests.",
            errors=[FieldError(field="body", message="Too large")],
        ),
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, ErrorOut(detail="Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    field = "body" if exc.status_code == 400 else ""
    detail = "The body is not valid JSON." if exc.status_code == 400 else str(exc)
    return _error(
        request,
        exc.status_code,
        ErrorOut(
            detail=detail, errors=[FieldError(field=field, message=str(exc))] if field else []
        ),
    )

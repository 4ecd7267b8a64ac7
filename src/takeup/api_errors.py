"""The one shape of every API error: what went wrong, and which field to fix."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


DETAIL = "The request has errors; see each field."


class Invalid(Exception):
    """A request to refuse with 422, naming each field to fix: (field, message) pairs. The API's
    one handler (api.py) answers it, and Django's ValidationError, in the shape above."""

    def __init__(self, *errors: tuple[str, str]) -> None:
        super().__init__(DETAIL)
        self.errors = list(errors)


def field_errors(
    exc: DjangoValidationError, rename: Mapping[str, str] | None = None, whole: str = "body"
) -> list[tuple[str, str]]:
    """A service's ValidationError as (field, message) pairs, in the names the caller sent:
    `rename` maps a model field to the API's, and errors on no field are on `whole`."""
    names = {"__all__": whole, **(rename or {})}
    if hasattr(exc, "error_dict"):
        return [
            (names.get(field, field), message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(whole, message) for message in exc.messages]


@contextmanager
def fields_named(whole: str = "body", **rename: str) -> Iterator[None]:
    """Run a service whose errors the API names differently (a service's `slug` clash is the
    caller's `name`)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise Invalid(*field_errors(exc, rename, whole)) from exc

"""The one shape of every API error: what went wrong, and which field to fix."""

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []

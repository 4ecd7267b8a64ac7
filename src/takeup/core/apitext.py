"""Text as every API accepts it: printable, trimmed, not blank."""

from typing import Annotated

from ninja import Path
from pydantic import AfterValidator, Field


def _printable(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise ValueError("must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Text = Annotated[str, AfterValidator(_printable), Field(min_length=1, pattern=r"\S")]


def _printable_or_blank(value: str) -> str:
    return _printable(value) if value.strip() else ""


# Optional text: printable and trimmed, and "" where left blank (as the API gives it back).
OptionalText = Annotated[str, AfterValidator(_printable_or_blank)]


# A service's short name in an address: checked before it reaches the database (a NUL byte
# there is an error in PostgreSQL, not a miss).
ServiceSlug = Annotated[
    str, Path(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$", description="A service's slug")
]

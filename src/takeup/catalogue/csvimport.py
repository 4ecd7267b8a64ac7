"""Reading a service catalogue from CSV. Pure: bytes in, parsed rows and line-numbered errors out.

Columns (header names are matched case-insensitively; order does not matter):
name, area, kind — required; slug, lgsl, online_url, online_since, online_only_since,
target_percent, target_date, public, active — optional.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, TypeVar

from takeup.core.csvsafe import restore
from takeup.core.text import parse_date, slugify

from .lgsl import lgsl_find

if TYPE_CHECKING:
    import _csv

T = TypeVar("T")

REQUIRED_COLUMNS = ("name", "area", "kind")
OPTIONAL_COLUMNS = (
    "slug",
    "lgsl",
    "online_url",
    "online_since",
    "online_only_since",
    "target_percent",
    "target_date",
    "public",
    "active",
)
KIND_WORDS = {
    "pay": "pay",
    "pay it": "pay",
    "apply": "apply",
    "apply for it": "apply",
    "report": "report",
    "report it": "report",
    "book": "book",
    "book it": "book",
    "ask": "ask",
    "ask it": "ask",
    "find": "find",
    "find it": "find",
}
TRUE_WORDS = {"yes", "y", "true", "1", "ie", "do"}
FALSE_WORDS = {"no", "n", "false", "0", "na", "naddo"}
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass(frozen=True)
class ServiceRow:
    line: int
    name: str
    area: str
    kind: str
    slug: str
    online_url: str = ""
    online_since: date | None = None
    online_only_since: date | None = None
    target_percent: Decimal | None = None
    target_date: date | None = None
    public: bool = False
    active: bool = True
    lgsl: int | None = None
    has_lgsl: bool = False  # the file has the column (so an empty cell clears the code)


@dataclass(frozen=True)
class ParsedCatalogue:
    rows: tuple[ServiceRow, ...] = ()
    errors: tuple[RowError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_bool(text: str, default: bool) -> bool:
    word = text.strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{text}' is not yes or no")


Record = tuple[int, dict[str, str]]


def read_records(
    data: bytes, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[Record], list[RowError]]:
    """The rows of a CSV file as (line number, {column: value}), after checking the header.
    Header names are matched case-insensitively with spaces as underscores; blank rows are
    skipped; `;` is accepted as the delimiter where Excel used it."""
    if len(data) > MAX_BYTES:
        return [], [RowError(0, "", "The file is larger than 2 MB.")]
    text = decode(data)
    if not text.strip():
        return [], [RowError(1, "", "The file is empty.")]
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _records(reader, required, optional)
    except csv.Error as exc:
        return [], [RowError(reader.line_num, "", f"The file is not readable as CSV here: {exc}.")]


def _records(
    reader: "_csv.Reader", required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[Record], list[RowError]]:
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        names = ", ".join(missing)
        return [], [RowError(1, names, f"The header row has no column called {names}.")]
    unknown = [h for h in header if h and h not in required + optional]
    if unknown:
        message = (
            f"Unknown column: {', '.join(unknown)}. Expected {', '.join(required + optional)}."
        )
        return [], [RowError(1, ", ".join(unknown), message)]
    records = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        # A cell our own download protected from spreadsheets ('=…) reads back as it was.
        record = {
            h: (restore(values[i].strip()) if i < len(values) else "") for i, h in enumerate(header)
        }
        records.append((reader.line_num, record))
    return records, []


def parse_catalogue(data: bytes) -> ParsedCatalogue:
    records, header_errors = read_records(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    if header_errors:
        return ParsedCatalogue(errors=tuple(header_errors))
    rows: list[ServiceRow] = []
    errors: list[RowError] = []
    seen_slugs: dict[str, int] = {}
    for line, record in records:
        row, row_errors = _parse_row(line, record)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.slug in seen_slugs:
            errors.append(
                RowError(
                    line,
                    "slug",
                    f"'{row.slug}' is also on line "
                    f"{seen_slugs[row.slug]}: each service needs its own.",
                )
            )
            continue
        seen_slugs[row.slug] = line
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2, "", "The file has a header row but no services."))
    return ParsedCatalogue(rows=tuple(rows), errors=tuple(errors))


def _parse_row(line: int, record: dict[str, str]) -> tuple[ServiceRow | None, list[RowError]]:
    errors: list[RowError] = []

    def need(column: str) -> str:
        value = record.get(column, "")
        if not value:
            errors.append(RowError(line, column, f"{column} is empty."))
        return value

    name, area, kind_text = need("name"), need("area"), need("kind")
    kind = KIND_WORDS.get(kind_text.lower(), "")
    if kind_text and not kind:
        errors.append(
            RowError(
                line,
                "kind",
                f"'{kind_text}' is not a kind: use Pay it, "
                "Apply for it, Report it, Book it, Ask it or Find it.",
            )
        )
    slug = slugify(record.get("slug") or name)
    if name and not slug:
        errors.append(RowError(line, "slug", "No short name can be made from this name."))
    online_url = record.get("online_url", "")
    if online_url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", online_url):
        errors.append(
            RowError(
                line, "online_url", f"'{online_url}' is not a web address starting with https://."
            )
        )

    def optional(column: str, parse: Callable[[str], T]) -> T | None:
        value = record.get(column, "")
        if not value:
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation) as exc:
            errors.append(
                RowError(
                    line,
                    column,
                    str(exc) if isinstance(exc, ValueError) else f"'{value}' is not a number.",
                )
            )
            return None

    online_since = optional("online_since", parse_date)
    online_only_since = optional("online_only_since", parse_date)
    target_percent = optional("target_percent", lambda v: Decimal(v.rstrip("%").strip()))
    if target_percent is not None and not (0 <= target_percent <= 100):
        errors.append(RowError(line, "target_percent", "The target must be between 0 and 100."))
    target_date = optional("target_date", parse_date)
    if (target_percent is None) != (target_date is None) and not any(
        e.column in {"target_percent", "target_date"} for e in errors
    ):
        errors.append(
            RowError(
                line,
                "target_date",
                "Give a target percentage and a target date together, or neither.",
            )
        )
    lgsl_text = record.get("lgsl", "")
    lgsl = lgsl_find(lgsl_text) if lgsl_text else None
    if lgsl_text and lgsl is None:
        errors.append(
            RowError(
                line,
                "lgsl",
                f"'{lgsl_text}' is not in the Local Government Service List: give its code, "
                "such as 524, or leave the cell empty.",
            )
        )
    public = optional("public", lambda v: parse_bool(v, False))
    active = optional("active", lambda v: parse_bool(v, True))
    if errors:
        return None, errors
    return ServiceRow(
        line=line,
        name=name,
        area=area,
        kind=kind,
        slug=slug,
        online_url=online_url,
        online_since=online_since,
        online_only_since=online_only_since,
        target_percent=target_percent,
        target_date=target_date,
        public=bool(public),
        active=True if active is None else active,
        lgsl=lgsl,
        has_lgsl="lgsl" in record,
    ), errors

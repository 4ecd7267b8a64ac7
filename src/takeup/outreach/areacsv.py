"""Reading a council's own figures per neighbourhood from CSV. Pure: bytes in, rows and
line-numbered errors out; nothing is saved unless every line is right.

- Indicators: a column `code` (the neighbourhood's code) and one column per indicator, named as
  staff should see it ("Broadband coverage (%)"). An empty cell is a missing value.
- Area volumes: `service` (the service's short name), `neighbourhood` (its code), `month`
  (2026-03 or 2026-03-01), `online` and `total` (whole numbers, online no more than total).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from takeup.catalogue.csvimport import RowError, decode
from takeup.core.csvsafe import restore
from takeup.core.text import slugify

MAX_BYTES = 2_000_000
MAX_INDICATORS = 20


@dataclass(frozen=True)
class IndicatorColumn:
    slug: str
    name: str


@dataclass(frozen=True)
class ParsedIndicators:
    columns: tuple[IndicatorColumn, ...] = ()
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # slug → code → value
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class AreaVolumeRow:
    line: int
    service: str
    neighbourhood: str
    month: date
    online: int
    total: int


@dataclass(frozen=True)
class ParsedAreaVolumes:
    rows: tuple[AreaVolumeRow, ...] = ()
    errors: tuple[RowError, ...] = ()


def _table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """The header and the non-blank rows (with their line numbers), or why not."""
    if len(data) > MAX_BYTES:
        return [], [], [RowError(0, "", "The file is larger than 2 MB.")]
    text = decode(data)
    if not text.strip():
        return [], [], [RowError(1, "", "The file is empty.")]
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        header = [h.strip() for h in next(reader)]
        for values in reader:
            if any(v.strip() for v in values):
                rows.append((reader.line_num, [restore(v.strip()) for v in values]))
    except csv.Error as exc:
        return [], [], [RowError(reader.line_num, "", f"The file is not readable as CSV: {exc}.")]
    return header, rows, []


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def number(text: str) -> float:
    """A figure as a spreadsheet writes it: "1,234", "85.5", "85.5%"."""
    cleaned = text.replace(",", "").removesuffix("%").strip()
    if not NUMBER.match(cleaned):
        raise ValueError(f"“{text}” is not a number.")
    return float(cleaned)


def parse_indicators(data: bytes, codes: set[str]) -> ParsedIndicators:
    """A code column and one column per indicator; `codes` are the neighbourhoods' codes."""
    header, rows, errors = _table(data)
    if errors:
        return ParsedIndicators(errors=tuple(errors))
    keys = [h.lower() for h in header]
    if "code" not in keys:
        return ParsedIndicators(
            errors=(RowError(1, "code", "The header row has no column called code."),)
        )
    at = keys.index("code")
    columns: list[tuple[int, IndicatorColumn]] = []
    seen: dict[str, str] = {}
    for i, name in enumerate(header):
        if i == at:
            continue
        slug = slugify(name)
        if not slug:
            errors.append(RowError(1, name or f"column {i + 1}", "The column has no name."))
        elif slug in seen:
            errors.append(RowError(1, name, f"The column has the same name as “{seen[slug]}”."))
        else:
            seen[slug] = name
            columns.append((i, IndicatorColumn(slug, name[:120])))
    if not columns and not errors:
        errors.append(RowError(1, "", "The file has a code column but no indicator columns."))
    if len(columns) > MAX_INDICATORS:
        errors.append(RowError(1, "", f"The file has more than {MAX_INDICATORS} indicators."))
    if errors:
        return ParsedIndicators(errors=tuple(errors))
    values: dict[str, dict[str, float]] = {c.slug: {} for _i, c in columns}
    lines: dict[str, int] = {}
    for line, cells in rows:
        code = cells[at] if at < len(cells) else ""
        if not code:
            errors.append(RowError(line, "code", "The code is empty."))
            continue
        if code not in codes:
            errors.append(
                RowError(line, "code", f"{code} is not one of your neighbourhoods' codes.")
            )
            continue
        if code in lines:
            errors.append(RowError(line, "code", f"{code} is also on line {lines[code]}."))
            continue
        lines[code] = line
        for i, column in columns:
            cell = cells[i] if i < len(cells) else ""
            if not cell:
                continue
            try:
                values[column.slug][code] = number(cell)
            except ValueError as exc:
                errors.append(RowError(line, column.name, str(exc)))
    if not lines and not errors:
        errors.append(RowError(2, "", "The file has a header row but no neighbourhoods."))
    if errors:
        return ParsedIndicators(errors=tuple(errors))
    return ParsedIndicators(columns=tuple(c for _i, c in columns), values=values)


AREA_COLUMNS = ("service", "neighbourhood", "month", "online", "total")


def month_of(text: str) -> date:
    """2026-03, 2026-03-01 or 01/03/2026: the first of a month."""
    text = text.strip()
    for pattern, order in (
        (r"^(\d{4})-(\d{1,2})$", "ym"),
        (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", "ymd"),
        (r"^(\d{1,2})/(\d{1,2})/(\d{4})$", "dmy"),
    ):
        m = re.match(pattern, text)
        if not m:
            continue
        parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
        if parts.get("d", 1) != 1:
            raise ValueError(f"“{text}” is not the first of a month: a month is 2026-03.")
        try:
            return date(parts["y"], parts["m"], 1)
        except ValueError:
            break
    raise ValueError(f"“{text}” is not a month: write it as 2026-03.")


def parse_area_volumes(
    data: bytes, services: set[str], codes: set[str], today: date
) -> ParsedAreaVolumes:
    """Monthly online and total transactions per service and neighbourhood."""
    header, rows, errors = _table(data)
    if errors:
        return ParsedAreaVolumes(errors=tuple(errors))
    keys = [h.lower().replace(" ", "_") for h in header]
    missing = [c for c in AREA_COLUMNS if c not in keys]
    if missing:
        names = ", ".join(missing)
        return ParsedAreaVolumes(
            errors=(RowError(1, names, f"The header row has no column called {names}."),)
        )
    unknown = [h for h in keys if h and h not in AREA_COLUMNS]
    if unknown:
        return ParsedAreaVolumes(
            errors=(
                RowError(
                    1,
                    ", ".join(unknown),
                    f"Unknown column: {', '.join(unknown)}. Expected {', '.join(AREA_COLUMNS)}.",
                ),
            )
        )
    at = {c: keys.index(c) for c in AREA_COLUMNS}
    out: list[AreaVolumeRow] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line, cells in rows:

        def cell(column: str, cells: list[str] = cells) -> str:
            i = at[column]
            return cells[i] if i < len(cells) else ""

        before = len(errors)
        service, code = cell("service"), cell("neighbourhood")
        if service not in services:
            errors.append(
                RowError(line, "service", f"“{service}” is not the short name of a service.")
            )
        if code not in codes:
            errors.append(
                RowError(line, "neighbourhood", f"“{code}” is not one of your neighbourhoods.")
            )
        month = None
        try:
            month = month_of(cell("month"))
            if month > today:
                raise ValueError(f"{month:%Y-%m} has not begun yet.")
        except ValueError as exc:
            errors.append(RowError(line, "month", str(exc)))
        counts: dict[str, int] = {}
        for column in ("online", "total"):
            text = cell(column).replace(",", "")
            if not text.isdigit():
                errors.append(
                    RowError(line, column, f"“{cell(column)}” is not a whole number of 0 or more.")
                )
            else:
                counts[column] = int(text)
        if len(counts) == 2 and counts["online"] > counts["total"]:
            errors.append(
                RowError(
                    line,
                    "online",
                    f"{counts['online']:,} online is more than the {counts['total']:,} in all.",
                )
            )
        if len(errors) > before or month is None:
            continue
        key = (service, code, month)
        if key in seen:
            errors.append(
                RowError(line, "month", f"The same service, area and month is on line {seen[key]}.")
            )
            continue
        seen[key] = line
        out.append(AreaVolumeRow(line, service, code, month, counts["online"], counts["total"]))
    if not out and not errors:
        errors.append(RowError(2, "", "The file has a header row but no figures."))
    if errors:
        return ParsedAreaVolumes(errors=tuple(errors))
    return ParsedAreaVolumes(rows=tuple(out))

"""Reading volume files. Pure: bytes in, rows with line numbers and line-numbered errors out.

Three layouts, each a configuration of the same reader:
- long: one count a row — date, service, channel, [measure], [period], count;
- long with a column per measure — date, service, channel, [period], transactions, contacts;
- wide: one row per date and service, one column per channel — date, service, [measure],
  [period], then a column named after each channel.
Accepted mess: UTF-8 with or without a BOM or Windows-1252; comma or semicolon; dd/mm/yyyy, ISO
or Excel-serial dates; thousands separators; blank lines; totals rows (skipped and reported).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

PERIODS = ("day", "week", "month")
MEASURES = {
    "transactions": "transactions",
    "transaction": "transactions",
    "contacts": "contacts",
    "contact": "contacts",
    "starts": "starts",
    "digital starts": "starts",
    "started": "starts",
}
DATE_HEADERS = ("date", "period start", "period_start", "week commencing", "month", "day")
COUNT_HEADERS = ("count", "volume", "total")
TOTAL_WORDS = ("total", "totals", "grand total", "cyfanswm")
EXCEL_EPOCH = date(1899, 12, 30)
MAX_ERRORS = 1000
THOUSANDS = re.compile(r"^\d{1,3}([,  ]\d{3})+$|^\d{1,3}(\.\d{3})+$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


class RawVolume(NamedTuple):
    """A count as the file states it; names not yet matched to the catalogue. (A NamedTuple:
    a file can hold millions.)"""

    line: int
    period_start: date
    period: str
    service: str
    channel: str
    measure: str
    number: int


@dataclass
class ReadResult:
    layout: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[RawVolume] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    skipped_totals: list[int] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def error(self, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, printable(column), printable(message)))
        else:
            self.errors[-1] = RowError(line, "", "…and more problems; fix these first.")


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    """Text safe to store and show: control characters as "?", lone surrogates replaced.
    (Errors quote what the file said, and a file can say anything.)"""
    return CONTROL.sub("?", text).encode("utf-8", "replace").decode("utf-8")


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def records_from_csv(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def records_from_xlsx(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(v) for v in row]
    book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class DateReader:
    """Dates as councils' exports write them, with the answers cached: files repeat dates."""

    def __init__(self) -> None:
        self.cache: dict[str, date] = {}

    def __call__(self, text: str) -> date:
        if text in self.cache:
            return self.cache[text]
        value = text.strip()
        parsed: date | None = None
        if value.isdigit() and 20000 <= int(value) <= 80000:
            parsed = EXCEL_EPOCH + timedelta(days=int(value))
        else:
            for fmt in (
                "%Y-%m-%d",
                "%d/%m/%Y",
                "%d-%m-%Y",
                "%d.%m.%Y",
                "%d/%m/%y",
                "%Y-%m",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
            ):
                try:
                    parsed = datetime.strptime(value, fmt).date()
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise ValueError(f"'{text}' is not a date: use dd/mm/yyyy, yyyy-mm-dd or an Excel date")
        if not date(1900, 1, 1) <= parsed <= date(2999, 12, 31):
            raise ValueError(f"'{text}' is not a date between 1900 and 2999")
        self.cache[text] = parsed
        return parsed


def parse_count(text: str) -> int:
    if text.isdigit():
        return int(text)
    value = text.strip().replace("\u00a0", " ")
    if THOUSANDS.match(value):
        value = re.sub(r"[,. ]", "", value)
    if not value.isdigit():
        if value.startswith("-") and value[1:].replace(",", "").isdigit():
            raise ValueError(f"'{text}' is negative: a count cannot be below 0")
        raise ValueError(f"'{text}' is not a whole number")
    return int(value)


def period_start_for(day: date, period: str) -> date:
    """Months start on the 1st (a monthly figure dated any day of March is March's); weeks must
    start on a Monday, since weeks starting on other days cannot be added up with ours."""
    if period == "month":
        return day.replace(day=1)
    if period == "week" and day.weekday() != 0:
        raise ValueError(
            f"weekly figures must be dated on the Monday their week starts; "
            f"{day:%d/%m/%Y} is a {day:%A}"
        )
    return day


def _find(header: list[str], names: Iterable[str]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def read_volumes(
    records: Iterable[tuple[int, list[str]]],
    *,
    default_period: str = "day",
    default_measure: str = "transactions",
    preview_rows: int = 10,
) -> ReadResult:
    """Read every record into RawVolumes, or errors naming the line and column."""
    result = ReadResult()
    iterator = iter(records)
    header_line, raw_header = next(
        ((n, r) for n, r in iterator if any(v.strip() for v in r)), (1, [])
    )
    if not raw_header:
        result.error(1, "", "The file is empty.")
        return result
    header = [h.strip().lower().replace("\n", " ") for h in raw_header]
    result.header = [h.strip() for h in raw_header]
    date_i = _find(header, DATE_HEADERS)
    service_i = _find(header, ("service", "service name"))
    channel_i = _find(header, ("channel",))
    count_i = _find(header, COUNT_HEADERS)
    measure_i = _find(header, ("measure",))
    period_i = _find(header, ("period",))
    missing = [name for name, i in (("date", date_i), ("service", service_i)) if i is None]
    if missing:
        result.error(
            header_line,
            ", ".join(missing),
            "The header row needs a column called " + " and ".join(missing) + ".",
        )
        return result
    assert date_i is not None and service_i is not None  # noqa: S101 - narrowed just above
    used = {
        i for i in (date_i, service_i, channel_i, count_i, measure_i, period_i) if i is not None
    }
    measure_columns = [
        (i, MEASURES[h]) for i, h in enumerate(header) if h in MEASURES and i not in used
    ]
    if channel_i is not None and count_i is None and measure_columns and measure_i is None:
        # Long, with a column per measure: date, service, channel, transactions, contacts.
        result.layout = "measures"
        channel_columns = [(i, raw_header[i].strip()) for i, _ in measure_columns]
    elif channel_i is not None and count_i is not None:
        result.layout = "long"
        channel_columns = []
    else:
        result.layout = "wide"
        channel_columns = [
            (i, raw_header[i].strip()) for i in range(len(header)) if i not in used and header[i]
        ]
        if not channel_columns:
            result.error(
                header_line,
                "",
                "No count column and no channel columns: add a "
                "'channel' and a 'count' column, or one column per channel.",
            )
            return result
    result.columns = {"date": raw_header[date_i].strip(), "service": raw_header[service_i].strip()}
    if result.layout == "long":
        result.columns["channel"] = raw_header[channel_i or 0].strip()
        result.columns["count"] = raw_header[count_i or 0].strip()
    elif result.layout == "measures":
        result.columns["channel"] = raw_header[channel_i or 0].strip()
        result.columns["measures"] = ", ".join(name for _, name in channel_columns)
    else:
        result.columns["channels"] = ", ".join(name for _, name in channel_columns)

    read_date = DateReader()
    width = len(header)
    blank = [""] * width
    # Columns the file does not have read as the defaults, decided once, not on every line.
    fixed_period = default_period if period_i is None else ""
    fixed_measure = MEASURES.get(default_measure) if measure_i is None else None
    long_layout = result.layout == "long"
    for line, raw_values in iterator:
        if not "".join(raw_values).strip():
            continue
        if len(result.preview) < preview_rows:
            result.preview.append(raw_values)
        values = raw_values + blank[len(raw_values) :] if len(raw_values) < width else raw_values
        date_text, service = values[date_i].strip(), values[service_i].strip()
        if (
            (date_text[:1].isalpha() and date_text.lower().startswith(TOTAL_WORDS))
            or (service[:1] in "GgTtCc" and service.lower() in TOTAL_WORDS)
            or (not date_text and not service)
        ):
            result.skipped_totals.append(line)
            continue
        result.rows_read += 1
        errors_before = len(result.errors)
        try:
            day = read_date(date_text)
        except ValueError as exc:
            result.error(line, result.columns["date"], str(exc))
            continue
        period = fixed_period or (values[period_i or 0].strip().lower() or default_period)
        if period not in PERIODS:
            result.error(line, "period", f"'{period}' is not a period: use day, week or month.")
            continue
        measure_text = "" if fixed_measure else values[measure_i or 0].strip().lower()
        measure = fixed_measure or MEASURES.get(measure_text or default_measure)
        if measure is None:
            result.error(
                line,
                "measure",
                f"'{measure_text}' is not a measure: use transactions, contacts or starts.",
            )
            continue
        try:
            start = day if period == "day" else period_start_for(day, period)
        except ValueError as exc:
            result.error(line, result.columns["date"], str(exc))
            continue
        if not service:
            result.error(line, result.columns["service"], "The service is empty.")
            continue
        if long_layout:
            channel = values[channel_i or 0].strip()
            if not channel:
                result.error(line, result.columns["channel"], "The channel is empty.")
                continue
            try:
                count = parse_count(values[count_i or 0].strip())
            except ValueError as exc:
                result.error(line, result.columns["count"], str(exc))
                continue
            result.rows.append(RawVolume(line, start, period, service, channel, measure, count))
        else:
            cells: list[RawVolume] = []
            by_measure = result.layout == "measures"
            line_channel = values[channel_i or 0].strip() if by_measure else ""
            if by_measure and not line_channel:
                result.error(line, result.columns["channel"], "The channel is empty.")
                continue
            for i, name in channel_columns:
                text = values[i].strip()
                if text in ("", "-", "–"):
                    continue  # no figure for this channel (or measure)
                channel, cell_measure = (
                    (line_channel, MEASURES[name.lower()]) if by_measure else (name, measure)
                )
                try:
                    number = parse_count(text)
                except ValueError as exc:
                    result.error(line, name, str(exc))
                    continue
                cells.append(RawVolume(line, start, period, service, channel, cell_measure, number))
            if len(result.errors) == errors_before:  # a line is taken whole or not at all
                result.rows.extend(cells)
    if result.rows_read == 0 and not result.errors:
        result.error(header_line + 1, "", "The file has a header row but no figures.")
    return result


class Resolved(NamedTuple):
    line: int
    service_id: int
    channel_id: int
    period_start: date
    period: str
    measure: str
    number: int


def resolve_names(
    rows: list[RawVolume],
    *,
    services: dict[str, int],
    channels: dict[str, int],
    result: ReadResult,
) -> tuple[list[Resolved], set[str], set[str]]:
    """Match names (lower-cased) to ids; unknown names become errors and are returned too, so a
    person can map them. The same figure twice in one file is an error, not a sum."""
    resolved: list[Resolved] = []
    unknown_services: set[str] = set()
    unknown_channels: set[str] = set()
    seen: dict[tuple[int, int, date, str, str], int] = {}
    # Names repeat on every line; look each spelling up once.
    service_ids = {name: services.get(name.lower()) for name in {r.service for r in rows}}
    channel_ids = {name: channels.get(name.lower()) for name in {r.channel for r in rows}}
    for row in rows:
        service_id = service_ids[row.service]
        channel_id = channel_ids[row.channel]
        if service_id is None:
            unknown_services.add(row.service)
            result.error(
                row.line,
                "service",
                f"No service called '{row.service}': add it to the catalogue or match it to one.",
            )
        if channel_id is None:
            unknown_channels.add(row.channel)
            result.error(
                row.line,
                "channel",
                f"No channel called '{row.channel}': add it or match it to one.",
            )
        if service_id is None or channel_id is None:
            continue
        key = (service_id, channel_id, row.period_start, row.period, row.measure)
        if key in seen:
            result.error(
                row.line,
                "",
                f"The same figure is also on line {seen[key]}: "
                f"{row.service}, {row.channel}, {row.period_start:%d/%m/%Y}.",
            )
            continue
        seen[key] = row.line
        resolved.append(
            Resolved(
                row.line,
                service_id,
                channel_id,
                row.period_start,
                row.period,
                row.measure,
                row.number,
            )
        )
    return resolved, unknown_services, unknown_channels

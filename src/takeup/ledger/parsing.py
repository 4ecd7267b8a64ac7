"""Reading volume files. Pure: bytes (or a file on disk, read a piece at a time) in, rows with
line numbers and line-numbered errors out.

Three layouts, each a configuration of the same reader:
- long: one count a row — date, service, channel, [measure], [period], count;
- long with a column per measure — date, service, channel, [period], transactions, contacts;
- wide: one row per date and service, one column per channel — date, service, [measure],
  [period], then a column named after each channel.
Accepted mess: UTF-8 with or without a BOM or Windows-1252; comma or semicolon; dd/mm/yyyy, ISO
or Excel-serial dates; thousands separators; blank lines; totals rows (skipped and reported).

A file can hold millions of rows, so nothing here holds it whole: a CSV is read from its stream a
piece at a time, and the rows read are kept as columns of machine integers (`Rows`), about 30
bytes a row, not as millions of Python objects.
"""

import codecs
import csv
import hashlib
import io
import re
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple, overload

from .header import MEASURE_COLUMNS, Header
from .header import find as header_find
from .header import missing_message as missing_header
from .names import normalise
from .profile import Profile

PERIODS = ("day", "week", "month")
PERIOD_CODES = {p: i for i, p in enumerate(PERIODS)}
MEASURES = MEASURE_COLUMNS  # their measure names → ours, before any mapping
# Cells that mean zero in a wide file: exports write nothing, a dash or "n/a" for none.
EMPTY_CELLS = ("", "-", "–", "n/a")
TOTAL_WORDS = ("total", "totals", "grand total", "cyfanswm")
EXCEL_EPOCH = date(1899, 12, 30)
MAX_ERRORS = 1000
MAX_XLSX_UNPACKED = 300_000_000
MAX_COUNT = 10**12  # a trillion transactions: above it, a figure is a mistake (and would overflow)
MAX_COLUMNS = 200  # a table of figures is never wider; a wider file is refused, not read slowly
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


class Rows:
    """RawVolumes kept as columns: a row is seven machine integers, its names numbers into the
    distinct names seen (a file repeats a few names millions of times). Reads back as RawVolumes
    (indexing, iterating), and hands its columns to numpy whole (`columns`)."""

    __slots__ = (
        "_channel_index",
        "_measure_index",
        "_service_index",
        "channel_names",
        "channels",
        "days",
        "lines",
        "measure_names",
        "measures",
        "numbers",
        "periods",
        "service_names",
        "services",
    )

    def __init__(self) -> None:
        self.lines = array("q")
        self.days = array("i")  # date.toordinal()
        self.periods = array("b")  # index into PERIODS
        self.services = array("i")  # index into service_names
        self.channels = array("i")
        self.measures = array("b")
        self.numbers = array("q")
        self.service_names: list[str] = []
        self.channel_names: list[str] = []
        self.measure_names: list[str] = []
        self._service_index: dict[str, int] = {}
        self._channel_index: dict[str, int] = {}
        self._measure_index: dict[str, int] = {}

    def add(
        self,
        line: int,
        day: int,
        period: int,
        service: str,
        channel: str,
        measure: str,
        number: int,
    ) -> None:
        """One row: `day` an ordinal, `period` an index into PERIODS."""
        s = self._service_index.get(service)
        if s is None:
            s = self._service_index[service] = len(self.service_names)
            self.service_names.append(service)
        c = self._channel_index.get(channel)
        if c is None:
            c = self._channel_index[channel] = len(self.channel_names)
            self.channel_names.append(channel)
        m = self._measure_index.get(measure)
        if m is None:
            m = self._measure_index[measure] = len(self.measure_names)
            self.measure_names.append(measure)
        self.lines.append(line)
        self.days.append(day)
        self.periods.append(period)
        self.services.append(s)
        self.channels.append(c)
        self.measures.append(m)
        self.numbers.append(number)

    def append(self, row: RawVolume) -> None:
        self.add(
            row.line,
            row.period_start.toordinal(),
            PERIODS.index(row.period),
            row.service,
            row.channel,
            row.measure,
            row.number,
        )

    def extend(self, rows: Iterable[RawVolume]) -> None:
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return len(self.lines)

    def _row(self, i: int) -> RawVolume:
        return RawVolume(
            self.lines[i],
            date.fromordinal(self.days[i]),
            PERIODS[self.periods[i]],
            self.service_names[self.services[i]],
            self.channel_names[self.channels[i]],
            self.measure_names[self.measures[i]],
            self.numbers[i],
        )

    @overload
    def __getitem__(self, index: int) -> RawVolume: ...
    @overload
    def __getitem__(self, index: slice) -> list[RawVolume]: ...
    def __getitem__(self, index: int | slice) -> RawVolume | list[RawVolume]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(len(self))[index]]
        return self._row(range(len(self))[index])

    def __iter__(self) -> Iterator[RawVolume]:
        return (self._row(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Rows: {len(self):,}>"


@dataclass
class ReadResult:
    layout: str = ""
    header: list[str] = field(default_factory=list)
    header_line: int = 0
    skipped_lines: list[tuple[int, str]] = field(default_factory=list)  # above the header
    refused: str = ""  # a file-level refusal: the file as a whole cannot be read
    period_from_default: bool = False  # neither the file nor the profile said the period
    unknown_measures: set[str] = field(default_factory=set)
    bad_lines: set[int] = field(default_factory=set)
    rows: Rows = field(default_factory=Rows)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    skipped_totals: list[int] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said once about the file, not refusals

    def refuse(self, message: str) -> None:
        """The whole file is refused, with one message and no line count."""
        self.refused = printable(message)
        self.bad_lines.add(0)
        self.errors.append(RowError(0, "", self.refused))

    def error(self, line: int, column: str, message: str) -> None:
        self.bad_lines.add(line)  # every bad line, even past the errors kept
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, printable(column), printable(message)))
        else:
            self.errors[-1] = RowError(line, "", "…and more problems; fix these first.")


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    """Text safe to store and show: control characters as "?", lone surrogates replaced.
    (Errors quote what the file said, and a file can say anything.)"""
    return CONTROL.sub("?", text).encode("utf-8", "replace").decode("utf-8")


NOT_TABLES = (
    ((b"<!doctype html", b"<html", b"<?xml", b"<head"), "an HTML or XML page"),
    ((b"%pdf",), "a PDF"),
    ((b"\x89png", b"\xff\xd8\xff", b"gif8", b"riff"), "an image"),
)


def not_a_table(data: bytes) -> str | None:
    """What the file looks like when it is plainly not a table, else None."""
    start = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for marks, what in NOT_TABLES:
        if start.startswith(marks):
            return (
                f"This looks like {what}, not a table of figures: export the report as CSV "
                "or as an Excel workbook (.xlsx), and import that."
            )
    return None


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# A file to read: its bytes, or where it is on disk (read a piece at a time), or an open binary
# stream that can seek.
FileInput = bytes | Path | IO[bytes]
CHUNK = 1 << 20


@contextmanager
def opened(file: FileInput) -> Iterator[IO[bytes]]:
    """The file as a binary stream at its start; closed after if it was opened here."""
    if isinstance(file, bytes | bytearray | memoryview):
        yield io.BytesIO(file)
    elif isinstance(file, Path):
        with file.open("rb") as stream:
            yield stream
    else:
        file.seek(0)
        yield file


def head(file: FileInput, size: int = 65_536) -> bytes:
    """The first `size` bytes."""
    if isinstance(file, bytes):
        return file[:size]
    with opened(file) as stream:
        return stream.read(size)


def sha256(file: FileInput) -> str:
    if isinstance(file, bytes):
        return hashlib.sha256(file).hexdigest()
    digest = hashlib.sha256()
    with opened(file) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def size_of(file: FileInput) -> int:
    if isinstance(file, bytes):
        return len(file)
    with opened(file) as stream:
        return stream.seek(0, io.SEEK_END)


def encoding_of(stream: IO[bytes]) -> str:
    """utf-8-sig if the whole stream is UTF-8 (checked a piece at a time), else cp1252, as
    decode() does with the whole file; the stream is left at its start."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    stream.seek(0)
    try:
        first = stream.read(CHUNK)
        if len(first) < 3:  # the incremental decoder takes b"\xef" for the start of a BOM
            first.decode("utf-8-sig")
        decoder.decode(first)
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def delimiter_of(stream: IO[bytes], encoding: str) -> str:
    """';' when the first line that is not blank has more semicolons than commas, else ','.
    Reads only as far as that line; the stream is left at its start."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text, size, first = "", 65_536, ""
    while True:
        chunk = stream.read(size)
        text += decoder.decode(chunk, final=not chunk)
        lines = text.splitlines()
        complete = lines[:-1] if chunk else lines  # the last may go on in the next piece
        found = next((line for line in complete if line.strip()), None)
        if found is not None or not chunk:
            first = found or ""
            break
        size *= 2
    stream.seek(0)
    return ";" if first.count(";") > first.count(",") else ","


def records_from_csv(file: FileInput) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV, with the line each starts on, read a piece at a time."""
    with opened(file) as stream:
        encoding = encoding_of(stream)
        delimiter = delimiter_of(stream, encoding)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        try:
            reader = csv.reader(text, delimiter=delimiter)
            start = 1
            for values in reader:
                yield start, values
                start = reader.line_num + 1
        finally:
            text.detach()  # the stream is closed by its owner, not by the wrapper


def records_from_xlsx(
    data: FileInput, sheet: str | int | None = None, profile: Profile | None = None
) -> Iterator[tuple[int, list[str]]]:
    """The rows of one sheet: the one named (by name, or position from 1), else the first sheet
    with a header on it (a workbook often opens on a "Notes" sheet)."""
    from openpyxl import load_workbook

    # openpyxl reads the workbook from disk as it goes; given a file name it would also insist
    # on an Excel extension, so it is given the open file.
    with opened(data) as stream:
        _refuse_bombs(stream)
        book = load_workbook(stream, read_only=True, data_only=True)
        try:
            chosen = _sheet(book, sheet, profile or Profile())
            for number, row in enumerate(
                chosen.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1
            ):
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1]:  # read-only sheets pad rows to the widest
                    cells.pop()
                yield number, cells
        finally:
            book.close()


def _refuse_bombs(data: FileInput) -> None:
    """A workbook is a zip of XML: refuse one that would unpack to far more than any table of
    figures needs, before openpyxl unpacks it (a few MB can hold gigabytes of XML)."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as book:
        unpacked = sum(member.file_size for member in book.infolist())
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValueError(
            f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, more than the "
            f"{MAX_XLSX_UNPACKED / 1e6:,.0f} MB a table of figures needs: save the sheet with "
            "the figures as CSV"
        )


def _sheet(book: Any, sheet: str | int | None, profile: Profile) -> Any:
    names = book.sheetnames
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise ValueError(f"the workbook has {len(names)} sheets, so there is no sheet {sheet}")
        return book[names[sheet - 1]]
    if sheet:
        match = next((n for n in names if normalise(n) == normalise(sheet)), None)
        if match is None:
            raise ValueError(f"no sheet called '{sheet}': the sheets are {', '.join(names)}")
        return book[match]
    for name in names:
        rows = book[name].iter_rows(values_only=True, max_row=30, max_col=MAX_COLUMNS + 1)
        lines = ((n, [_cell_text(v) for v in row]) for n, row in enumerate(rows, start=1))
        if header_find(lines, profile)[0] is not None:
            return book[name]
    return book[names[0]]


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


DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%Y-%m",
    "%Y%m%d",  # GA4
    "%d-%b-%Y",  # 01-Mar-2024
    "%d-%b-%y",  # 04-Mar-24 (20xx)
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
# 03/13/2024: a month of 13 means the date is month first, which is never guessed.
MONTH_FIRST = re.compile(r"^\d{1,2}/(1[3-9]|2\d|3[01])/\d{2,4}$")


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
            for fmt in DATE_FORMATS:
                try:
                    parsed = datetime.strptime(value, fmt).date()
                    break
                except ValueError:
                    continue
        if parsed is None:
            if MONTH_FIRST.match(value):
                raise ValueError(
                    f"'{text}' is written month first: write dates day first (dd/mm/yyyy)"
                )
            raise ValueError(f"'{text}' is not a date: use dd/mm/yyyy, yyyy-mm-dd or an Excel date")
        if not date(1900, 1, 1) <= parsed <= date(2999, 12, 31):
            raise ValueError(f"'{text}' is not a date between 1900 and 2999")
        self.cache[text] = parsed
        return parsed


# 57.0, 1,204.00 or 1.204,00: one or two zero decimals (three would be a thousands group).
ZERO_FRACTION = re.compile(r"^(?P<whole>[\d,  ]+)\.0{1,2}$|^(?P<euro>[\d.  ]+),0{1,2}$")


def parse_count(text: str) -> int:
    """A whole number of at least 0, as exports write them: 1,204 or 1.204.567 or 1 204, and
    57.0 or 1,204.00 (a decimal with a zero fraction, as finance exports write counts)."""
    if text.isdigit() and len(text) < 13:  # the common case, quickly
        return int(text)
    value = text.strip().replace("\u00a0", " ")
    if value.startswith("(") and value.endswith(")") and value[1:-1].replace(",", "").isdigit():
        raise ValueError(f"'{text}' is negative (in brackets): a count cannot be below 0")
    zero = ZERO_FRACTION.match(value)
    if zero:
        value = zero.group("whole") or zero.group("euro")
    if THOUSANDS.match(value):
        value = re.sub(r"[,. ]", "", value)
    if not value.isdigit():
        if value.startswith("-") and value[1:].replace(",", "").isdigit():
            raise ValueError(f"'{text}' is negative: a count cannot be below 0")
        raise ValueError(f"'{text}' is not a whole number")
    if len(value) > 13 or int(value) > MAX_COUNT:
        raise ValueError(f"'{text}' is more than a count can be ({MAX_COUNT:,})")
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


def _is_total(date_text: str, service: str) -> bool:
    return (date_text[:1].isalpha() and date_text.lower().startswith(TOTAL_WORDS)) or (
        service[:1] in "GgTtCc" and service.lower() in TOTAL_WORDS
    )


@dataclass
class _Reading:
    """What read_volumes settled before the first data line: the header and the constants."""

    header: Header
    period: str  # from the profile or the import; "" when the file has a period column
    measure: str | None  # None when the file has a measure column
    service: str
    channel: str
    measures: dict[str, str]
    default_measure: str


def read_volumes(
    records: Iterable[tuple[int, list[str]]],
    *,
    default_period: str = "day",
    default_measure: str = "transactions",
    preview_rows: int = 10,
    profile: Profile | None = None,
    measure_names: dict[str, str] | None = None,
) -> ReadResult:
    """Read every record into RawVolumes, or errors naming the line and column. `measure_names`
    holds the source's own measure names (normalised) → ours."""
    profile = profile or Profile()
    result = ReadResult()
    iterator = iter(records)
    header, looked = header_find(iterator, profile)
    if header is None:
        if not looked:
            result.refuse("The file is empty.")
        else:
            result.refuse(missing_header(looked, profile))
        return result
    if len(header.raw) > MAX_COLUMNS:
        result.refuse(
            f"The header has {len(header.raw):,} columns; a table of figures has at most "
            f"{MAX_COLUMNS}. Export only the columns with the figures."
        )
        return result
    result.header = [h.strip() for h in header.raw]
    result.header_line = header.line
    result.skipped_lines = header.skipped
    result.layout = header.layout
    result.columns = {f: header.raw[i].strip() for f, i in header.fields.items()}
    result.columns.update({f"always {k}": v for k, v in profile.constants.items()})
    if header.value_columns:
        name = "measures" if header.layout == "measures" else "channels"
        result.columns[name] = ", ".join(n for _, n in header.value_columns)
    measures = {**MEASURES, **(measure_names or {})}
    constant_measure = profile.constants.get("measure")
    period = profile.constants.get("period") or profile.grain or default_period
    result.period_from_default = not (
        "period" in header.fields or profile.constants.get("period") or profile.grain
    )
    reading = _Reading(
        header=header,
        period="" if "period" in header.fields else period,
        measure=None
        if "measure" in header.fields
        else measures.get(normalise(constant_measure or default_measure)),
        service=profile.constants.get("service", ""),
        channel=profile.constants.get("channel", ""),
        measures=measures,
        default_measure=default_measure,
    )
    if reading.measure is None and "measure" not in header.fields:
        result.refuse(
            f"'{constant_measure}' is not a measure: use transactions, contacts, starts or visits."
        )
        return result
    if reading.period and reading.period not in PERIODS:
        result.refuse(f"'{reading.period}' is not a period: use day, week or month.")
        return result
    read_date = DateReader()
    width = len(header.raw)
    blank = [""] * width
    for line, raw_values in iterator:
        if not "".join(raw_values).strip() or raw_values[0].lstrip().startswith("#"):
            continue
        if len(result.preview) < preview_rows:
            result.preview.append(raw_values)
        values = raw_values + blank[len(raw_values) :] if len(raw_values) < width else raw_values
        _read_line(result, reading, line, values, read_date)
    if result.rows_read == 0 and not result.errors:
        result.refuse(
            "The file has a header row but no figures: refused, so that it cannot wipe out a "
            "period's figures."
        )
    return result


def _cell(values: list[str], header: Header, field_name: str) -> str:
    index = header.fields.get(field_name)
    return "" if index is None else values[index].strip()


def _read_line(
    result: ReadResult, reading: _Reading, line: int, values: list[str], read_date: "DateReader"
) -> None:
    header = reading.header
    date_text = _cell(values, header, "date")
    service = reading.service or _cell(values, header, "service")
    if _is_total(date_text, service) or (not date_text and not service):
        result.skipped_totals.append(line)
        return
    result.rows_read += 1
    columns = result.columns
    try:
        day = read_date(date_text)
    except ValueError as exc:
        result.error(line, columns["date"], str(exc))
        return
    period = reading.period or (_cell(values, header, "period").lower() or "day")
    if period not in PERIODS:
        result.error(line, "period", f"'{period}' is not a period: use day, week or month.")
        return
    measure = reading.measure
    if measure is None:
        text = _cell(values, header, "measure")
        measure = reading.measures.get(normalise(text or reading.default_measure))
        if measure is None:
            result.unknown_measures.add(text)
            result.error(
                line,
                columns["measure"],
                f"'{text}' is not a measure: use transactions, contacts, starts or visits, or "
                "map it to one.",
            )
            return
    try:
        start = day if period == "day" else period_start_for(day, period)
    except ValueError as exc:
        result.error(line, columns["date"], str(exc))
        return
    if not service:
        result.error(line, columns.get("service", "service"), "The service is empty.")
        return
    channel = reading.channel or _cell(values, header, "channel")
    if header.layout == "long":
        if not channel:
            result.error(line, columns.get("channel", "channel"), "The channel is empty.")
            return
        try:
            count = parse_count(_cell(values, header, "count"))
        except ValueError as exc:
            result.error(line, columns["count"], str(exc))
            return
        result.rows.add(
            line, start.toordinal(), PERIOD_CODES[period], service, channel, measure, count
        )
        return
    if header.layout == "measures" and not channel:
        result.error(line, columns.get("channel", "channel"), "The channel is empty.")
        return
    cells: list[tuple[int, int, int, str, str, str, int]] = []
    bad: list[str] = []
    day_number, period_code = start.toordinal(), PERIOD_CODES[period]
    for i, name in header.value_columns:
        text = values[i].strip()
        try:
            number = 0 if text.lower() in EMPTY_CELLS else parse_count(text)
        except ValueError as exc:
            bad.append(f"{name}: {exc}")
            continue
        if header.layout == "measures":
            if text.lower() in EMPTY_CELLS:
                continue  # no figure for this measure
            measure_name = MEASURE_COLUMNS[normalise(name)]
            cells.append((line, day_number, period_code, service, channel, measure_name, number))
        else:
            cells.append((line, day_number, period_code, service, name, measure, number))
    if bad:  # one error for the line, naming every bad cell; the line is taken whole or not
        result.error(line, ", ".join(b.split(":")[0] for b in bad), "; ".join(bad))
        return
    for cell in cells:
        result.rows.add(*cell)

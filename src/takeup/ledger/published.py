"""Reading published performance data as its publishers wrote it. Pure: text in, figures and
line-numbered errors out. The files and their quirks are described in ../shared/data/README.md.

Three built-in profiles:
- `govuk-transactions-explorer`: GOV.UK's transactions explorer, either as its working
  spreadsheet (`services.csv`: labels such as `2017-Q4 Vol.`, true quarterly columns) or as its
  public download (`transaction-volumes.csv`: periods spelled out, "April 2011 to March 2012");
- `opg-performance`: the Office of the Public Guardian's monthly JSON records.

What these files publish is kept as itself (PublishedFigure), never as volumes:
- a `<label> Vol.` is a rolling 12-month total, so two of them overlap and are never summed;
- a missing figure (`-` or blank) is no figure, not a zero;
- a spreadsheet error (`#REF!`) in a column that is read is rejected and reported;
- digital transactions above all transactions for the same period are a conflict: neither is
  imported, and the line says so;
- a percentage must lie between 0 and 100, an answer count must be a whole number."""

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .names import normalise

PROFILES = ("govuk-transactions-explorer", "opg-performance")
PROFILE_SOURCES = {
    "govuk-transactions-explorer": "GOV.UK transactions explorer",
    "opg-performance": "OPG performance data",
}
SPREADSHEET_ERRORS = ("#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
NO_FIGURE = ("", "-", "–", "n/a")
MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
VOLUME_KINDS = ("transactions", "digital_transactions")
PERCENT_KINDS = ("satisfaction_percent", "take_up_percent", "uptime_percent")
ANSWER_KINDS = ("very_dissatisfied", "dissatisfied", "neither", "satisfied", "very_satisfied")
# OPG's services, by the slug its records use, and the dataType names it writes.
OPG_SERVICES = {
    "deputy-reporting": "Complete the deputy report",
    "make-a-lpa": "Make a lasting power of attorney",
    "use-an-lpa": "Use a lasting power of attorney",
}
OPG_KINDS = {
    "user-satisfaction-percent": "satisfaction_percent",
    "digital-take-up": "take_up_percent",
    "uptime-percent": "uptime_percent",
    **{kind.replace("_", "-"): kind for kind in ANSWER_KINDS},
}


@dataclass(frozen=True)
class Figure:
    line: int
    service: str  # as the file writes it, with its spaces trimmed
    group: str  # the department, for the catalogue's service area
    kind: str
    period_end: date  # the last day covered
    months: int
    value: Decimal


@dataclass
class PublishedReading:
    profile: str
    figures: list[Figure] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, message
    notes: list[str] = field(default_factory=list)
    refused: str = ""
    lines: int = 0  # data lines (or records) read

    @property
    def services(self) -> dict[str, str]:
        """Each service's name (first spelling seen) → its group, keyed by normalised name."""
        found: dict[str, tuple[str, str]] = {}
        for figure in self.figures:
            found.setdefault(normalise(figure.service), (figure.service, figure.group))
        return dict(found.values())


def month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def span_label(period_end: date, months: int) -> str:
    """'12 months ending Sep 2017', 'Jul to Sep 2017', 'Apr 2026'."""
    if months == 1:
        return f"{period_end:%b %Y}"
    start = _months_after(period_end, -months + 1)
    if months == 3:
        return f"{start:%b} to {period_end:%b %Y}"
    return f"{months} months ending {period_end:%b %Y}"


# --- cells ---------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _number(text: str, *, whole: bool) -> Decimal | None:
    """A published number, or None where the file has no figure."""
    cell = text.strip()
    if cell.lower() in NO_FIGURE:
        return None
    if cell.upper() in SPREADSHEET_ERRORS or cell.startswith("#"):
        raise CellError(f"'{cell}' is a spreadsheet error, not a figure")
    try:
        value = Decimal(cell.replace(",", ""))
    except InvalidOperation:
        raise CellError(f"'{cell}' is not a number") from None
    if not value.is_finite():
        raise CellError(f"'{cell}' is not a number")
    if value < 0:
        raise CellError(f"'{cell}' is negative")
    if whole and value != value.to_integral_value():
        raise CellError(f"'{cell}' is not a whole number")
    if value >= 10**14:
        raise CellError(f"'{cell}' is too large to be a real figure")
    return value


# --- GOV.UK transactions explorer ------------------------------------------------------------

# services.csv: "<year>-Q<n> <measure>" holds the 12 months ending with the quarter before the
# label ("2013-Q1" is calendar 2012), except the first label, "2012-Q4", which holds April 2011
# to March 2012 (checked against the public download, which spells the periods out).
LABEL = re.compile(r"^(\d{4})-Q([1-4]) (Vol\.|Digital vol\.|CPT \(£\)|Digital CPT \(£\))$")
LABEL_KINDS = {
    "Vol.": "transactions",
    "Digital vol.": "digital_transactions",
    "CPT (£)": "cost_per_transaction",
    "Digital CPT (£)": "digital_cost_per_transaction",
}
FIRST_LABEL_END = {(2012, 4): date(2012, 3, 31)}
QUARTER = re.compile(
    r"^(Total|Digital) transactions\s+(Jan|Apr|Jul|Oct) - (Mar|Jun|Sep|Dec) (\d{4})$"
)
# transaction-volumes.csv: "April 2011 to March 2012: volume".
SPELLED = re.compile(
    r"^([A-Za-z]+) (\d{4}) to ([A-Za-z]+) (\d{4}): "
    r"(volume|digital volume|cost per transaction \(£\))$"
)
SPELLED_KINDS = {
    "volume": "transactions",
    "digital volume": "digital_transactions",
    "cost per transaction (£)": "cost_per_transaction",
}
NAME_COLUMNS = ("Name of service",)
GROUP_COLUMNS = ("Department",)


@dataclass(frozen=True)
class _Column:
    index: int
    title: str
    kind: str
    period_end: date
    months: int


def _label_column(index: int, title: str) -> _Column | None:
    found = LABEL.match(title)
    if found:
        year, quarter = int(found[1]), int(found[2])
        end = FIRST_LABEL_END.get((year, quarter)) or _months_after(
            date(year, 3 * (quarter - 1) + 1, 1), -1
        )
        return _Column(index, title, LABEL_KINDS[found[3]], end, 12)
    found = QUARTER.match(title)
    if found:
        kind = "transactions" if found[1] == "Total" else "digital_transactions"
        end_month = MONTHS[
            {"Mar": "march", "Jun": "june", "Sep": "september", "Dec": "december"}[found[3]]
        ]
        return _Column(index, title, kind, month_end(int(found[4]), end_month), 3)
    return None


def _spelled_columns(header: list[str], notes: list[str]) -> tuple[list[_Column], list[str]]:
    """The spelled-out periods, each checked against its neighbours: a label that does not span
    12 months is read as the 12 months its neighbours imply, if they agree, and said so."""
    parsed: list[tuple[int, str, str, date | None, date | None]] = []
    for index, title in enumerate(header):
        found = SPELLED.match(title.strip())
        if not found:
            continue
        first, last = MONTHS.get(found[1].lower()), MONTHS.get(found[3].lower())
        start = date(int(found[2]), first, 1) if first else None
        end = month_end(int(found[4]), last) if last else None
        parsed.append((index, title, SPELLED_KINDS[found[5]], start, end))
    periods = sorted({(s, e) for _, _, _, s, e in parsed if s and e}, key=lambda se: se[0])
    good_ends = sorted(e for s, e in periods if _months_after(s, 11) == e)
    columns: list[_Column] = []
    problems: list[str] = []
    said: set[str] = set()
    for index, title, kind, start, end in parsed:
        if start and end and _months_after(start, 11) == end:
            columns.append(_Column(index, title, kind, end, 12))
            continue
        implied = _months_after(start, 11) if start else None
        before = [e for e in good_ends if implied and e < implied]
        after = [e for e in good_ends if implied and e > implied]
        if (
            implied
            and before
            and after
            and _months_after(before[-1], 3) == implied
            and _months_after(after[0], -3) == implied
        ):
            columns.append(_Column(index, title, kind, implied, 12))
            label = title.split(":")[0]
            if label not in said:
                said.add(label)
                notes.append(
                    f"The column heading '{label}' spans more than 12 months; it was read as "
                    f"the 12 months ending {implied:%B %Y}, which its neighbours (ending "
                    f"{before[-1]:%B %Y} and {after[0]:%B %Y}) imply."
                )
        else:
            problems.append(title)
    return columns, problems


def read_transactions_explorer(text: str) -> PublishedReading:
    reading = PublishedReading(profile="govuk-transactions-explorer")
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(rows, None)
    if not header:
        reading.refused = "The file is empty."
        return reading
    titles = [title.strip() for title in header]
    if not any(t in titles for t in NAME_COLUMNS) or not any(t in titles for t in GROUP_COLUMNS):
        reading.refused = (
            "This is not a GOV.UK transactions explorer file: it needs the columns "
            "'Department' and 'Name of service'."
        )
        return reading
    columns = [c for i, t in enumerate(header) if (c := _label_column(i, t.strip()))]
    spelled, problems = _spelled_columns(header, reading.notes)
    columns += spelled
    if problems:
        reading.refused = (
            "These column headings name periods that are not 12 months and that their "
            f"neighbours do not explain: {', '.join(problems[:5])}."
        )
        return reading
    if not columns:
        reading.refused = (
            "No column holds figures this profile reads: it expects headings such as "
            "'2017-Q4 Vol.' or 'April 2011 to March 2012: volume'."
        )
        return reading
    name_at, group_at = titles.index("Name of service"), titles.index("Department")
    read = {c.index for c in columns}
    unread_errors: Counter[str] = Counter()
    for line, row in _numbered(rows):
        reading.lines += 1
        cells = row + [""] * (len(header) - len(row))
        name = " ".join(cells[name_at].split())
        if not name:
            if any(cells[c.index].strip() for c in columns):
                reading.errors.append((line, "Name of service", "The service has no name."))
            continue
        for index, cell in enumerate(cells[: len(header)]):
            if index not in read and cell.strip().upper() in SPREADSHEET_ERRORS:
                unread_errors[header[index].strip() or f"column {index + 1}"] += 1
        _read_row(reading, line, name, cells[group_at].strip(), cells, columns)
    if unread_errors:
        reading.notes.append(
            "Spreadsheet errors in working columns that are not imported: "
            + "; ".join(f"{n} ({k} cells)" for n, k in sorted(unread_errors.items()))
            + "."
        )
    return reading


def _numbered(rows: Iterable[list[str]]) -> Iterable[tuple[int, list[str]]]:
    """Rows with the file line each begins on (quoted cells may hold line breaks)."""
    line = 2
    for row in rows:
        yield line, row
        line += 1 + sum(cell.count("\n") for cell in row)


def _read_row(
    reading: PublishedReading,
    line: int,
    name: str,
    group: str,
    cells: list[str],
    columns: list[_Column],
) -> None:
    found: dict[tuple[str, date, int], Figure] = {}
    for column in columns:
        try:
            value = _number(cells[column.index], whole=column.kind in VOLUME_KINDS)
        except CellError as exc:
            reading.errors.append((line, column.title, f"{exc}: not imported."))
            continue
        if value is None:
            continue
        figure = Figure(line, name, group, column.kind, column.period_end, column.months, value)
        found[(column.kind, column.period_end, column.months)] = figure
    for (kind, end, months), digital in list(found.items()):
        if kind != "digital_transactions":
            continue
        total = found.get(("transactions", end, months))
        if total is not None and digital.value > total.value:
            reading.errors.append(
                (
                    line,
                    span_label(end, months),
                    f"'{name}': {digital.value:,} digital transactions is more than the "
                    f"{total.value:,} transactions in all channels for "
                    f"{span_label(end, months)}; neither figure was imported.",
                )
            )
            del found[(kind, end, months)], found[("transactions", end, months)]
    reading.figures.extend(found.values())


# --- OPG performance data ---------------------------------------------------------------------


def read_opg(text: str) -> PublishedReading:
    reading = PublishedReading(profile="opg-performance")
    try:
        records = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        reading.refused = f"This is not JSON: {exc.msg} at line {exc.lineno}."
        return reading
    if not isinstance(records, list):
        reading.refused = "The file should be a JSON array of records."
        return reading
    if not records:
        reading.refused = "The file holds no records: refused, so that it cannot wipe a period."
        return reading
    strings: Counter[tuple[str, str]] = Counter()
    for number, record in enumerate(records, start=1):
        reading.lines += 1
        figure = _opg_record(reading, number, record, strings)
        if figure is not None:
            reading.figures.append(figure)
    for (service, kind), n in sorted(strings.items()):
        reading.notes.append(
            f"{service}, {kind}: {n} figure{'s' if n != 1 else ''} written as text were read "
            "as numbers."
        )
    return reading


def _opg_record(
    reading: PublishedReading, number: int, record: Any, strings: Counter[tuple[str, str]]
) -> Figure | None:
    def fail(column: str, message: str) -> None:
        reading.errors.append((number, column, message))

    if not isinstance(record, dict):
        fail("", f"Record {number} is not an object.")
        return None
    data_type = str(record.get("dataType", record.get("datatype", "")))
    kind = OPG_KINDS.get(data_type)
    if kind is None:
        fail("dataType", f"Record {number}: unknown dataType '{data_type}'.")
        return None
    if record.get("period") != "month":
        fail("period", f"Record {number}: period '{record.get('period')}' is not 'month'.")
        return None
    try:
        start = date.fromisoformat(str(record.get("_timestamp", ""))[:10])
    except ValueError:
        fail("_timestamp", f"Record {number}: '{record.get('_timestamp')}' is not a date.")
        return None
    if start.day != 1:
        fail("_timestamp", f"Record {number}: a month should start on the 1st, not {start}.")
        return None
    slug = str(record.get("service", ""))
    name = OPG_SERVICES.get(slug, slug)
    if not name:
        fail("service", f"Record {number} names no service.")
        return None
    count = record.get("count")
    if isinstance(count, bool) or not isinstance(count, int | float | str):
        fail("count", f"Record {number}: count {count!r} is not a number.")
        return None
    try:
        value = _number(str(count), whole=kind in ANSWER_KINDS)
    except CellError as exc:
        fail("count", f"Record {number} ({data_type}, {start:%b %Y}): {exc}.")
        return None
    if value is None:
        fail("count", f"Record {number} ({data_type}, {start:%b %Y}) has no count.")
        return None
    if kind in PERCENT_KINDS and value > 100:
        fail("count", f"Record {number} ({data_type}, {start:%b %Y}): {value} is above 100%.")
        return None
    if isinstance(count, str):
        strings[(name, data_type)] += 1
    return Figure(
        number,
        name,
        "Office of the Public Guardian",
        kind,
        month_end(start.year, start.month),
        1,
        value,
    )


def read(profile: str, text: str) -> PublishedReading:
    if profile == "opg-performance":
        return read_opg(text)
    return read_transactions_explorer(text)


# --- satisfaction: which definition a published figure follows -------------------------------

SCORES = dict(zip(ANSWER_KINDS, (0, 25, 50, 75, 100), strict=True))


@dataclass(frozen=True)
class SatisfactionMonth:
    month: date  # the month's last day
    published: Decimal | None
    answers: int
    mean_score: float | None  # the old performance platform's: answers scored 0, 25 … 100
    share: float | None  # GDS: the share satisfied or very satisfied
    follows: str  # "mean", "share", "both", "neither" or "" (no answers to check against)
    break_before: bool = False  # the definition changed from the month before


def satisfaction_months(
    figures: dict[str, dict[date, Decimal]], tolerance: float = 0.5
) -> list[SatisfactionMonth]:
    """Each month's published satisfaction beside what its answer counts give under both
    definitions, which one it follows, and where the series changes from one to the other."""
    published = figures.get("satisfaction_percent", {})
    months = sorted(set(published) | {m for k in ANSWER_KINDS for m in figures.get(k, {})})
    rows: list[SatisfactionMonth] = []
    last = ""
    for month in months:
        counts = {k: int(figures.get(k, {}).get(month, 0)) for k in ANSWER_KINDS}
        total = sum(counts.values())
        mean = sum(SCORES[k] * n for k, n in counts.items()) / total if total else None
        share = 100 * (counts["satisfied"] + counts["very_satisfied"]) / total if total else None
        value = published.get(month)
        follows = ""
        if value is not None and mean is not None and share is not None:
            near_mean = abs(float(value) - mean) <= tolerance
            near_share = abs(float(value) - share) <= tolerance
            follows = {
                (True, True): "both",
                (True, False): "mean",
                (False, True): "share",
                (False, False): "neither",
            }[(near_mean, near_share)]
        changed = follows in ("mean", "share") and last in ("mean", "share") and follows != last
        if follows in ("mean", "share"):
            last = follows
        rows.append(SatisfactionMonth(month, value, total, mean, share, follows, changed))
    return rows

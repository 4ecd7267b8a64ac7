"""Web visits from the analytics tools councils use: Matomo, Plausible and Google Analytics 4.
Pure: an export's bytes in, the records `parsing.read_volumes` reads out.

Each reader turns its export into page visits (a date, a page's path, a number of visits and,
where the export has one, a device class). `by_service` then puts each path under a service
with the source's page rules (the longest prefix wins, as for the exit survey) and adds up the
visits per day and service, into long-layout records: date, period, service, channel (Web),
measure (visits), count. Paths no rule matches are counted, not refused line by line."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from takeup.core.pages import best_match

from .names import normalise

KINDS = ("matomo", "plausible", "ga4")
NAMES = {"matomo": "Matomo", "plausible": "Plausible", "ga4": "Google Analytics 4"}
MAX_DEPTH = 20  # Matomo nests a subtable per folder of the site; deeper is not a website
SEARCH_LINES = 30
TOTALS = ("total", "grand total")
DETECT_BYTES = 65_536  # a CSV's header is in its first lines: a big file is not decoded twice
HEADER = ["date", "period", "service", "channel", "measure", "count"]

GA4_PAGE = ("page path and screen class", "page path", "page path + query string")
GA4_VISITS = ("sessions", "views")


class AnalyticsError(ValueError):
    """The export cannot be read; the message says how to export it instead."""


@dataclass(frozen=True)
class PageVisits:
    """Visits to one page on one day, as the export states them."""

    line: int
    day: str  # as the export writes it: parsing.read_volumes reads the date
    path: str
    visits: str
    device: str = ""


@dataclass(frozen=True)
class Mapped:
    """The records for read_volumes, and what no page rule matched."""

    records: list[tuple[int, list[str]]]
    unmatched_visits: int
    unmatched_pages: int
    pages: int  # distinct paths in the export


def kind_of(data: bytes) -> str | None:
    """Which analytics export this is (matomo, plausible or ga4), or None for any other file.
    JSON is known by its shape, CSV by its header."""
    start = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        try:
            return _json_kind(json.loads(data.decode("utf-8-sig")))
        except (ValueError, UnicodeDecodeError):
            return None
    header = _csv_header(data[:DETECT_BYTES])
    return None if header is None else header[0]


def _json_kind(doc: Any) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return "plausible"
    if isinstance(doc, list) and all(isinstance(r, dict) and "label" in r for r in doc):
        return "matomo"
    if (
        isinstance(doc, dict)
        and doc
        and all(isinstance(v, list) for v in doc.values())
        and all(isinstance(r, dict) and "label" in r for v in doc.values() for r in v)
    ):
        return "matomo"
    return None


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = data.decode("utf-8-sig", errors="replace")
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for values in reader:
        if any(v.strip() for v in values) and not values[0].lstrip().startswith("#"):
            yield line, values
        line = reader.line_num + 1


def _csv_header(data: bytes) -> tuple[str, int, dict[str, int]] | None:
    """(kind, header line, normalised column name → index) of an analytics CSV, or None."""
    for n, (line, values) in enumerate(_csv_rows(data)):
        if n >= SEARCH_LINES:
            return None
        names = {normalise(v): i for i, v in reversed(list(enumerate(values)))}
        has_page = any(p in names for p in GA4_PAGE)
        if "date" in names and has_page and any(v in names for v in GA4_VISITS):
            return "ga4", line, names
        if "label" in names and "nb_visits" in names:
            return "matomo", line, names
        if "visitors" in names and ("name" in names or "page" in names or "date" in names):
            return "plausible", line, names
    return None


def read(kind: str, data: bytes) -> list[PageVisits]:
    """The page visits in an export of this kind."""
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        doc = json.loads(data.decode("utf-8-sig"))
        return matomo_json(doc) if kind == "matomo" else plausible_json(doc)
    return _from_csv(data)


# Matomo: Actions.getPageUrls --------------------------------------------------------------


def matomo_json(doc: Any) -> list[PageVisits]:
    """The Reporting API's JSON: with `period=day&date=FROM,TO` an object keyed by date, each
    a list of rows (`label`, `url`, `nb_visits`, and a `subtable` of the folder's pages when
    expanded). A folder's own figure is its pages' total, so only the pages are counted."""
    if isinstance(doc, list):
        raise AnalyticsError(
            "Matomo's report has no dates: ask for one figure a day "
            "(&period=day&date=2026-03-01,2026-03-31), which keys the report by date."
        )
    out: list[PageVisits] = []
    for day, rows in doc.items():
        _matomo_rows(out, str(day), rows, "", 0)
    return out


def _matomo_rows(out: list[PageVisits], day: str, rows: list[Any], parent: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise AnalyticsError("Matomo's report nests folders more deeply than any website does.")
    for row in rows:
        if not isinstance(row, dict):
            raise AnalyticsError("A row of Matomo's report is not an object with a label.")
        path = _matomo_path(row, parent)
        if isinstance(row.get("subtable"), list):
            _matomo_rows(out, day, row["subtable"], path, depth + 1)
        else:
            out.append(PageVisits(len(out) + 1, day, path, str(row.get("nb_visits", ""))))


def _matomo_path(row: dict[str, Any], parent: str) -> str:
    url = row.get("url")
    if isinstance(url, str) and url:
        return page_path(url)
    label = str(row.get("label", "")).strip().strip("/")
    return f"{parent.rstrip('/')}/{label}"


# Plausible: Stats API v2 ------------------------------------------------------------------


def plausible_json(doc: dict[str, Any]) -> list[PageVisits]:
    """`{"results": [{"dimensions": [page, day], "metrics": [n]}], "query": {...}}`: the query
    says which dimension and metric is which (event:page, time:day, visit:device; visits or
    visitors)."""
    query = doc.get("query") or {}
    dimensions = list(query.get("dimensions") or ["event:page", "time:day"])
    metrics = list(query.get("metrics") or ["visitors"])
    if "event:page" not in dimensions or "time:day" not in dimensions:
        raise AnalyticsError(
            "Plausible's results need the dimensions event:page and time:day, so that each "
            "figure has its page and its day."
        )
    metric = "visits" if "visits" in metrics else "visitors"
    if metric not in metrics:
        raise AnalyticsError("Plausible's results need the metric visits or visitors.")
    page, day, value = (
        dimensions.index("event:page"),
        dimensions.index("time:day"),
        metrics.index(metric),
    )
    device = dimensions.index("visit:device") if "visit:device" in dimensions else None
    out = []
    for n, result in enumerate(doc["results"], start=1):
        try:
            dims, mets = result["dimensions"], result["metrics"]
            out.append(
                PageVisits(
                    n,
                    str(dims[day])[:10],
                    page_path(str(dims[page])),
                    str(mets[value]),
                    "" if device is None else str(dims[device]),
                )
            )
        except (KeyError, IndexError, TypeError) as exc:
            raise AnalyticsError(
                f"Result {n} of Plausible's results lacks its dimensions or metrics."
            ) from exc
    return out


# CSV exports: GA4, Matomo, Plausible -------------------------------------------------------


def _from_csv(data: bytes) -> list[PageVisits]:
    found = _csv_header(data)
    if found is None:
        raise AnalyticsError("No analytics header found.")
    kind, header_line, names = found

    def column(*choices: str) -> int | None:
        return next((names[c] for c in choices if c in names), None)

    day = column("date", "day")
    page = column(*GA4_PAGE, "url", "label", "page", "name")
    if kind == "ga4":
        visits = column(*GA4_VISITS)
    elif kind == "matomo":
        visits = column("nb_visits")
    else:
        visits = column("visits", "visitors")
    device = column("device category", "device")
    if day is None:
        raise AnalyticsError(
            "The export has no date column: export one figure a day (Matomo: period day over "
            "a date range; Plausible: visitors.csv, or pages with a date), so that each figure "
            "has its day."
        )
    out = []
    for line, values in _csv_rows(data):
        if line <= header_line:
            continue
        cells = values + [""] * (len(names) + 1 - len(values))
        if not cells[day].strip() or cells[day].strip().lower().startswith(TOTALS):
            continue  # a totals row (GA4 writes one with no date): the pages are counted already
        path = "/" if page is None else page_path(cells[page].strip())  # site-wide: visitors.csv
        out.append(
            PageVisits(
                line,
                cells[day].strip(),
                path,
                cells[visits].strip() if visits is not None else "",
                "" if device is None else cells[device].strip(),
            )
        )
    return out


def page_path(address: str) -> str:
    """A page's path without its query string or fragment: "https://x/bins?a=1" → "/bins"."""
    if "://" in address:
        address = urlsplit(address).path or "/"
    address = address.split("?", 1)[0].split("#", 1)[0]
    return address if address.startswith("/") else f"/{address}"


# Page rules --------------------------------------------------------------------------------


def by_service(visits: Iterable[PageVisits], rules: Iterable[tuple[str, str]]) -> Mapped:
    """Visits added up per day and service, as long-layout records of Web visits. A count that
    is not a whole number is passed on alone, so that read_volumes rejects its line."""
    rules = list(rules)
    totals: dict[tuple[str, str], list[int]] = {}  # (day, service) → [first line, visits]
    passed: list[tuple[int, list[str]]] = []
    unmatched_visits, unmatched, pages = 0, set(), set()
    for visit in visits:
        pages.add(visit.path)
        service = best_match(visit.path, rules)
        number = visit.visits.replace(",", "")
        if service is None:
            unmatched.add(visit.path)
            unmatched_visits += int(number) if number.isdigit() else 0
            continue
        if not number.isdigit():
            passed.append((visit.line, [visit.day, "day", service, "Web", "visits", visit.visits]))
            continue
        key = (visit.day, service)
        if key in totals:
            totals[key][1] += int(number)
        else:
            totals[key] = [visit.line, int(number)]
    rows = [
        (line, [day, "day", service, "Web", "visits", str(count)])
        for (day, service), (line, count) in totals.items()
    ]
    records = [(0, HEADER), *sorted(rows + passed, key=lambda r: r[0])]
    return Mapped(records, unmatched_visits, len(unmatched), len(pages))

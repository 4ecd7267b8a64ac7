"""Matching a file's names to the catalogue, and what to say about what does not match. Pure.

The reader (parsing.py) gives rows with names as the file wrote them; here they become ids, or
errors a person can act on: one per line, grouped over lines for reading, with "did you mean …?"
and a hint when a wrong encoding lost characters."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from .names import normalise, unknown_message
from .parsing import PERIODS, RawVolume, ReadResult, Rows


class Resolved(NamedTuple):
    line: int
    service_id: int
    channel_id: int
    period_start: date
    period: str
    measure: str
    number: int


Ints = npt.NDArray[np.integer[Any]]


class ResolvedRows:
    """Resolved rows kept as numpy columns (a file can hold millions); reads back as Resolved
    (indexing, iterating). Days are ordinals, periods indexes into PERIODS, measures indexes
    into `measure_names`."""

    def __init__(
        self,
        lines: Ints,
        service_ids: Ints,
        channel_ids: Ints,
        days: Ints,
        periods: Ints,
        measures: Ints,
        numbers: Ints,
        measure_names: list[str],
    ) -> None:
        self.lines, self.service_ids, self.channel_ids = lines, service_ids, channel_ids
        self.days, self.periods, self.measures, self.numbers = days, periods, measures, numbers
        self.measure_names = measure_names

    @classmethod
    def empty(cls) -> "ResolvedRows":
        return cls(
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            np.empty(0, np.int32),
            np.empty(0, np.int8),
            np.empty(0, np.int8),
            np.empty(0, np.int64),
            [],
        )

    def where(self, mask: npt.NDArray[np.bool_]) -> "ResolvedRows":
        """The rows the mask keeps."""
        if mask.all():
            return self
        return ResolvedRows(
            self.lines[mask],
            self.service_ids[mask],
            self.channel_ids[mask],
            self.days[mask],
            self.periods[mask],
            self.measures[mask],
            self.numbers[mask],
            self.measure_names,
        )

    def without_lines(self, lines: set[int]) -> "ResolvedRows":
        if not lines or not len(self):
            return self
        return self.where(~np.isin(self.lines, np.fromiter(lines, np.int64, len(lines))))

    def __len__(self) -> int:
        return len(self.lines)

    def __bool__(self) -> bool:
        return len(self.lines) > 0

    def _row(self, i: int) -> Resolved:
        return Resolved(
            int(self.lines[i]),
            int(self.service_ids[i]),
            int(self.channel_ids[i]),
            date.fromordinal(int(self.days[i])),
            PERIODS[int(self.periods[i])],
            self.measure_names[int(self.measures[i])],
            int(self.numbers[i]),
        )

    @overload
    def __getitem__(self, index: int) -> Resolved: ...
    @overload
    def __getitem__(self, index: slice) -> list[Resolved]: ...
    def __getitem__(self, index: int | slice) -> Resolved | list[Resolved]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(len(self))[index]]
        return self._row(range(len(self))[index])

    def __iter__(self) -> Iterator[Resolved]:
        return (self._row(i) for i in range(len(self)))

    def line_count(self) -> int:
        """How many lines the rows come from."""
        return int(np.unique(self.lines).size)

    def first_day(self) -> date:
        return date.fromordinal(int(self.days.min()))

    def last_day(self) -> date:
        return date.fromordinal(int(self.days.max()))

    def service_id_set(self) -> set[int]:
        return set(np.unique(self.service_ids).tolist())

    def period_set(self) -> set[str]:
        return {PERIODS[p] for p in np.unique(self.periods).tolist()}

    def keys(self) -> list[tuple[int, int, date, str, str]]:
        """The distinct (service id, channel id, period start, period, measure), sorted."""
        columns = (self.service_ids, self.channel_ids, self.days, self.periods, self.measures)
        table = np.unique(np.stack([np.asarray(c, np.int64) for c in columns], axis=1), axis=0)
        names = self.measure_names
        return sorted(
            (s, c, date.fromordinal(d), PERIODS[p], names[m]) for s, c, d, p, m in table.tolist()
        )

    def volume_rows(
        self, organisation_id: int, source_id: int, batch_id: int, rank: int, chunk: int = 5000
    ) -> Iterator[tuple[Any, ...]]:
        """The rows as services.VOLUME_COLUMNS, counted, made a chunk at a time from the
        columns."""
        days: dict[int, date] = {}
        measures = self.measure_names
        for start in range(0, len(self), chunk):
            part = slice(start, start + chunk)
            for s, c, d, p, m, n in zip(
                self.service_ids[part].tolist(),
                self.channel_ids[part].tolist(),
                self.days[part].tolist(),
                self.periods[part].tolist(),
                self.measures[part].tolist(),
                self.numbers[part].tolist(),
                strict=True,
            ):
                day = days.get(d)
                if day is None:
                    day = days[d] = date.fromordinal(d)
                period, measure = PERIODS[p], measures[m]
                yield (
                    organisation_id,
                    s,
                    c,
                    day,
                    period,
                    measure,
                    n,
                    source_id,
                    batch_id,
                    rank,
                    True,
                )


@dataclass(frozen=True)
class Catalogue:
    """What names can match: normalised names, slugs and remembered mappings → ids, and the
    catalogue's own names for "did you mean …?"."""

    services: dict[str, int]
    channels: dict[str, int]
    service_names: tuple[str, ...] = ()
    channel_names: tuple[str, ...] = ()


def _as_rows(rows: Rows | Iterable[RawVolume]) -> Rows:
    if isinstance(rows, Rows):
        return rows
    kept = Rows()
    kept.extend(rows)
    return kept


def _column(values: Any, dtype: Any) -> Any:
    return np.frombuffer(values, dtype=dtype) if len(values) else np.empty(0, dtype)


def resolve_names(
    rows: Rows | Iterable[RawVolume], *, catalogue: Catalogue, result: ReadResult
) -> tuple[ResolvedRows, set[str], set[str]]:
    """Match names (normalised) to ids; unknown names become errors, one per line however many
    names on it are unknown, and are returned too, so a person can map them. The same figure
    twice in one file is an error, not a sum. The matching is done on whole columns; only the
    rows with a problem are looked at one by one."""
    kept = _as_rows(rows)
    # Names repeat on every line; look each spelling up once.
    service_lut = np.array(
        [catalogue.services.get(normalise(n), -1) for n in kept.service_names] or [-1], np.int64
    )
    channel_lut = np.array(
        [catalogue.channels.get(normalise(n), -1) for n in kept.channel_names] or [-1], np.int64
    )
    # Ids as 32-bit integers where they fit (they always do but in theory): half the memory.
    if max(int(service_lut.max()), int(channel_lut.max())) < 2**31:
        service_lut, channel_lut = service_lut.astype(np.int32), channel_lut.astype(np.int32)
    lines = _column(kept.lines, np.int64)
    service_ids = service_lut[_column(kept.services, np.int32)]
    channel_ids = channel_lut[_column(kept.channels, np.int32)]
    days = _column(kept.days, np.int32)
    periods = _column(kept.periods, np.int8)
    measures = _column(kept.measures, np.int8)
    known = (service_ids >= 0) & (channel_ids >= 0)
    all_known = bool(known.all())
    known_rows = np.arange(len(known)) if all_known else np.flatnonzero(known)
    parts = (service_ids, channel_ids, days, periods, measures)
    first_of = _duplicates(*(parts if all_known else [p[known_rows] for p in parts]))
    duplicate = dict(
        zip(
            known_rows[first_of[0]].tolist(),
            lines[known_rows[first_of[1]]].tolist(),
            strict=True,
        )
    )
    problem_rows = np.union1d(np.flatnonzero(~known), known_rows[first_of[0]])
    unknown_services: set[str] = set()
    unknown_channels: set[str] = set()
    messages: dict[tuple[str, str], str] = {}

    def unknown(kind: str, name: str) -> str:
        found = messages.get((kind, name))
        if found is None:
            names = catalogue.service_names if kind == "service" else catalogue.channel_names
            found = messages[(kind, name)] = unknown_message(kind, name, names)
        return found

    problems: dict[int, dict[str, str]] = {}  # line → {column: message}
    for i in problem_rows.tolist():
        row = kept[i]
        service_id, channel_id = int(service_ids[i]), int(channel_ids[i])
        if service_id < 0:
            unknown_services.add(row.service)
            problems.setdefault(row.line, {})["service"] = unknown("service", row.service)
        if channel_id < 0:
            unknown_channels.add(row.channel)
            problems.setdefault(row.line, {})[row.channel] = unknown("channel", row.channel)
        if service_id < 0 or channel_id < 0:
            continue
        problems.setdefault(row.line, {})[""] = (
            f"The same figure is also on line {duplicate[i]}: "
            f"{row.service}, {row.channel}, {row.period_start:%d/%m/%Y}."
        )
    for line, found in problems.items():
        columns = [c if c == "service" else "channel" if c else "" for c in found]
        result.error(
            line, ", ".join(dict.fromkeys(c for c in columns if c)), " ".join(found.values())
        )
    del known_rows
    resolved = ResolvedRows(
        lines,
        service_ids,
        channel_ids,
        days,
        periods,
        measures,
        _column(kept.numbers, np.int64),
        list(kept.measure_names),
    )
    if problem_rows.size:  # else every row is good, and the columns are taken as they are
        good = known
        good[problem_rows] = False
        resolved = resolved.where(good)
    return resolved, unknown_services, unknown_channels


def _duplicates(*columns: Any) -> tuple[Any, Any]:
    """Of rows keyed by these integer columns: the positions of the rows whose key an earlier
    row has, and for each the position of that earliest row."""
    size = len(columns[0])
    if size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # One integer a key when the key's parts fit in 63 bits (almost always); else sort on all.
    bounds = [(int(column.min()), int(column.max())) for column in columns]
    span = 1
    for low, high in bounds:
        span *= high - low + 1
    if span < 2**63:
        packed = np.zeros(size, np.int64)
        for column, (low, high) in zip(columns, bounds, strict=True):
            packed *= high - low + 1
            packed += np.subtract(column, low, dtype=np.int64)
        order = np.argsort(packed, kind="stable")
        ordered = packed[order]
        same = np.empty(size, np.bool_)
        same[0] = False
        np.equal(ordered[1:], ordered[:-1], out=same[1:])
        del packed, ordered
    else:
        order = np.lexsort((np.arange(size), *reversed(columns)))
        same = np.zeros(size, np.bool_)
        same[1:] = True
        for column in columns:
            ordered = column[order]
            same[1:] &= ordered[1:] == ordered[:-1]
    later = np.flatnonzero(same)
    if not later.size:
        return later, later
    starts = np.where(same, 0, np.arange(size))
    np.maximum.accumulate(starts, out=starts)
    return order[later], order[starts[later]]


def grain_problem(rows: Rows | Iterable[RawVolume]) -> str:
    """Why daily figures look like another grain: every date the 1st of a month, or the dates
    exactly a week apart. "" when they look daily."""
    if isinstance(rows, Rows):
        daily = _column(rows.days, np.int32)[_column(rows.periods, np.int8) == 0]
        days = [date.fromordinal(d) for d in np.unique(daily).tolist()]
    else:
        days = sorted({r.period_start for r in rows if r.period == "day"})
    if len(days) >= 2 and all(d.day == 1 for d in days):
        grain, option = "monthly", "month"
    elif len(days) >= 3 and all((b - a).days == 7 for a, b in pairwise(days)):
        grain, option = "weekly", "week"
    else:
        return ""
    return (
        f"The dates look {grain} ({days[0]:%d/%m/%Y}, {days[1]:%d/%m/%Y}, …), but the figures "
        f"would be stored as single days. Nothing was stored. Say the grain: --period {option} "
        f"on the command line, “{option.capitalize()}” on the upload page, or in the source's "
        f"profile (takeup source set NAME --grain {option})."
    )


def group_errors(errors: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Errors for people: one entry per message, with the lines it was on written as ranges
    ("lines 2–3, 5–57"), in the order the messages first appear. A file-level refusal (line 0)
    has no lines."""
    lines: dict[tuple[str, str], list[int]] = {}
    for e in errors:
        lines.setdefault((str(e["column"]), str(e["message"])), []).append(int(e["line"]))
    return [(_ranges(found), column, message) for (column, message), found in lines.items()]


def _ranges(lines: list[int], shown: int = 6) -> str:
    numbers = sorted(set(n for n in lines if n))
    if not numbers:
        return ""
    spans: list[tuple[int, int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    words = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans[:shown]]
    more = f" and {len(spans) - shown} more" if len(spans) > shown else ""
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(words) + more

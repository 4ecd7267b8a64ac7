"""Matching a file's names to the catalogue, and what to say about what does not match. Pure.

The reader (parsing.py) gives rows with names as the file wrote them; here they become ids, or
errors a person can act on: one per line, grouped over lines for reading, with "did you mean …?"
and a hint when a wrong encoding lost characters."""

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, NamedTuple

from .names import normalise, unknown_message
from .parsing import RawVolume, ReadResult


class Resolved(NamedTuple):
    line: int
    service_id: int
    channel_id: int
    period_start: date
    period: str
    measure: str
    number: int


@dataclass(frozen=True)
class Catalogue:
    """What names can match: normalised names, slugs and remembered mappings → ids, and the
    catalogue's own names for "did you mean …?"."""

    services: dict[str, int]
    channels: dict[str, int]
    service_names: tuple[str, ...] = ()
    channel_names: tuple[str, ...] = ()


def resolve_names(
    rows: list[RawVolume], *, catalogue: Catalogue, result: ReadResult
) -> tuple[list[Resolved], set[str], set[str]]:
    """Match names (normalised) to ids; unknown names become errors, one per line however many
    names on it are unknown, and are returned too, so a person can map them. The same figure
    twice in one file is an error, not a sum."""
    resolved: list[Resolved] = []
    unknown_services: set[str] = set()
    unknown_channels: set[str] = set()
    seen: dict[tuple[int, int, date, str, str], int] = {}
    # Names repeat on every line; look each spelling up once.
    service_ids = {n: catalogue.services.get(normalise(n)) for n in {r.service for r in rows}}
    channel_ids = {n: catalogue.channels.get(normalise(n)) for n in {r.channel for r in rows}}
    problems: dict[int, dict[str, str]] = {}  # line → {column: message}
    for row in rows:
        service_id = service_ids[row.service]
        channel_id = channel_ids[row.channel]
        if service_id is None:
            unknown_services.add(row.service)
            problems.setdefault(row.line, {})["service"] = unknown_message(
                "service", row.service, catalogue.service_names
            )
        if channel_id is None:
            unknown_channels.add(row.channel)
            problems.setdefault(row.line, {})[row.channel] = unknown_message(
                "channel", row.channel, catalogue.channel_names
            )
        if service_id is None or channel_id is None:
            continue
        key = (service_id, channel_id, row.period_start, row.period, row.measure)
        if key in seen:
            problems.setdefault(row.line, {})[""] = (
                f"The same figure is also on line {seen[key]}: "
                f"{row.service}, {row.channel}, {row.period_start:%d/%m/%Y}."
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
    for line, found in problems.items():
        columns = [c if c == "service" else "channel" if c else "" for c in found]
        result.error(
            line, ", ".join(dict.fromkeys(c for c in columns if c)), " ".join(found.values())
        )
    return resolved, unknown_services, unknown_channels


def grain_problem(rows: list[RawVolume]) -> str:
    """Why daily figures look like another grain: every date the 1st of a month, or the dates
    exactly a week apart. "" when they look daily."""
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

"""Finding the header of a volume file and what each column means. Pure.

Exports put titles, report parameters, comment lines (GA4's "#") and blank lines above the
header. The header is the line the source's profile names or, by default, the first line that,
once mapped, has the columns a layout needs. Columns are known by their usual names (date,
service, channel, count…) or by the profile's mapping ("ACD Calls" is the count)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .names import normalise
from .profile import Profile

# Our field → the names a column usually has.
USUAL = {
    "date": ("date", "period start", "period_start", "week commencing", "month", "day"),
    "service": ("service", "service name"),
    "channel": ("channel",),
    "count": ("count", "volume", "total"),
    "measure": ("measure",),
    "period": ("period",),
}
MEASURE_COLUMNS = {
    "transactions": "transactions",
    "transaction": "transactions",
    "contacts": "contacts",
    "contact": "contacts",
    "starts": "starts",
    "digital starts": "starts",
    "started": "starts",
    "visits": "visits",
    "sessions": "visits",
}
SEARCH_LINES = 30  # a header further down than this is not looked for


@dataclass
class Header:
    """The header line and what its columns mean."""

    line: int
    raw: list[str]
    fields: dict[str, int]  # our field → column index
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why) above it
    layout: str = ""  # long, measures or wide
    value_columns: list[tuple[int, str]] = field(default_factory=list)  # channels or measures


def _columns(raw: list[str], profile: Profile) -> dict[str, int]:
    names = [normalise(h.replace("\n", " ")) for h in raw]
    found: dict[str, int] = {}
    for field_name, theirs in profile.columns.items():
        key = normalise(theirs)
        if key in names:
            found[field_name] = names.index(key)
    for field_name, usual in USUAL.items():
        if field_name in found or field_name in profile.constants:
            continue
        taken = set(found.values())
        index = next(
            (names.index(u) for u in usual if u in names and names.index(u) not in taken), None
        )
        if index is not None:
            found[field_name] = index
    return found


def reading(raw: list[str], line: int, profile: Profile) -> Header | None:
    """How this line reads as a header, or None if it lacks what every layout needs."""
    fields = _columns(raw, profile)
    has_service = "service" in fields or "service" in profile.constants
    if "date" not in fields or not has_service:
        return None
    used = set(fields.values())
    others = [(i, raw[i].strip()) for i in range(len(raw)) if i not in used and raw[i].strip()]
    has_channel = "channel" in fields or "channel" in profile.constants
    header = Header(line, raw, fields)
    measures = [(i, name) for i, name in others if normalise(name) in MEASURE_COLUMNS]
    if has_channel and "count" in fields:
        header.layout = "long"
    elif has_channel and measures and "measure" not in fields:
        header.layout, header.value_columns = "measures", measures
    elif not has_channel and others:
        header.layout, header.value_columns = "wide", others
    else:
        return None
    return header


def find(
    records: Iterator[tuple[int, list[str]]], profile: Profile
) -> tuple[Header | None, list[tuple[int, list[str]]]]:
    """The header, and the lines read past it that are data (to be read before the rest). When
    none is found: None and the lines looked at, for the message."""
    looked: list[tuple[int, list[str]]] = []
    skipped: list[tuple[int, str]] = []
    for line, raw in records:
        if not any(v.strip() for v in raw):
            continue
        looked.append((line, raw))
        if raw[0].lstrip().startswith("#"):
            skipped.append((line, "comment"))
            continue
        wanted = profile.header_line is None or line == profile.header_line
        header = reading(raw, line, profile) if wanted else None
        if header is not None:
            header.skipped = skipped
            return header, []
        skipped.append((line, "title"))
        if len(looked) >= SEARCH_LINES or (profile.header_line and line > profile.header_line):
            break
    return None, looked


def missing_message(looked: Iterable[tuple[int, list[str]]], profile: Profile) -> str:
    """Why no header was found, naming the lines that were looked at."""
    lines = [n for n, _ in looked]
    if profile.header_line:
        where = f"line {profile.header_line} (the profile's header line) does not have"
    elif len(lines) > 1:
        where = f"none of lines {lines[0]}–{lines[-1]} has"
    else:
        where = "no line has"
    return (
        f"No header found: {where} the columns date and service (and a channel and a count, "
        "or a column per channel). Say which line is the header, or which of its columns are "
        "which, in the source's profile: under “How this source's files are laid out” on the "
        "upload page, or with takeup source set NAME --header-line N --column date=THEIR_NAME."
    )

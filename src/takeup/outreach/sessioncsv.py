"""A day's sessions from CSV. Pure: bytes and the organisation's names in, sessions and
line-numbered errors out.

One row for each person helped. Rows that share a `session` value are one session, and must agree
on its place, date, length, kind and champions. Columns (any order, names case-insensitive):
session, place, date, minutes — required; kind, people, champions (names split by `;`), age_band,
motivation, service (its slug), confidence (1 to 5), completed, referred_to — optional. A group
session may give `people` larger than its rows: everyone who came, fewer of them recorded.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from takeup.catalogue.csvimport import RowError, read_records
from takeup.core.text import parse_date

REQUIRED = ("session", "place", "date", "minutes")
OPTIONAL = (
    "kind",
    "people",
    "champions",
    "age_band",
    "motivation",
    "service",
    "confidence",
    "completed",
    "referred_to",
)
KINDS = {"one_to_one": "one_to_one", "one-to-one": "one_to_one", "1:1": "one_to_one"}
KINDS |= {"group": "group"}
AGE_BANDS = ("under-25", "25-44", "45-59", "60-74", "75-plus", "not-say")
MOTIVATIONS = ("saving-money", "keeping-in-touch", "interests", "council-services", "other")
COMPLETED = ("yes", "partly", "no", "not-asked")
MAX_SESSIONS = 500
T = TypeVar("T")


@dataclass(frozen=True)
class PersonRow:
    age_band: str
    motivation: str
    service: int | None
    confidence: int | None
    completed: str
    referred_to: str


@dataclass
class SessionRow:
    line: int
    label: str
    place: int
    held_on: date
    minutes: int
    kind: str
    champions: tuple[int, ...]
    people: int | None = None
    helped: list[PersonRow] = field(default_factory=list)

    @property
    def head_count(self) -> int:
        return max(self.people or 0, len(self.helped), 1)


@dataclass(frozen=True)
class ParsedSessions:
    sessions: tuple[SessionRow, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _whole(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number of {what}") from None
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low} to {high} {what}")
    return value


def _try(
    problems: list[RowError], line: int, column: str, read: Callable[..., T], *args: object
) -> T | None:
    try:
        return read(*args)
    except ValueError as exc:
        problems.append(RowError(line, column, str(exc)))
        return None


def _choice(text: str, allowed: tuple[str, ...], default: str) -> str:
    word = text.strip().lower().replace(" ", "-").replace("_", "-") or default
    if word not in allowed:
        raise ValueError(f"'{text}' is not one of {', '.join(allowed)}")
    return word


def parse(
    data: bytes,
    *,
    places: Mapping[str, int],
    champions: Mapping[str, int],
    services: Mapping[str, int],
    today: date,
) -> ParsedSessions:
    """`places` and `champions` map lower-cased names to ids, `services` slugs to ids."""
    if b"\x00" in data[:4096]:
        return ParsedSessions(
            errors=(
                RowError(
                    0, "", "This is not a CSV text file: save it from the spreadsheet as CSV."
                ),
            )
        )
    records, errors = read_records(data, REQUIRED, OPTIONAL)
    if errors:
        return ParsedSessions(errors=tuple(errors))
    found: dict[str, SessionRow] = {}
    problems: list[RowError] = []
    for line, row in records:
        label = row["session"].strip()
        if not label:
            problems.append(RowError(line, "session", "Give the session a label, such as 1."))
            continue
        place = places.get(row["place"].strip().lower())
        if place is None:
            problems.append(
                RowError(line, "place", f"No place is called '{row['place']}'. Add it first.")
            )
        held_on = _try(problems, line, "date", parse_date, row["date"])
        if isinstance(held_on, date) and held_on > today:
            problems.append(RowError(line, "date", f"{held_on} is in the future."))
        minutes = _try(problems, line, "minutes", _whole, row["minutes"], 5, 720, "minutes")
        kind = KINDS.get(row.get("kind", "").strip().lower() or "one_to_one")
        if kind is None:
            problems.append(RowError(line, "kind", f"'{row['kind']}' is not one_to_one or group"))
        people = (
            _try(problems, line, "people", _whole, row["people"], 1, 500, "people")
            if row.get("people", "").strip()
            else None
        )
        names = [n.strip() for n in row.get("champions", "").split(";") if n.strip()]
        unknown = [n for n in names if n.lower() not in champions]
        if unknown:
            problems.append(
                RowError(line, "champions", f"No champion is called {', '.join(unknown)}.")
            )
        person = _person(line, row, services, problems)
        if held_on is None or minutes is None or place is None or kind is None:
            continue
        if problems and problems[-1].line == line:
            continue
        ids = tuple(sorted(champions[n.lower()] for n in names))
        session = found.get(label)
        if session is None:
            session = found[label] = SessionRow(
                line, label, place, held_on, minutes, kind, ids, people
            )
        elif (session.place, session.held_on, session.minutes, session.kind, session.champions) != (
            place,
            held_on,
            minutes,
            kind,
            ids,
        ):
            problems.append(
                RowError(
                    line,
                    "session",
                    f"Session '{label}' began on line {session.line} with another place, date, "
                    "length, kind or champions.",
                )
            )
            continue
        elif people is not None:
            session.people = max(session.people or 0, people)
        if person is not None:
            session.helped.append(person)
    for session in found.values():
        if session.kind == "one_to_one" and session.head_count > 1:
            problems.append(
                RowError(
                    session.line,
                    "kind",
                    f"Session '{session.label}' is one to one but has {session.head_count} "
                    "people: make it a group.",
                )
            )
    if len(found) > MAX_SESSIONS:
        problems.append(RowError(0, "", f"More than {MAX_SESSIONS} sessions: split the file."))
    if problems:
        return ParsedSessions(errors=tuple(sorted(problems, key=lambda e: e.line)))
    return ParsedSessions(sessions=tuple(found.values()))


def _person(
    line: int, row: dict[str, str], services: Mapping[str, int], problems: list[RowError]
) -> PersonRow | None:
    """The person on this row, or None where the row records a session and nobody in it."""
    cells = ("age_band", "motivation", "service", "confidence", "completed", "referred_to")
    if not any(row.get(c, "").strip() for c in cells):
        return None
    before = len(problems)
    age_band = _try(
        problems, line, "age_band", _choice, row.get("age_band", ""), AGE_BANDS, "not-say"
    )
    completed = _try(
        problems,
        line,
        "completed",
        _choice,
        row.get("completed", ""),
        COMPLETED,
        "not-asked",
    )
    confidence = (
        _try(problems, line, "confidence", _whole, row["confidence"], 1, 5, "points")
        if row.get("confidence", "").strip()
        else None
    )
    motivation = ""
    if not row.get("motivation", "").strip():
        problems.append(RowError(line, "motivation", "Say what brought them."))
    else:
        motivation = (
            _try(
                problems,
                line,
                "motivation",
                _choice,
                row.get("motivation", ""),
                MOTIVATIONS,
                "",
            )
            or ""
        )
    slug = row.get("service", "").strip().lower()
    if slug and slug not in services:
        problems.append(RowError(line, "service", f"No service has the slug '{slug}'."))
    if len(problems) > before or age_band is None or completed is None:
        return None
    return PersonRow(
        age_band=age_band,
        motivation=motivation,
        service=services[slug] if slug else None,
        confidence=confidence,
        completed=completed,
        referred_to=row.get("referred_to", "").strip()[:120],
    )

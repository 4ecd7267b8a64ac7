"""Reporting periods: month, quarter, financial year (April to March) or custom. Pure."""

from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("month", "quarter", "fy", "custom")
# Dates the API and the pages accept: wide enough for any real figure, and a year either side.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_earlier(self) -> "Range":
        return Range(_years_back(self.start), _years_back(self.end))

    def label(self) -> str:
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"


def _years_back(day: date, years: int = 1) -> date:
    if day.year - years < 1:  # before the calendar begins: compare with itself
        return day
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def month(day: date) -> Range:
    return Range(day.replace(day=1), _month_end(day))


def quarter(day: date) -> Range:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Range(first, _month_end(date(first.year, first.month + 2, 1)))


def financial_year(day: date) -> Range:
    start_year = day.year if day.month >= 4 else day.year - 1
    return Range(date(start_year, 4, 1), date(start_year + 1, 3, 31))


def resolve(kind: str, day: date, start: date | None = None, end: date | None = None) -> Range:
    if kind == "custom" and start and end:
        return Range(min(start, end), max(start, end))
    return {"month": month, "quarter": quarter, "fy": financial_year}.get(kind, quarter)(day)


def last_complete(kind: str, latest: date) -> Range:
    """The latest period of this kind that the data cover to its end."""
    current = resolve(kind, latest)
    if current.end <= latest:
        return current
    return resolve(kind, current.start - timedelta(days=1))

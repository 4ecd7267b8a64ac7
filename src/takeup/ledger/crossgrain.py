"""Which figures count when sources report the same thing at different grains: a daily source
and a monthly one for the same service, channel, measure and month. Pure.

The month goes to one source and grain, and only its figures in that month are counted:
the highest-priority one among those that cover the whole month; if none does, the
highest-priority one. So a complete monthly figure is never replaced by a few days, and nothing
is counted twice. Ties go to the older source, as they do at one grain; one source that sent the
month at two grains is taken at its newer word."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Figure:
    pk: int
    source_id: int
    period: str  # day, week or month
    start: date
    rank: int  # the source's priority
    batch: int = 0  # the import it came in; the newer wins when one source sent two grains


def covers(month: date, period: str, starts: set[date]) -> bool:
    """Whether figures of this grain starting on these dates cover every day of the month. A
    week counts towards the month it starts in (as the monthly totals do)."""
    days = monthrange(month.year, month.month)[1]
    if period == "month":
        return month in starts
    if period == "day":
        return len(starts) == days
    mondays = {
        month + timedelta(days=i) for i in range(days) if (month + timedelta(days=i)).weekday() == 0
    }
    return mondays <= starts


def losers(month: date, figures: list[Figure]) -> list[int]:
    """The figures in one service, channel, measure and month that must not be counted."""
    contenders: dict[tuple[int, str], set[date]] = {}
    rank: dict[tuple[int, str], int] = {}
    newest: dict[tuple[int, str], int] = {}
    for f in figures:
        key = (f.source_id, f.period)
        contenders.setdefault(key, set()).add(f.start)
        rank[key] = f.rank
        newest[key] = max(newest.get(key, 0), f.batch)
    winner = max(
        contenders,
        key=lambda c: (covers(month, c[1], contenders[c]), rank[c], -c[0], newest[c]),
    )
    return [f.pk for f in figures if (f.source_id, f.period) != winner]

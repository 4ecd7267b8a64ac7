"""Did outreach work? Pure: monthly online and total transactions per neighbourhood in, two
answers out.

1. **People helped against the change in take-up**, per neighbourhood: digital take-up (online ÷
   all transactions) in the months before its first session and in the months from it, and the
   change in percentage points. A neighbourhood with no session is split at the first session
   anywhere, so the two are comparable.
2. **A difference-in-differences**: take-up in the neighbourhoods that received sessions, before
   and after their first one, against the change over the same months in those that did not. A
   weighted least-squares fit of each neighbourhood's monthly take-up on a term for each
   neighbourhood, a term for each month and one for "sessions have begun here", weighted by the
   month's transactions; its standard error is clustered by neighbourhood (months of one
   neighbourhood are not independent), with a t interval on (neighbourhoods − 1) degrees of
   freedom. It is given only with at least `MIN_AREAS` neighbourhoods on each side and
   `MIN_MONTHS` months before and after.

   It assumes that, without the sessions, take-up would have moved the same way in both groups
   (parallel trends): `pre_trend` tests the months before, and a gap is said on the page. It
   also assumes no spill-over (people from a neighbourhood without sessions helped at a place in
   another) and that places were not put where take-up was about to rise anyway.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import statsmodels.api as sm
from scipy import stats

MIN_AREAS = 3
MIN_MONTHS = 3
LEVEL = 0.95

Panel = Mapping[str, Mapping[date, tuple[int, int]]]  # area → month → (online, total)


@dataclass(frozen=True)
class AreaChange:
    area: str
    people: int
    first_session: date | None
    split: date | None  # the first month counted as "after"
    online_before: int
    total_before: int
    online_after: int
    total_after: int

    @property
    def before(self) -> float | None:
        return 100 * self.online_before / self.total_before if self.total_before else None

    @property
    def after(self) -> float | None:
        return 100 * self.online_after / self.total_after if self.total_after else None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def changes(
    panel: Panel, first_session: Mapping[str, date], people: Mapping[str, int]
) -> list[AreaChange]:
    """Each neighbourhood's take-up before and after its first session (or the first session
    anywhere, for one without), most people helped first."""
    start = min(first_session.values(), default=None)
    out = []
    for area, months in panel.items():
        split = first_session.get(area, start)
        before = [v for m, v in months.items() if split is not None and m < split]
        after = [v for m, v in months.items() if split is not None and m >= split]
        out.append(
            AreaChange(
                area=area,
                people=people.get(area, 0),
                first_session=first_session.get(area),
                split=split,
                online_before=sum(o for o, _t in before),
                total_before=sum(t for _o, t in before),
                online_after=sum(o for o, _t in after),
                total_after=sum(t for _o, t in after),
            )
        )
    out.sort(key=lambda c: (-c.people, c.area))
    return out


@dataclass(frozen=True)
class Effect:
    """A difference in take-up in percentage points, with its interval."""

    points: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True)
class DiD:
    effect: Effect
    treated: int  # neighbourhoods with sessions
    control: int  # neighbourhoods without
    months: int
    months_before: int  # before the first session anywhere
    months_after: int  # from the first session anywhere
    pre_trend: Effect | None  # treated minus control, points a month, before the sessions
    level: float = LEVEL

    @property
    def pre_trend_gap(self) -> bool:
        """Before the sessions, take-up in the two groups was already moving apart."""
        return self.pre_trend is not None and (self.pre_trend.lower > 0 or self.pre_trend.upper < 0)


@dataclass(frozen=True)
class NotEnough:
    """Why no difference-in-differences is given: `reason` is a key the page words."""

    reason: str  # "no-sessions" | "few-treated" | "few-control" | "few-months"
    treated: int
    control: int
    months_before: int
    months_after: int


def _cells(panel: Panel) -> list[tuple[str, date, float, int]]:
    return [
        (area, month, online / total, total)
        for area, months in panel.items()
        for month, (online, total) in months.items()
        if total > 0
    ]


def _fit(y: np.ndarray, x: np.ndarray, w: np.ndarray, groups: np.ndarray, column: int) -> Effect:
    result = sm.WLS(y, x, weights=w).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    estimate = float(result.params[column])
    se = float(result.bse[column])
    clusters = len(set(groups.tolist()))
    t = float(stats.t.ppf(0.5 + LEVEL / 2, clusters - 1))
    p = float(2 * stats.t.sf(abs(estimate / se), clusters - 1)) if se > 0 else 0.0
    return Effect(100 * estimate, 100 * (estimate - t * se), 100 * (estimate + t * se), p)


def _design(
    rows: list[tuple[str, date, float, int]], extra: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """y, X (the extra columns first, then a constant, one term per area but the first and one
    per month but the first), weights and the area of each row."""
    areas = sorted({r[0] for r in rows})
    months = sorted({r[1] for r in rows})
    area_at = {a: i for i, a in enumerate(areas)}
    month_at = {m: i for i, m in enumerate(months)}
    n = len(rows)
    fixed = np.zeros((n, 1 + len(areas) - 1 + len(months) - 1))
    fixed[:, 0] = 1.0
    for i, (area, month, _y, _w) in enumerate(rows):
        if area_at[area]:
            fixed[i, area_at[area]] = 1.0
        if month_at[month]:
            fixed[i, len(areas) - 1 + month_at[month]] = 1.0
    x = np.column_stack([*extra, fixed]) if extra else fixed
    y = np.array([r[2] for r in rows])
    w = np.array([r[3] for r in rows], dtype=float)
    groups = np.array([area_at[r[0]] for r in rows])
    return y, x, w, groups


def did(panel: Panel, first_session: Mapping[str, date]) -> DiD | NotEnough:
    """The effect of sessions on a neighbourhood's take-up, in points, or why it is not given."""
    rows = _cells(panel)
    areas = {r[0] for r in rows}
    months = sorted({r[1] for r in rows})
    treated = {a for a in areas if a in first_session}
    control = areas - treated
    start = min((first_session[a] for a in treated), default=None)
    before = sum(1 for m in months if start is not None and m < start)
    after = sum(1 for m in months if start is not None and m >= start)

    def not_enough(reason: str) -> NotEnough:
        return NotEnough(reason, len(treated), len(control), before, after)

    if not treated:
        return not_enough("no-sessions")
    if len(treated) < MIN_AREAS:
        return not_enough("few-treated")
    if len(control) < MIN_AREAS:
        return not_enough("few-control")
    if before < MIN_MONTHS or after < MIN_MONTHS:
        return not_enough("few-months")
    begun = np.array(
        [1.0 if r[0] in treated and r[1] >= first_session[r[0]] else 0.0 for r in rows]
    )
    y, x, w, groups = _design(rows, [begun])
    effect = _fit(y, x, w, groups, 0)
    return DiD(
        effect=effect,
        treated=len(treated),
        control=len(control),
        months=len(months),
        months_before=before,
        months_after=after,
        pre_trend=pre_trend(rows, treated, first_session),
    )


def pre_trend(
    rows: list[tuple[str, date, float, int]], treated: set[str], first_session: Mapping[str, date]
) -> Effect | None:
    """Before any session: how much faster take-up rose a month in the neighbourhoods that later
    got sessions than in the others (points a month), with its interval."""
    start = min(first_session[a] for a in treated)
    early = [r for r in rows if r[1] < start]
    if len({r[1] for r in early}) < MIN_MONTHS:
        return None
    first = min(r[1] for r in early)
    trend = np.array(
        [
            ((r[1].year - first.year) * 12 + r[1].month - first.month) if r[0] in treated else 0.0
            for r in early
        ],
        dtype=float,
    )
    y, x, w, groups = _design(early, [trend])
    return _fit(y, x, w, groups, 0)

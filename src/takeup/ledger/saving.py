"""The channel-shift saving: contacts and transactions avoided in the offline channels, priced.
Pure: counts and pence in, frozen results out.

For each channel that does not count towards digital take-up (phone, face-to-face, post, email,
webchat, assisted digital…), what was expected this period without the shift is the channel's own
figure in the baseline (the same dates a year earlier by default, so the season is the same),
scaled to the period's length, and lowered when demand for the service fell (`demand_now`).
Demand that rose never raises what was expected, and online growth counts as demand only as far
as it took the place of offline contacts that fell: if the phones are as busy as before, nothing
was saved, however much the web grew. Avoided = expected − actual, priced at the
channel's unit cost. The interval treats each count as quasi-Poisson, with the dispersion taken
from the channel's own monthly figures. See docs/methods.md.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

Z95 = 1.959964


@dataclass(frozen=True)
class ChannelInput:
    """One channel of one service: its figures in the baseline and the period, and its price."""

    channel_id: int
    measure: str  # "contacts" where both periods have them, else "transactions"
    baseline: int
    actual: int
    dispersion: float
    pence_each: int | None  # None: no unit cost known
    no_cost: bool = False
    cashable: bool = False
    scale: float | None = None  # this channel's own, where its figures are weeks or months


@dataclass(frozen=True)
class Avoided:
    """Contacts (or transactions) avoided in one channel, with a 95% interval, and their value."""

    channel_id: int
    measure: str
    baseline: int
    baseline_scaled: float  # the baseline's figure × the period's length ÷ the baseline's
    expected: float
    actual: int
    avoided: float
    lower: float
    upper: float
    variance: float
    pence_each: int | None
    cashable: bool

    @property
    def change(self) -> float | None:
        """This period's figure against the baseline's, scaled to the period's length: +0.05 is
        5% more. None when the baseline had none."""
        return None if self.baseline_scaled <= 0 else self.actual / self.baseline_scaled - 1

    @property
    def priced(self) -> bool:
        return self.pence_each is not None

    @property
    def pence(self) -> int:
        return round(self.avoided * (self.pence_each or 0))


@dataclass(frozen=True)
class Money:
    """A saving in pence with its 95% interval."""

    pence: int
    lower: int
    upper: int
    variance: float


@dataclass(frozen=True)
class Saving:
    """The saving for one service (or many, combined): the channels it covers, what it leaves
    out and why, and the figure split into cashable and capacity freed."""

    channels: tuple[Avoided, ...]
    scale: float  # the period's length ÷ the baseline's
    demand_factor: float  # ≤ 1: demand across channels this period ÷ the baseline's, scaled
    total: Money
    cashable: Money
    capacity: Money
    no_unit_cost: frozenset[int]  # channels with figures but no unit cost: left out
    no_figures: frozenset[int]  # channels with baseline figures but none this period: left out

    @property
    def left_out(self) -> frozenset[int]:
        return self.no_unit_cost | self.no_figures

    def channel(self, channel_id: int) -> Avoided | None:
        return next((a for a in self.channels if a.channel_id == channel_id), None)


def dispersion(monthly: Mapping[date, int]) -> float:
    """How much more a channel's monthly figures vary than Poisson counts would (at least 1),
    in the way the saving uses them: each of the last twelve months against the same month a
    year earlier. With
    k the ratio of the two years' totals, x[m] − k·x[m−12] has variance φ(x[m] + k²·x[m−12])
    for quasi-Poisson counts, so the season and a change of level are not taken as noise. With
    less than two years, second differences stand in (they remove a level and a steady trend:
    the variance of x[t−1] − 2x[t] + x[t+1] is φ(x[t−1] + 4x[t] + x[t+1]))."""
    recent = sorted((m for m in monthly if _year_before(m) in monthly), reverse=True)[:12]
    pairs = [(monthly[m], monthly[_year_before(m)]) for m in recent]
    if len(pairs) >= 6:
        this, last = sum(a for a, _ in pairs), sum(b for _, b in pairs)
        k = this / last if last else 1.0
        ratios = [(a - k * b) ** 2 / (a + k * k * b) for a, b in pairs if a + b > 0]
        # One degree of freedom went on k.
        return max(1.0, sum(ratios) / max(1, len(ratios) - 1)) if ratios else 1.0
    values = [monthly[m] for m in sorted(monthly)]
    ratios = [
        (a - 2 * b + c) ** 2 / (a + 4 * b + c)
        for a, b, c in zip(values, values[1:], values[2:], strict=False)
        if a + 4 * b + c > 0
    ]
    return max(1.0, sum(ratios) / len(ratios)) if ratios else 1.0


def _year_before(month: date) -> date:
    return month.replace(year=month.year - 1)


def demand_now(
    *, offline_before: float, offline_now: float, online_before: float, online_now: float
) -> float:
    """Demand for the service this period, as far as it can be told from the channels: the
    offline figures, and the online ones only as far as they grew to take the place of offline
    contacts that fell. Online growth beyond that may be new demand that the web created, so it
    never raises what the phones were expected to have: extra online demand is never a saving.
    (Figures already scaled to the same length of time.)"""
    fell = max(0.0, offline_before - offline_now)
    return offline_now + min(online_now, online_before + fell)


def _money(items: Iterable[Avoided]) -> Money:
    priced = [a for a in items if a.priced]
    pence = sum(a.avoided * (a.pence_each or 0) for a in priced)
    variance = sum(a.variance * (a.pence_each or 0) ** 2 for a in priced)
    half = Z95 * math.sqrt(variance)
    return Money(round(pence), round(pence - half), round(pence + half), variance)


def channel_shift_saving(
    *,
    channels: Sequence[ChannelInput],
    demand_baseline: float,
    demand_now: float,
    scale: float = 1.0,
    missing: Iterable[int] = (),
) -> Saving | None:
    """Contacts avoided in each channel and what they save. None when the baseline has no
    figures to expect anything from."""
    if demand_baseline <= 0 or scale <= 0:
        return None
    demand = min(1.0, demand_now / (demand_baseline * scale))
    avoided: list[Avoided] = []
    for c in channels:
        own = scale if c.scale is None else c.scale
        factor = own * demand
        expected = c.baseline * factor
        variance = c.dispersion * (c.actual + factor**2 * c.baseline)
        half = Z95 * math.sqrt(variance)
        pence = 0 if c.no_cost else c.pence_each
        avoided.append(
            Avoided(
                channel_id=c.channel_id,
                measure=c.measure,
                baseline=c.baseline,
                baseline_scaled=c.baseline * own,
                expected=expected,
                actual=c.actual,
                avoided=expected - c.actual,
                lower=expected - c.actual - half,
                upper=expected - c.actual + half,
                variance=variance,
                pence_each=pence,
                cashable=c.cashable,
            )
        )
    return Saving(
        channels=tuple(avoided),
        scale=scale,
        demand_factor=demand,
        total=_money(avoided),
        cashable=_money(a for a in avoided if a.cashable),
        capacity=_money(a for a in avoided if not a.cashable),
        no_unit_cost=frozenset(a.channel_id for a in avoided if not a.priced),
        no_figures=frozenset(missing),
    )


def combine(savings: Iterable[Saving | None]) -> Money | None:
    """The total over many services: pence add up, and so do variances (independent services).
    None when no service has a saving."""
    found = [s for s in savings if s is not None]
    if not found:
        return None
    pence = sum(s.total.pence for s in found)
    variance = sum(s.total.variance for s in found)
    half = Z95 * math.sqrt(variance)
    return Money(pence, round(pence - half), round(pence + half), variance)


def coverage(grain: str, start: date, end: date) -> int:
    """How many figures of a grain a range holds, counting a figure by its first day as the
    ledger does: days, Mondays (weeks) or 1sts (months). 13 weeks start in one quarter, 14 in
    another, so a weekly source's quarters are compared week for week, not day for day."""
    days = (end - start).days + 1
    if grain == "week":
        return sum(1 for i in range(days) if (start + timedelta(days=i)).weekday() == 0)
    if grain == "month":
        return sum(1 for i in range(days) if (start + timedelta(days=i)).day == 1)
    return days


@dataclass(frozen=True)
class TargetGap:
    """What meeting the take-up target would add, a month, at the target date, against where
    the forecast says take-up is heading."""

    points: float  # target − forecast, in points of take-up (0 when the forecast reaches it)
    extra_online: float  # transactions a month done online instead of another way
    pence_each: float | None  # the saving per contact avoided, from the period's saving
    pence: int | None  # a month; None when the service has no saving to price it from


def target_gap(
    target_percent: float,
    forecast_percent: float,
    monthly_transactions: float,
    found: Saving | None,
) -> TargetGap:
    """Priced at the service's own saving per contact avoided (net of the online transactions'
    cost), and only where that saving is clear of zero (its 95% interval's lower end above it):
    otherwise the price of a contact avoided is not known well enough to multiply."""
    points = max(0.0, target_percent - forecast_percent)
    extra = points / 100 * monthly_transactions
    avoided = sum(a.avoided for a in found.channels if a.priced) if found else 0.0
    clear = found is not None and avoided > 0 and found.total.lower > 0
    each = found.total.pence / avoided if found is not None and clear else None
    return TargetGap(points, extra, each, None if each is None else round(extra * each))

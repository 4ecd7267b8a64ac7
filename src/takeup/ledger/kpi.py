"""The take-up KPIs: digital take-up, completion rate, cost per transaction. Pure: counts and
pence in, frozen results out, so every figure on screen can be checked by hand against the
counts behind it."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ratio:
    """A share with the counts behind it. `value` is None when it cannot be stated (nothing to
    divide by) or must not be (the part exceeds the whole: the data are wrong)."""

    part: int
    whole: int
    value: float | None
    problem: str = ""

    @property
    def percent(self) -> float | None:
        return None if self.value is None else self.value * 100


def ratio(part: int, whole: int) -> Ratio:
    if whole <= 0:
        return Ratio(part, whole, None, "no transactions" if whole == 0 else "negative total")
    if part < 0:
        return Ratio(part, whole, None, "negative count")
    if part > whole:
        return Ratio(part, whole, None, "more than the total: check the source figures")
    return Ratio(part, whole, part / whole)


@dataclass(frozen=True)
class ChannelCounts:
    """Transactions by channel for one service (or many) and one period."""

    counts: Mapping[int, int]  # channel id → count
    digital: frozenset[int]  # channels that count towards take-up
    assisted_digital: frozenset[int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def digital_total(self) -> int:
        return sum(n for c, n in self.counts.items() if c in self.digital)

    @property
    def assisted_total(self) -> int:
        return sum(n for c, n in self.counts.items() if c in self.assisted_digital)


def digital_take_up(counts: ChannelCounts) -> Ratio:
    """Digital transactions ÷ all transactions. Assisted digital is in the total, not the part."""
    return ratio(counts.digital_total, counts.total)


def take_up_including_assisted(counts: ChannelCounts) -> Ratio:
    return ratio(counts.digital_total + counts.assisted_total, counts.total)


def channel_mix(counts: Mapping[int, int]) -> dict[int, float]:
    """Each channel's share of the total; empty when there is nothing."""
    total = sum(counts.values())
    if total <= 0:
        return {}
    return {channel: n / total for channel, n in counts.items()}


@dataclass(frozen=True)
class Cost:
    pence: int
    transactions: int
    uncosted_channels: frozenset[int]
    priced_transactions: int | None = None  # the transactions of the channels priced

    @property
    def pence_per_transaction(self) -> float | None:
        """Cost ÷ the transactions it prices: a channel with no unit cost is left out of both
        (and named), so that it does not pull the figure down as if it cost nothing. None when
        there is nothing to divide by."""
        priced = self.transactions if self.priced_transactions is None else self.priced_transactions
        if priced <= 0:
            return None
        return self.pence / priced


def cost(counts: Mapping[int, int], pence_each: Mapping[int, int]) -> Cost:
    """Σ volume × unit cost. Channels with volume but no unit cost are named, not priced at 0."""
    uncosted = frozenset(c for c, n in counts.items() if n > 0 and c not in pence_each)
    pence = sum(n * pence_each[c] for c, n in counts.items() if c in pence_each)
    priced = sum(n for c, n in counts.items() if c not in uncosted)
    return Cost(pence, sum(counts.values()), uncosted, priced)


def completion_rate(completed: int, started: int) -> Ratio:
    """Digital transactions completed ÷ started; never shown above 100%."""
    return ratio(completed, started)


@dataclass(frozen=True)
class Progress:
    """How far take-up has come from the baseline towards the target, as a share of the way."""

    baseline_percent: float
    current_percent: float
    target_percent: float
    share_of_the_way: float | None
    reached: bool


def progress_to_target(*, baseline: float, current: float, target: float) -> Progress:
    gap = target - baseline
    share = None if gap <= 0 else (current - baseline) / gap
    return Progress(baseline, current, target, share, current >= target)


def change(current: float | None, previous: float | None) -> float | None:
    """The difference (in the unit given, e.g. percentage points); None if either is unknown."""
    if current is None or previous is None:
        return None
    return current - previous

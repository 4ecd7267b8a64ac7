"""The comparison's statistics: median, quartiles and rank among peers. Pure: no Django.

Quartiles are Python's statistics.quantiles(method="inclusive"): linear interpolation between
the sorted values, the minimum and maximum being the 0th and 100th percentiles (as Excel's
QUARTILE.INC and numpy's default). docs/methods.md says it in words."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Fewer peers than this and nothing is shown: with four or fewer, one council's figure could
# be worked out from the quartiles and a rank.
MIN_PEERS = 5


@dataclass(frozen=True)
class Spread:
    lower_quartile: float
    median: float
    upper_quartile: float
    peers: int


@dataclass(frozen=True)
class Rank:
    position: int  # 1 is best; equal figures share a position
    of: int  # the peers and you


def spread(values: Sequence[float]) -> Spread | None:
    """The quartiles of the peers' figures; None with fewer than MIN_PEERS of them."""
    if len(values) < MIN_PEERS:
        return None
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(lower, median, upper, len(values))


def rank(yours: float, peers: Sequence[float], *, higher_is_better: bool = True) -> Rank | None:
    """Your position among the peers and you: one more than the number of peers whose figure is
    better than yours. None with fewer than MIN_PEERS peers."""
    if len(peers) < MIN_PEERS:
        return None
    better = sum(1 for p in peers if (p > yours if higher_is_better else p < yours))
    return Rank(better + 1, len(peers) + 1)

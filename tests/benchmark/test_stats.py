"""The comparison's statistics against hand-worked examples."""

import pytest

from takeup.benchmark.stats import MIN_PEERS, Rank, Spread, rank, spread


def test_quartiles_by_hand() -> None:
    # Sorted 1 3 4 8 10 15; inclusive method: position (n - 1) × p from 0.
    # Lower: 1.25 → 3 + 0.25 × (4 − 3) = 3.25. Median: 2.5 → 4 + 0.5 × (8 − 4) = 6.
    # Upper: 3.75 → 8 + 0.75 × (10 − 8) = 9.5.
    assert spread([10, 1, 15, 4, 8, 3]) == Spread(3.25, 6.0, 9.5, 6)


def test_five_peers_are_enough_and_four_are_not() -> None:
    assert MIN_PEERS == 5
    assert spread([10, 20, 30, 40]) is None
    assert spread([10, 20, 30, 40, 50]) == Spread(20.0, 30.0, 40.0, 5)
    assert rank(35, [10, 20, 30, 40]) is None


@pytest.mark.parametrize(
    ("yours", "higher_is_better", "expected"),
    [
        (9.0, True, Rank(2, 6)),  # only 10 is higher
        (9.0, False, Rank(5, 6)),  # 1, 3, 4 and 8 cost less
        (0.5, True, Rank(6, 6)),
        (8.0, True, Rank(2, 6)),  # equal to a peer: the same position
    ],
)
def test_rank_counts_you_among_the_peers(
    yours: float, higher_is_better: bool, expected: Rank
) -> None:
    assert rank(yours, [1, 3, 4, 8, 10], higher_is_better=higher_is_better) == expected


def test_equal_figures_share_a_position() -> None:
    assert rank(8, [8, 8, 1, 2, 3]) == Rank(1, 6)

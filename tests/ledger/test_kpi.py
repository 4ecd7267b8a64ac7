"""KPI maths: hand-checked examples and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takeup.ledger.kpi import (
    ChannelCounts,
    change,
    channel_mix,
    completion_rate,
    cost,
    digital_take_up,
    progress_to_target,
    ratio,
    take_up_including_assisted,
)

WEB, PHONE, F2F, AD = 1, 2, 3, 4
SOCITM = {WEB: 15, PHONE: 283, F2F: 862}


def counts(web: int, phone: int, f2f: int = 0, ad: int = 0) -> ChannelCounts:
    return ChannelCounts(
        {WEB: web, PHONE: phone, F2F: f2f, AD: ad}, frozenset({WEB}), frozenset({AD})
    )


def test_take_up_by_hand() -> None:
    c = counts(web=540, phone=400, f2f=50, ad=10)
    assert digital_take_up(c).value == pytest.approx(0.54)
    assert (digital_take_up(c).part, digital_take_up(c).whole) == (540, 1000)
    assert take_up_including_assisted(c).value == pytest.approx(0.55)


def test_take_up_above_100_percent_is_refused() -> None:
    result = ratio(120, 100)
    assert result.value is None and "more than the total" in result.problem


def test_nothing_to_divide_by() -> None:
    assert ratio(0, 0).value is None


def test_cost_per_transaction_by_hand() -> None:
    # 600 online at 15p, 300 by phone at 283p, 100 face to face at 862p = 9,000 + 84,900 + 86,200
    result = cost({WEB: 600, PHONE: 300, F2F: 100}, SOCITM)
    assert result.pence == 180_100
    assert result.pence_per_transaction == pytest.approx(180.1)


def test_channels_without_a_unit_cost_are_named() -> None:
    result = cost({WEB: 10, AD: 5}, SOCITM)
    assert result.uncosted_channels == {AD}
    # The cost per transaction is of the transactions priced: AD's 5 do not count as free.
    assert result.pence_per_transaction == pytest.approx(15)
    assert cost({AD: 5}, SOCITM).pence_per_transaction is None


def test_completion_rate_never_above_100() -> None:
    assert completion_rate(90, 100).value == pytest.approx(0.9)
    assert completion_rate(110, 100).value is None


def test_progress() -> None:
    p = progress_to_target(baseline=40, current=61, target=82)
    assert p.share_of_the_way == pytest.approx(0.5) and not p.reached
    assert progress_to_target(baseline=90, current=95, target=82).reached


def test_change() -> None:
    assert change(54.0, 40.0) == pytest.approx(14.0)
    assert change(None, 40.0) is None


volumes = st.dictionaries(st.sampled_from([WEB, PHONE, F2F, AD]), st.integers(0, 10**7), min_size=1)


@given(volumes)
def test_take_up_stays_within_0_and_100(v: dict[int, int]) -> None:
    c = ChannelCounts(v, frozenset({WEB}), frozenset({AD}))
    r = digital_take_up(c)
    assert r.value is None or 0 <= r.value <= 1
    assert r.value is not None or r.whole == 0


@given(volumes)
def test_mix_sums_to_one(v: dict[int, int]) -> None:
    mix = channel_mix(v)
    assert not mix or sum(mix.values()) == pytest.approx(1)


@given(volumes)
def test_cost_is_additive(v: dict[int, int]) -> None:
    total = cost(v, SOCITM).pence
    assert total == sum(cost({c: n}, SOCITM).pence for c, n in v.items())

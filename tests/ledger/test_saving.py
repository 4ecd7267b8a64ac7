"""The channel-shift saving from contacts avoided: hand-worked figures and properties."""

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takeup.ledger.saving import (
    ChannelInput,
    channel_shift_saving,
    combine,
    dispersion,
    target_gap,
)

PHONE, F2F, EMAIL = 2, 3, 5


def phone(baseline: int, actual: int, **kw: object) -> ChannelInput:
    values: dict[str, object] = {
        "channel_id": PHONE,
        "measure": "contacts",
        "baseline": baseline,
        "actual": actual,
        "dispersion": 1.0,
        "pence_each": 283,
    }
    values.update(kw)
    return ChannelInput(**values)  # type: ignore[arg-type]


def test_fewer_calls_save_their_unit_cost_with_a_poisson_interval() -> None:
    s = channel_shift_saving(channels=[phone(1000, 900)], demand_baseline=5000, demand_now=5000)
    assert s is not None
    avoided = s.channels[0]
    assert avoided.avoided == 100
    assert s.total.pence == 100 * 283
    half = 1.959964 * math.sqrt(900 + 1000)  # Var(actual) + Var(expected), dispersion 1
    assert avoided.lower == pytest.approx(100 - half)
    assert s.total.upper - s.total.pence == pytest.approx(half * 283, abs=1)


def test_extra_online_demand_with_the_phones_as_busy_saves_nothing() -> None:
    # Online demand grew by half; phone calls are exactly as before.
    s = channel_shift_saving(channels=[phone(1000, 1000)], demand_baseline=5000, demand_now=7500)
    assert s is not None
    assert s.demand_factor == 1.0
    assert s.total.pence == 0
    assert s.total.lower < 0 < s.total.upper


def test_a_fall_in_demand_is_not_counted_as_a_saving() -> None:
    # Everything fell by a fifth, phone calls too: no channel shift, no saving.
    s = channel_shift_saving(channels=[phone(1000, 800)], demand_baseline=5000, demand_now=4000)
    assert s is not None
    assert s.demand_factor == pytest.approx(0.8)
    assert s.channels[0].expected == pytest.approx(800)
    assert s.total.pence == 0


def test_a_shorter_baseline_is_scaled_to_the_period() -> None:
    s = channel_shift_saving(
        channels=[phone(500, 900)], demand_baseline=2500, demand_now=5000, scale=2.0
    )
    assert s is not None
    assert s.channels[0].expected == pytest.approx(1000)
    assert s.channels[0].change == pytest.approx(-0.1)


def test_channels_without_a_unit_cost_are_left_out_and_named() -> None:
    s = channel_shift_saving(
        channels=[phone(1000, 900), phone(300, 100, channel_id=EMAIL, pence_each=None)],
        demand_baseline=5000,
        demand_now=5000,
        missing=[F2F],
    )
    assert s is not None
    assert s.total.pence == 100 * 283  # email's 200 avoided are not priced at £0 or anything
    assert s.no_unit_cost == {EMAIL}
    assert s.left_out == {EMAIL, F2F}


def test_no_cost_to_us_is_priced_at_nothing_and_not_left_out() -> None:
    s = channel_shift_saving(
        channels=[phone(1000, 900, no_cost=True, pence_each=None)],
        demand_baseline=5000,
        demand_now=5000,
    )
    assert s is not None
    assert s.total.pence == 0 and not s.left_out


def test_cashable_and_capacity_freed_add_up_to_the_total() -> None:
    s = channel_shift_saving(
        channels=[
            phone(1000, 900, cashable=True),
            phone(200, 150, channel_id=F2F, pence_each=862),
        ],
        demand_baseline=5000,
        demand_now=5000,
    )
    assert s is not None
    assert s.cashable.pence == 100 * 283
    assert s.capacity.pence == 50 * 862
    assert s.total.pence == s.cashable.pence + s.capacity.pence


def test_no_baseline_no_saving() -> None:
    assert channel_shift_saving(channels=[], demand_baseline=0, demand_now=10) is None


def months(values: list[int], first: date = date(2024, 1, 1)) -> dict[date, int]:
    out = {}
    for i, n in enumerate(values):
        year, month = divmod(first.month - 1 + i, 12)
        out[date(first.year + year, month + 1, 1)] = n
    return out


def test_dispersion_of_poisson_like_figures_is_about_one_and_never_below() -> None:
    assert dispersion({}) == 1.0
    assert dispersion(months([100, 100, 100, 100])) == 1.0
    # A steady trend is not variation.
    assert dispersion(months([100, 110, 120, 130, 140])) == 1.0
    assert dispersion(months([100, 300, 100, 300, 100])) > 50


def test_dispersion_over_two_years_ignores_the_season_and_a_change_of_level() -> None:
    # A March peak of 2.6 times, and a tenth fewer calls in the second year: no extra noise.
    year = [1000] * 12
    year[2] = 2600
    two_years = months(year + [round(n * 0.9) for n in year])
    assert dispersion(two_years) == 1.0
    # The same, with months that wander by a fifth: noisy, and it says so.
    wandering = [round(n * (1.2 if i % 2 else 0.8)) for i, n in enumerate(year)]
    assert dispersion(months(year + wandering)) > 20


def test_combining_services_adds_variances() -> None:
    one = channel_shift_saving(channels=[phone(1000, 900)], demand_baseline=1, demand_now=1)
    two = channel_shift_saving(channels=[phone(400, 300)], demand_baseline=1, demand_now=1)
    assert one is not None and two is not None
    total = combine([one, two, None])
    assert total is not None
    assert total.pence == one.total.pence + two.total.pence
    assert total.variance == pytest.approx(one.total.variance + two.total.variance)
    assert combine([None]) is None


counts = st.integers(0, 10**6)


@given(counts, counts, st.integers(1, 10**7), st.integers(0, 10**7))
def test_calls_that_did_not_fall_never_save(
    baseline: int, extra: int, demand_before: int, demand_now: int
) -> None:
    s = channel_shift_saving(
        channels=[phone(baseline, baseline + extra)],
        demand_baseline=demand_before,
        demand_now=demand_now,
    )
    assert s is not None
    assert s.total.pence <= 0


@given(counts, counts)
def test_the_interval_holds_the_point(baseline: int, actual: int) -> None:
    s = channel_shift_saving(channels=[phone(baseline, actual)], demand_baseline=1, demand_now=1)
    assert s is not None
    assert s.total.lower <= s.total.pence <= s.total.upper


def test_online_growth_counts_as_demand_only_where_it_replaced_offline_contacts() -> None:
    from takeup.ledger.saving import demand_now

    # A pure shift: 300 calls moved online, demand flat.
    assert (
        demand_now(offline_before=1000, offline_now=700, online_before=1000, online_now=1300)
        == 2000
    )
    # Web grew, phones did not fall: the growth is not demand the phones would have had.
    assert (
        demand_now(offline_before=1000, offline_now=1000, online_before=1000, online_now=1500)
        == 2000
    )
    # Everything fell by a fifth: demand fell.
    assert (
        demand_now(offline_before=1000, offline_now=800, online_before=1000, online_now=800) == 1600
    )


@given(counts, counts, counts, counts, counts)
def test_more_online_demand_never_raises_the_saving(
    off_before: int, off_now: int, on_before: int, on_now: int, extra: int
) -> None:
    from takeup.ledger.saving import demand_now

    def total(online_now: int) -> int:
        s = channel_shift_saving(
            channels=[phone(off_before, off_now)],
            demand_baseline=off_before + on_before + 1,
            demand_now=demand_now(
                offline_before=off_before,
                offline_now=off_now,
                online_before=on_before,
                online_now=online_now,
            ),
        )
        assert s is not None
        return s.total.pence

    # Extra web can only bring demand back up to where the phones' fall leaves it.
    assert total(on_now + extra) >= total(on_now)
    assert total(on_before + max(0, off_before - off_now) + extra) == total(
        on_before + max(0, off_before - off_now)
    )


def test_signed_numbers_use_a_true_minus() -> None:
    from takeup.templatetags.takeup import MINUS
    from takeup.templatetags.takeup import money_text as money
    from takeup.templatetags.takeup import p_value_text as p_value
    from takeup.templatetags.takeup import signed_text as signed

    assert signed(-9.4) == MINUS + "9" and signed(1234.6) == "1,235"
    assert signed(-0.94, 1) == MINUS + "0.9"
    assert money(-11800, whole=True) == MINUS + "£118" and money(86200) == "£862.00"
    assert p_value(0.0004) == "< 0.001" and p_value(0.0431) == "0.043"


def test_meeting_the_target_is_priced_at_the_saving_per_contact_avoided() -> None:
    s = channel_shift_saving(channels=[phone(1000, 900)], demand_baseline=5000, demand_now=5000)
    gap = target_gap(80.0, 72.0, 2000.0, s)
    assert gap.points == pytest.approx(8.0)
    assert gap.extra_online == pytest.approx(160.0)  # 8% of 2,000 a month
    assert gap.pence_each == pytest.approx(283)  # 100 calls avoided saved 100 × £2.83
    assert gap.pence == 160 * 283
    reached = target_gap(80.0, 83.0, 2000.0, s)
    assert (reached.points, reached.extra_online, reached.pence) == (0.0, 0.0, 0)
    # No saving from contacts avoided: the gap is counted, never priced.
    nothing = channel_shift_saving(
        channels=[phone(1000, 1000)], demand_baseline=5000, demand_now=5000
    )
    assert target_gap(80.0, 72.0, 2000.0, nothing).pence is None
    assert target_gap(80.0, 72.0, 2000.0, None).pence is None


def test_a_saving_not_clear_of_zero_prices_nothing() -> None:
    # 40 calls fewer, with a 95% interval of about ±85: the price of a contact is not known.
    s = channel_shift_saving(channels=[phone(1000, 960)], demand_baseline=5000, demand_now=5000)
    assert s is not None and s.total.lower < 0 < s.total.pence
    gap = target_gap(80.0, 72.0, 2000.0, s)
    assert gap.extra_online == pytest.approx(160.0) and gap.pence is None

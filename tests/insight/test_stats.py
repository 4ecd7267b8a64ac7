"""The survey maths against figures worked by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takeup.insight import stats
from takeup.insight.questions import DEFAULT_QUESTIONS, check_answers


def wilson(k: int, n: int) -> tuple[float, float]:
    """stats.wilson where n > 0, so there is an interval."""
    interval = stats.wilson(k, n)
    assert interval is not None
    return interval


def test_wilson_against_hand_worked_figures() -> None:
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)  # never below zero
    assert stats.wilson(0, 0) is None


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_holds_the_share(k: int, n: int) -> None:
    k = min(k, n)
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


def test_two_proportions_against_hand_worked_figures() -> None:
    # 50/100 against 30/100: pooled 0.4, se = sqrt(0.4 × 0.6 × 0.02) = 0.06928, z = 2.887
    d = stats.two_proportions(stats.Share(50, 100), stats.Share(30, 100))
    assert d.z == pytest.approx(2.8868, abs=1e-3)
    assert d.p_value == pytest.approx(0.00389, abs=1e-4)
    assert d.significant and d.ratio == pytest.approx(50 / 30)
    same = stats.two_proportions(stats.Share(30, 100), stats.Share(30, 100))
    assert same.p_value == pytest.approx(1.0) and not same.significant
    empty = stats.two_proportions(stats.Share(0, 0), stats.Share(3, 10))
    assert not empty.significant
    assert empty.p_value is None and empty.z is None  # no test run, not p = 1


def test_satisfaction_by_month_leaves_out_a_month_covered_in_part() -> None:
    from datetime import UTC, date, datetime

    from takeup.insight.reports import Row, monthly

    def row(day: date, satisfied: str) -> Row:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        return Row(answers={"satisfaction": satisfied}, area_id=None, received_at=at)

    rows = [row(date(2026, 8, 10), "5"), row(date(2026, 9, 3), "4"), row(date(2026, 10, 1), "1")]
    found = monthly(rows, date(2026, 8, 1), date(2026, 10, 1))
    assert [r["month"] for r in found] == ["2026-08-01", "2026-09-01"]  # 1 October alone: out
    assert found[1]["satisfaction"] == 100.0


def test_shares_leave_out_the_unanswered_and_prefer_not_to_say() -> None:
    answers = [
        {"gender": "female"},
        {"gender": "male"},
        {"gender": "not-say"},
        {},
        {"gender": "female"},
    ]
    s = stats.share(answers, "gender", {"female"}, exclude={"not-say"})
    assert (s.k, s.n) == (2, 3)


def test_satisfaction_completion_and_multiple_choice_counts() -> None:
    answers: list[dict[str, object]] = [
        {"satisfaction": "5", "found": "yes", "found_by": ["search", "social"]},
        {"satisfaction": "4", "found": "partly", "found_by": ["search"]},
        {"satisfaction": "2", "found": "no"},
        {"satisfaction": "3", "found": "yes"},
    ]
    assert (stats.satisfaction(answers).k, stats.satisfaction(answers).n) == (2, 4)
    assert (stats.completion(answers).k, stats.completion(answers).n) == (2, 4)
    counts = stats.counts(answers, "found_by", ["search", "social", "print"])
    assert {k: (v.k, v.n) for k, v in counts.items()} == {
        "search": (2, 2),
        "social": (1, 2),
        "print": (0, 2),
    }


def test_avoided_contacts_scale_the_share_by_visits_and_unit_cost() -> None:
    answers = [{"otherwise": "phone"}] * 30 + [{"otherwise": "not"}] * 70
    (phone,) = stats.avoided_contacts(answers, 1000, {"phone": 283})
    assert phone.contacts == pytest.approx(300)
    assert phone.saving_pence == pytest.approx(300 * 283)
    low, high = wilson(30, 100)
    assert phone.low == pytest.approx(low * 1000) and phone.high == pytest.approx(high * 1000)


def test_segments_are_compared_on_each_measure() -> None:
    a = [{"gender": "female", "for_whom": "intermediary"}] * 40 + [
        {"gender": "male", "for_whom": "self"}
    ] * 20
    b = [{"gender": "female", "for_whom": "self"}] * 85 + [
        {"gender": "male", "for_whom": "intermediary"}
    ] * 15
    found = {c.label: c.difference for c in stats.compare_segments(a, b)}
    assert found["women"].a.k == 40 and found["women"].b.k == 85
    ratio = found["intermediaries"].ratio
    assert found["intermediaries"].significant and ratio is not None and ratio > 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"visits": "sometimes", "for_whom": "self", "found": "yes"}, "answers.visits"),
        ({"for_whom": "self", "found": "yes"}, "answers.visits"),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "colour": "red"},
            "answers.colour",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "found_by": "search"},
            "answers.found_by",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "found_by": ["pigeon"]},
            "answers.found_by",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "comments": "x" * 501},
            "answers.comments",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "satisfaction": "6"},
            "answers.satisfaction",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "satisfaction": True},
            "answers.satisfaction",
        ),
        (
            {"visits": "first", "for_whom": "self", "found": "yes", "comments": "a\\x00b"},
            "answers.comments",
        ),
    ],
)
def test_answers_are_checked_against_the_questions(answers: dict[str, object], field: str) -> None:
    answers = {
        k: (v.replace("\\x00", "\x00") if isinstance(v, str) else v) for k, v in answers.items()
    }
    _clean, errors = check_answers(answers, DEFAULT_QUESTIONS)
    assert field in {f for f, _ in errors}


def test_good_answers_are_kept_clean() -> None:
    clean, errors = check_answers(
        {
            "visits": "first",
            "for_whom": "self",
            "found": "yes",
            "satisfaction": 4,
            "found_by": ["social", "search", "search"],
            "comments": "  fine  ",
        },
        DEFAULT_QUESTIONS,
    )
    assert errors == []
    assert clean["satisfaction"] == "4" and clean["found_by"] == ["search", "social"]
    assert clean["comments"] == "fine"

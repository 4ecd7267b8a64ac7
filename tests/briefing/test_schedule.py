"""The first working day of a month, after each nation's bank holidays."""

from datetime import date

import pytest

from takeup.briefing.schedule import first_working_day, month_due


@pytest.mark.parametrize(
    ("year", "month", "nation", "expected"),
    [
        (2026, 12, "england", date(2026, 12, 1)),  # a Tuesday
        (2026, 8, "england", date(2026, 8, 3)),  # 1 August is a Saturday
        (2026, 8, "scotland", date(2026, 8, 4)),  # and Scotland's summer holiday is the 3rd
        (2027, 1, "england", date(2027, 1, 4)),  # New Year's Day is a Friday
        (2027, 1, "scotland", date(2027, 1, 5)),  # 2 January is a holiday there too
        (2027, 1, "wales", date(2027, 1, 4)),
        (2028, 1, "england", date(2028, 1, 4)),  # 1 January a Saturday: Monday 3rd instead
        (2026, 5, "england", date(2026, 5, 1)),  # the early May holiday is the 4th, not the 1st
    ],
)
def test_first_working_day(year: int, month: int, nation: str, expected: date) -> None:
    assert first_working_day(year, month, nation) == expected


def test_the_previous_month_is_due_from_the_first_working_day() -> None:
    assert month_due(date(2027, 1, 3)) is None  # a Sunday before the first working day
    assert month_due(date(2027, 1, 4)) == date(2026, 12, 1)
    assert month_due(date(2027, 1, 4), "scotland") is None
    assert month_due(date(2027, 1, 29)) == date(2026, 12, 1)  # a worker back late still sends

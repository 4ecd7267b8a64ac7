"""When the monthly briefing is due: the first working day of each month, after the bank
holidays of the organisation's nation. Pure: no Django."""

from datetime import date, timedelta

import holidays

# The `holidays` library's names for the UK's nations; England and Wales share their bank holidays.
SUBDIVISIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
    "uk": "ENG",
}


def first_working_day(year: int, month: int, nation: str = "england") -> date:
    """The month's first day that is neither a weekend nor a bank holiday."""
    bank_holidays = holidays.country_holidays(
        "GB", subdiv=SUBDIVISIONS.get(nation, "ENG"), years=year
    )
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in bank_holidays:
        day += timedelta(days=1)
    return day


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_due(today: date, nation: str = "england") -> date | None:
    """The month whose briefing is due to go out by `today` (the month before this one), or None
    before this month's first working day. Only the latest month is ever due: a worker down for
    weeks sends last month's briefing when it comes back, not a backlog."""
    if today < first_working_day(today.year, today.month, nation):
        return None
    return previous_month(today)

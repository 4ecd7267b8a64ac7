"""When digests are due: daily at 08:30 and weekly on Saturdays at 08:30, London time, whatever
the clocks are doing (zoneinfo keeps 08:30 at 08:30 across the change). Pure."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DIGEST_TIME = time(8, 30)
SATURDAY = 5
# A digest missed by a stopped worker is still sent this long after its time; later than that,
# its messages go into the next one (each digest starts where the last one ended).
LATE_BY = timedelta(hours=12)


def _at(day: date) -> datetime:
    return datetime.combine(day, DIGEST_TIME, tzinfo=LONDON)


def digest_slot(now: datetime, frequency: str) -> datetime:
    """The latest digest time at or before `now`."""
    local = now.astimezone(LONDON)
    day = (
        local.date()
        if local.timetz().replace(tzinfo=None) >= DIGEST_TIME
        else local.date() - timedelta(days=1)
    )
    if frequency == "weekly":
        day -= timedelta(days=(day.weekday() - SATURDAY) % 7)
    return _at(day)


def slot_before(slot: datetime, frequency: str) -> datetime:
    """The digest time before `slot`: the day before, or the Saturday before, at 08:30."""
    step = 7 if frequency == "weekly" else 1
    return _at(slot.astimezone(LONDON).date() - timedelta(days=step))


def slot_due(now: datetime, frequency: str) -> datetime | None:
    """The slot to send now, or None when the latest one is too long past (see LATE_BY)."""
    slot = digest_slot(now, frequency)
    return slot if now - slot <= LATE_BY else None

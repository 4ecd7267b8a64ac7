"""One count per figure across grains: a daily and a monthly source for the same service,
channel, measure and month are never both counted. Runs on SQLite and on PostgreSQL."""

from datetime import date, timedelta

import pytest

from takeup.catalogue.models import Channel, Service
from takeup.ledger.crossgrain import Figure, covers, losers
from takeup.ledger.models import Volume
from takeup.ledger.queries import CountsByServiceAndChannel, Scope, latest_covered_day
from takeup.ledger.services import data_source_save, volumes_import_rows
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def send(
    org: Organisation,
    service: Service,
    source: str,
    priority: int,
    rows: list[tuple[date, str, int]],
) -> None:
    found = org.data_sources.filter(name=source).first()
    src = found or data_source_save(organisation=org, name=source, priority=priority)
    payload = [
        {
            "date": d.isoformat(),
            "period": p,
            "service": service.slug,
            "channel": "phone",
            "count": n,
        }
        for d, p, n in rows
    ]
    outcome = volumes_import_rows(organisation=org, source=src, rows=payload)
    assert outcome.imported, outcome.batch.errors


def march_phone(org: Organisation, service: Service, *, whole: bool) -> int:
    phone = Channel.objects.get(organisation=org, slug="phone").pk
    scope = Scope(org.pk, *MARCH, use_month_totals=whole)
    return CountsByServiceAndChannel().run(scope)[service.pk][phone]


def every_day_of_march(n: int) -> list[tuple[date, str, int]]:
    return [(date(2026, 3, 1) + timedelta(days=i), "day", n) for i in range(31)]


@pytest.mark.parametrize("daily_priority", [200, 50])
def test_daily_against_monthly_counts_one_of_them(
    org: Organisation, service: Service, daily_priority: int
) -> None:
    send(org, service, "Finance monthly", 100, [(date(2026, 3, 1), "month", 3000)])
    send(org, service, "Phone system", daily_priority, every_day_of_march(100))
    expected = 3100 if daily_priority > 100 else 3000  # 31 × 100 or the monthly figure
    assert march_phone(org, service, whole=True) == expected
    assert march_phone(org, service, whole=False) == expected
    assert Volume.objects.filter(counted=True).count() == (31 if daily_priority > 100 else 1)


def test_the_order_of_imports_does_not_matter(org: Organisation, service: Service) -> None:
    send(org, service, "Phone system", 200, every_day_of_march(100))
    send(org, service, "Finance monthly", 100, [(date(2026, 3, 1), "month", 3000)])
    assert march_phone(org, service, whole=True) == 3100


def test_a_partial_month_never_replaces_a_whole_one(org: Organisation, service: Service) -> None:
    # The phone system (higher priority) sent ten days of March; finance sent the whole month.
    send(org, service, "Finance monthly", 100, [(date(2026, 3, 1), "month", 3000)])
    send(org, service, "Phone system", 200, every_day_of_march(100)[:10])
    assert march_phone(org, service, whole=True) == 3000
    assert march_phone(org, service, whole=False) == 3000
    # The ten days are shown as not counted, as same-grain conflicts are.
    assert Volume.objects.filter(counted=False).count() == 10


def test_weekly_against_monthly(org: Organisation, service: Service) -> None:
    # June 2026 starts on a Monday: five weeks start in it (1, 8, 15, 22, 29 June).
    june = date(2026, 6, 1)
    weeks = [(june + timedelta(weeks=i), "week", 700) for i in range(5)]
    send(org, service, "Finance monthly", 100, [(june, "month", 3000)])
    send(org, service, "Phone system", 200, weeks)
    phone = Channel.objects.get(organisation=org, slug="phone").pk
    scope = Scope(org.pk, june, date(2026, 6, 30))
    assert CountsByServiceAndChannel().run(scope)[service.pk][phone] == 3500
    # Without the week of 29 June the weekly source does not cover June: the month stands.
    Volume.objects.filter(period="week", period_start=date(2026, 6, 29)).delete()
    send(org, service, "Phone system", 200, weeks[:4])
    assert CountsByServiceAndChannel().run(scope)[service.pk][phone] == 3000


def test_one_source_changing_its_grain_is_not_counted_twice(
    org: Organisation, service: Service
) -> None:
    # The CRM sent March as a month, then again day by day: its newer word counts, once.
    send(org, service, "CRM", 100, [(date(2026, 3, 1), "month", 3000)])
    send(org, service, "CRM", 100, every_day_of_march(100))
    assert march_phone(org, service, whole=True) == 3100
    send(org, service, "CRM", 100, [(date(2026, 3, 1), "month", 3000)])
    assert march_phone(org, service, whole=True) == 3000


def test_covers() -> None:
    march = date(2026, 3, 1)
    assert covers(march, "month", {march})
    assert covers(march, "day", {march + timedelta(days=i) for i in range(31)})
    assert not covers(march, "day", {march + timedelta(days=i) for i in range(30)})
    mondays = {date(2026, 3, d) for d in (2, 9, 16, 23, 30)}
    assert covers(march, "week", mondays)
    assert not covers(march, "week", mondays - {date(2026, 3, 30)})


def test_losers_prefers_whole_months_then_priority_then_the_older_source() -> None:
    march = date(2026, 3, 1)
    month = Figure(1, source_id=10, period="month", start=march, rank=100)
    days = [Figure(100 + i, 11, "day", march + timedelta(days=i), 200) for i in range(31)]
    assert losers(march, [month, *days]) == [1]
    assert set(losers(march, [month, *days[:5]])) == {100, 101, 102, 103, 104}
    older = Figure(2, source_id=9, period="month", start=march, rank=200)
    assert losers(march, [older, *days]) == [d.pk for d in days]


@pytest.mark.parametrize(
    ("rows", "covered"),
    [
        # A week that starts in August ends in September, after July's monthly figure.
        (
            [
                (date(2026, 6, 10), "day", 5),
                (date(2026, 7, 1), "month", 300),
                (date(2026, 8, 31), "week", 70),
            ],
            date(2026, 9, 6),
        ),
        # A gap of months before the last figures; a single month; a single day.
        ([(date(2026, 1, 5), "day", 5), (date(2026, 5, 1), "month", 300)], date(2026, 5, 31)),
        ([(date(2026, 5, 1), "month", 300)], date(2026, 5, 31)),
        ([(date(2026, 5, 9), "day", 3)], date(2026, 5, 9)),
    ],
)
def test_the_last_day_covered_by_figures_of_every_grain(
    org: Organisation, service: Service, rows: list[tuple[date, str, int]], covered: date
) -> None:
    for n, row in enumerate(rows):  # one source a grain, as real imports are
        send(org, service, f"Source {n}", 100 + n, [row])
    assert latest_covered_day(org.pk) == covered


def test_no_figures_cover_no_day(org: Organisation) -> None:
    assert latest_covered_day(org.pk) is None

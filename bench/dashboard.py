"""Dashboard benchmark: the take-up overview and a service page on PostgreSQL with 10 million
volume rows, timed through Django's full request handling (p50 and p95 of repeated requests).

    python bench/dashboard.py [--orgs 10] [--services 100] [--days 1111] [--requests 30]

By default the 10 million rows belong to ten councils of 100 services each, daily for three years
in nine channels, as in a deployment serving many organisations; `--orgs 1 --services 1000` puts
them all in one. A bare endpoint (the sign-in page, no ledger queries) is timed beside them, so a
slow machine shows as a slow baseline. Writes dashboard.* keys to bench/results/ledger.json.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import percentile, postgres_bench_url, record, setup_django


def build(orgs: int, services: int, days: int) -> tuple[str, str, int]:
    from django.db import connection

    from takeup.catalogue.models import Service, ServiceArea
    from takeup.ledger.models import DataSource, Volume
    from takeup.ledger.services import month_totals_refresh
    from takeup.organisations.services import membership_add, organisation_create

    end = date(2026, 9, 30)
    start = end - timedelta(days=days - 1)
    first_slug = ""
    for o in range(orgs):
        org = organisation_create(
            name=f"Bench Council {o}", slug=f"bench-{o}", kind="unitary", nation="england"
        )
        areas = [
            ServiceArea.objects.create(organisation=org, name=f"Area {a}", slug=f"area-{a}")
            for a in range(10)
        ]
        Service.objects.bulk_create(
            [
                Service(
                    organisation=org,
                    area=areas[s % 10],
                    name=f"Service {s}",
                    slug=f"service-{s}",
                    kind="apply",
                    target_percent=80,
                    target_date=date(2027, 3, 31),
                )
                for s in range(services)
            ]
        )
        source = DataSource.objects.create(
            organisation=org, name="CRM", slug="crm", expected_interval="daily"
        )
        with connection.cursor() as cursor:
            # Generated in the database: digital share rising with time, weekly pattern.
            cursor.execute(
                """
                INSERT INTO ledger_volume (organisation_id, service_id, channel_id, period_start,
                    period, measure, count, source_id, batch_id, rank, counted)
                SELECT %s, s.id, c.id, d::date, 'day', 'transactions',
                       (CASE WHEN c.slug = 'web' THEN 20 + (d::date - %s) / 40
                             WHEN c.slug = 'phone' THEN 60 - (d::date - %s) / 40
                             ELSE 3 END + (s.id + extract(dow FROM d)::int) %% 7)::int,
                       %s, NULL, 100, true
                FROM catalogue_service s
                CROSS JOIN catalogue_channel c
                CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
                WHERE s.organisation_id = %s AND c.organisation_id = %s
                """,
                [org.pk, start, start, source.pk, start, end, org.pk, org.pk],
            )
        month_totals_refresh(organisation_id=org.pk)  # as the import's recompute step does
        if o == 0:
            first_slug = org.slug
            membership_add(
                organisation=org,
                email="bench@example.org",
                role="viewer",
                password="bench-password-123",
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_volume")
    return first_slug, "service-7", Volume.objects.count()


def timed(client: object, url: str, requests: int) -> list[float]:
    samples = []
    for i in range(requests + 3):
        started = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if i >= 3:  # the first few warm the caches
            samples.append(elapsed)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--days", type=int, default=1111)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="Time again on the rows an earlier run built"
    )
    args = parser.parse_args()
    setup_django(postgres_bench_url("takeup_bench_dashboard", fresh=not args.reuse))
    started = time.perf_counter()
    if args.reuse:
        from takeup.ledger.models import Volume, VolumeMonth
        from takeup.ledger.services import month_totals_refresh
        from takeup.organisations.models import Organisation

        if not VolumeMonth.objects.exists():  # built before the monthly totals existed
            for org in Organisation.objects.all():
                month_totals_refresh(organisation_id=org.pk)
        org_slug, service_slug, rows = "bench-0", "service-7", Volume.objects.count()
    else:
        org_slug, service_slug, rows = build(args.orgs, args.services, args.days)
    print(f"{rows:,} volume rows ready in {time.perf_counter() - started:.0f} s")

    from django.test import Client

    from takeup.organisations.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench@example.org"))
    pages = {
        "bare": "/sign-in/",
        "overview": f"/o/{org_slug}/take-up/",
        "service": f"/o/{org_slug}/take-up/services/{service_slug}/",
        "service_fy": f"/o/{org_slug}/take-up/services/{service_slug}/?period=fy",
    }
    results: dict[str, object] = {
        "dashboard.rows": rows,
        "dashboard.orgs": args.orgs,
        "dashboard.services_per_org": args.services,
    }
    for name, url in pages.items():
        samples = timed(Client() if name == "bare" else client, url, args.requests)
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        results[f"dashboard.{name}.p50_ms"] = round(p50, 1)
        results[f"dashboard.{name}.p95_ms"] = round(p95, 1)
        print(f"{name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print(record("ledger.json", results))


if __name__ == "__main__":
    main()

"""Import benchmark: a 1,000,000-row CSV through Takeup's whole import pipeline (read, validate,
replace, recompute) into SQLite and into PostgreSQL, each beside a raw load of the same rows in
the same run: SQLite `executemany` in one transaction, PostgreSQL `COPY`.

    python bench/ledger_import.py [--rows N] [--only sqlite|postgres]

Writes import.<db>.rows_per_s, import.<db>.raw_rows_per_s and import.<db>.ratio to
bench/results/ledger.json. Target: the pipeline reaches at least half the raw rate.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import postgres_bench_url, record, setup_django

CHANNELS = ["Web", "Phone", "Face-to-face", "Email", "Post"]


def make_csv(path: Path, rows: int, services: int) -> None:
    days = rows // (services * len(CHANNELS))
    start = date(2020, 1, 1)
    with path.open("w", encoding="utf-8") as f:
        f.write("date,service,channel,count\n")
        for d in range(days):
            day = (start + timedelta(days=d)).strftime("%d/%m/%Y")
            for s in range(services):
                for c in CHANNELS:
                    f.write(f"{day},Bench service {s},{c},{(d * 7 + s * 3) % 997}\n")


def run_one(database_url: str, csv_path: Path, rows: int, services: int) -> dict[str, float]:
    setup_django(database_url)
    from django.db import connection, transaction

    from takeup.catalogue.models import Service, ServiceArea
    from takeup.ledger.models import Volume
    from takeup.ledger.services import VOLUME_COLUMNS, data_source_for, volumes_import
    from takeup.organisations.services import organisation_create

    org = organisation_create(name="Bench Council", slug="bench", kind="unitary", nation="england")
    area = ServiceArea.objects.create(organisation=org, name="Bench", slug="bench")
    Service.objects.bulk_create(
        [
            Service(
                organisation=org,
                area=area,
                name=f"Bench service {s}",
                slug=f"bench-service-{s}",
                kind="report",
            )
            for s in range(services)
        ]
    )
    source = data_source_for(org, "Bench CRM")
    data = csv_path.read_bytes()

    started = time.perf_counter()
    outcome = volumes_import(organisation=org, source=source, data=data, file_name="bench.csv")
    pipeline = time.perf_counter() - started
    assert outcome.imported and outcome.batch.rows_accepted == rows, outcome.batch.errors[:3]

    # The raw load: the same rows, already parsed, straight into the same table.
    raw_rows = list(
        Volume.objects.values_list(
            *[c.removesuffix("_id") + ("_id" if c.endswith("_id") else "") for c in VOLUME_COLUMNS]
        )
    )
    Volume.objects.all().delete()
    table, columns = Volume._meta.db_table, ", ".join(VOLUME_COLUMNS)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in raw_rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(VOLUME_COLUMNS))
            cursor.cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", raw_rows)
    raw = time.perf_counter() - started
    assert Volume.objects.count() == rows
    return {
        "rows": rows,
        "seconds": round(pipeline, 2),
        "raw_seconds": round(raw, 2),
        "rows_per_s": round(rows / pipeline),
        "raw_rows_per_s": round(rows / raw),
        "ratio": round(raw / pipeline, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one database, Django set up on it
        print(json.dumps(run_one(args.one, Path(args.csv), args.rows, args.services)))
        return
    work = Path(tempfile.mkdtemp(prefix="takeup-import-bench-"))
    csv_path = work / "volumes.csv"
    make_csv(csv_path, args.rows, args.services)
    targets = {"sqlite": f"sqlite:///{work / 'bench.sqlite3'}"}
    if args.only != "sqlite":
        targets["postgres"] = postgres_bench_url("takeup_bench_import")
    if args.only == "postgres":
        targets.pop("sqlite")
    results = {}
    for name, url in targets.items():
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                url,
                "--csv",
                str(csv_path),
                "--rows",
                str(args.rows),
                "--services",
                str(args.services),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{name}: pipeline {figures['rows_per_s']:,} rows/s, raw "
            f"{figures['raw_rows_per_s']:,} rows/s, ratio {figures['ratio']:.2f}"
        )
        results.update({f"import.{name}.{k}": v for k, v in figures.items()})
    print(record("ledger.json", results))


if __name__ == "__main__":
    main()

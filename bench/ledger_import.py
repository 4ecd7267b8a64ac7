"""Import benchmark: a 1,000,000-row CSV through Takeup's whole import pipeline (read, validate,
replace, recompute) into SQLite and into PostgreSQL, each beside a raw load of the same rows in
the same run: SQLite `executemany` in one transaction, PostgreSQL `COPY`. Then memory: a
5,000,000-row CSV (about 226 MB) imported into SQLite by the real command line (`takeup import`)
in a process of its own, whose peak resident memory is measured.

    python bench/ledger_import.py [--rows N] [--only sqlite|postgres] [--big-rows N | --no-big]

Writes import.<db>.rows_per_s, import.<db>.raw_rows_per_s and import.<db>.ratio, and
import.big.rows, import.big.file_mb and import.big.peak_rss_mb, to bench/results/ledger.json.
Targets: the pipeline reaches at least half the raw rate; the big import peaks at most 1 GB.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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


def make_council(services: int) -> Any:
    """The bench council and its services (Django set up)."""
    from takeup.catalogue.models import Service, ServiceArea
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
    return org


def run_one(database_url: str, csv_path: Path, rows: int, services: int) -> dict[str, float]:
    setup_django(database_url)
    from django.db import connection, transaction

    from takeup.ledger.models import Volume
    from takeup.ledger.services import VOLUME_COLUMNS, data_source_get_or_create, volumes_import

    org = make_council(services)
    source = data_source_get_or_create(org, "Bench CRM")

    started = time.perf_counter()
    # From disk, as the command line and the worker read files: a piece at a time.
    outcome = volumes_import(organisation=org, source=source, path=csv_path, file_name="bench.csv")
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


def run_big(work: Path, rows: int, services: int) -> dict[str, float]:
    """`takeup import` of a big CSV into SQLite, in a process of its own: its peak RSS."""
    csv_path = work / "big.csv"
    make_csv(csv_path, rows, services)
    url = f"sqlite:///{work / 'big.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "TAKEUP_VAR_DIR": str(work / "var")}
    subprocess.run(
        [sys.executable, __file__, "--big-setup", url, "--services", str(services)],
        check=True,
        env=env,
    )
    takeup = Path(sys.executable).parent / "takeup"
    command = [str(takeup), "import", str(csv_path), "--source", "Bench CRM"]
    with (work / "big.out").open("w") as out, (work / "big.err").open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [*command, "--organisation", "bench"], env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
        seconds = time.perf_counter() - started
    said = (work / "big.out").read_text() + (work / "big.err").read_text()
    if os.waitstatus_to_exitcode(status) != 0 or f"Imported {rows} rows" not in said:
        raise SystemExit(f"takeup import failed: {said[-2000:]}")
    return {
        "rows": rows,
        "file_mb": round(csv_path.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # Linux: kilobytes
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--big-rows", type=int, default=5_000_000)
    parser.add_argument("--big-services", type=int, default=1_000)  # about 226 MB
    parser.add_argument("--no-big", action="store_true", help="Skip the memory run")
    parser.add_argument("--only-big", action="store_true", help="Only the memory run")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--big-setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one database, Django set up on it
        print(json.dumps(run_one(args.one, Path(args.csv), args.rows, args.services)))
        return
    if args.big_setup:  # a child process: the database the big import goes into
        setup_django(args.big_setup)
        make_council(args.services)
        return
    work = Path(tempfile.mkdtemp(prefix="takeup-import-bench-"))
    csv_path = work / "volumes.csv"
    targets = {"sqlite": f"sqlite:///{work / 'bench.sqlite3'}"}
    if args.only != "sqlite":
        targets["postgres"] = postgres_bench_url("takeup_bench_import")
    if args.only == "postgres":
        targets.pop("sqlite")
    if args.only_big:
        targets = {}
    else:
        make_csv(csv_path, args.rows, args.services)
    results: dict[str, float] = {}
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
    csv_path.unlink(missing_ok=True)
    if not args.no_big:
        big = run_big(work, args.big_rows, args.big_services)
        print(
            f"big: {big['rows']:,} rows ({big['file_mb']:,} MB) by takeup import into SQLite: "
            f"peak RSS {big['peak_rss_mb']:,} MB, {big['rows_per_s']:,} rows/s"
        )
        results.update({f"import.big.{k}": v for k, v in big.items()})
        for name in ("big.csv", "big.sqlite3", "big.sqlite3-wal"):
            (work / name).unlink(missing_ok=True)
    print(record("ledger.json", results))


if __name__ == "__main__":
    main()

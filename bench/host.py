"""A host for every council (issue 17): 400 organisations on one installation, under mixed traffic.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/host.py
    .venv/bin/python bench/host.py --reuse        # time again on the data already built

Builds `takeup_bench_host`: 400 organisations, large, medium and small (a tenth with 100 services,
nine channels and two years of daily figures; three tenths with 70, seven and a year; the rest
with 40, six and four months), 50-odd million volume rows in the partitioned table, with the
monthly totals the import's recompute step makes. Then drives gunicorn with a mix of requests
from many organisations at once: staff dashboards, public performance pages and their JSON,
API reads, /go/ redirects and survey answers, while an import of 20,000 rows runs again and
again in another process. Four configurations: one web process or two, without and with the
streaming replica (.ci/host-services). The load is closed-loop: the same number of clients for
each configuration, each sending its next request when the last is answered.

Records in bench/results/host.json: host.orgs and host.rows; per configuration the p95 of each
kind of request and the requests/s in all; host.scaling_2_over_1, the throughput of two
processes over one (without the replica); and host.db_ms_per_request, the database's own time
per request from pg_stat_statements (primary and replica), to project beyond this machine.
Targets: dashboards at most 300 ms p95; scaling at least 1.6; no errors; no arrival or answer
lost (rows counted against the requests answered).
"""

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import (
    ROOT,
    gunicorn,
    percentile,
    postgres_bench_url,
    record,
    setup_django,
    stop,
)

NAME = "takeup_bench_host"
SECRET_KEY = "host-bench-" + "k" * 50
PORT = 8140
ORGS = 400
END = date(2026, 9, 30)
REPLICA_URL = os.environ.get("REPLICA_URL", "postgres://postgres@127.0.0.1:5433/" + NAME)
# (services, channels, days of daily figures) by size; which size an organisation is.
SIZES = {"large": (100, 9, 730), "medium": (70, 7, 365), "small": (40, 6, 120)}
SURVEY_SITE = "https://www.{slug}.gov.uk"
ANSWER = {
    "answers": {
        "visits": "first",
        "for_whom": "self",
        "found": "yes",
        "satisfaction": "4",
        "otherwise": "phone",
    },
    "path": "/bins",
}
# Share of each kind of request in the mix.
MIX = {"dashboard": 30, "public": 15, "api": 15, "go": 25, "survey": 15}


def size_of(n: int) -> str:
    return "large" if n % 10 == 0 else "medium" if n % 10 in (1, 4, 7) else "small"


def build() -> dict[str, Any]:
    """The installation, and what the traffic needs: sessions, keys, links and surveys."""
    from django.db import connection

    from takeup.campaigns.services import activity_save, campaign_save
    from takeup.catalogue.models import Channel, Service, ServiceArea
    from takeup.core.partitions import _keys_and_indexes
    from takeup.insight.services import survey_save
    from takeup.ledger.models import DataSource
    from takeup.ledger.services import month_totals_refresh
    from takeup.organisations.services import membership_add, organisation_create

    with connection.cursor() as cursor:
        # Loaded without its secondary keys and indexes, which are built once at the end.
        keys, indexes = _keys_and_indexes(cursor, "ledger_volume")
        for statement in keys:
            name = re.search(r'CONSTRAINT "([^"]+)"', statement).group(1)  # type: ignore[union-attr]
            cursor.execute(f'ALTER TABLE ledger_volume DROP CONSTRAINT "{name}"')
        for statement in indexes:
            name = re.search(r"INDEX (\S+) ON", statement).group(1)  # type: ignore[union-attr]
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET synchronous_commit = off")
    traffic: dict[str, list[Any]] = {
        "dashboard": [],
        "public": [],
        "api": [],
        "go": [],
        "survey": [],
    }
    started = time.monotonic()
    for n in range(ORGS):
        services, channels, days = SIZES[size_of(n)]
        slug = f"council-{n:03d}"
        org = organisation_create(
            name=f"Council {n:03d}",
            slug=slug,
            kind="unitary",
            nation="england",
            allowed_domains=[f"{slug}.gov.uk"],
        )
        areas = ServiceArea.objects.bulk_create(
            [ServiceArea(organisation=org, name=f"Area {a}", slug=f"area-{a}") for a in range(10)]
        )
        Service.objects.bulk_create(
            [
                Service(
                    organisation=org,
                    area=areas[s % 10],
                    name=f"Service {s}",
                    slug=f"service-{s}",
                    kind="apply",
                    public=True,
                    online_url=f"https://www.{slug}.gov.uk/s{s}",
                )
                for s in range(services)
            ]
        )
        source = DataSource.objects.create(
            organisation=org, name="CRM", slug="crm", expected_interval="daily"
        )
        kept = list(
            Channel.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True)
        )[:channels]
        start = END - timedelta(days=days - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO ledger_volume (organisation_id, service_id, channel_id, period_start,
                    period, measure, count, source_id, batch_id, rank, counted)
                SELECT %s, s.id, c, d::date, 'day', 'transactions',
                       (CASE WHEN c = %s THEN 20 + (d::date - %s) / 40
                             ELSE 10 + (s.id + c) %% 30 END
                        + (s.id + extract(dow FROM d)::int) %% 7)::int,
                       %s, NULL, 100, true
                FROM catalogue_service s
                CROSS JOIN unnest(%s::bigint[]) c
                CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
                WHERE s.organisation_id = %s
                """,
                [org.pk, kept[0], start, source.pk, kept, start, END, org.pk],
            )
        if n % 4 == 0:  # a hundred organisations' staff look at their dashboards
            membership_add(organisation=org, email=f"staff@{slug}.gov.uk", role="viewer")
        traffic["public"].append(slug)
        if n % 4 == 1:
            campaign = campaign_save(
                organisation=org,
                services=[Service.objects.get(organisation=org, slug="service-1")],
                name="Bins online",
                starts_on=date(2026, 1, 1),
                ends_on=date(2099, 1, 1),
                budget_pence=100_000,
            )
            activity = activity_save(
                organisation=org,
                campaign=campaign,
                medium="radio",
                place="Local radio",
                starts_on=date(2026, 1, 1),
                ends_on=date(2099, 1, 1),
                cost_pence=50_000,
            )
            traffic["go"].append(activity.link.code)
        if n % 4 == 2:
            survey = survey_save(
                organisation=org,
                name="Exit survey",
                sampling_percent=20,
                allowed_origins=[SURVEY_SITE.format(slug=slug)],
            )
            traffic["survey"].append((survey.key, SURVEY_SITE.format(slug=slug)))
        if n % 50 == 0:
            print(f"  {n + 1} organisations, {time.monotonic() - started:.0f} s", flush=True)
    print(f"  volumes loaded in {time.monotonic() - started:.0f} s; keys and indexes", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in keys + indexes:
            cursor.execute(statement)
    print(f"  monthly totals, {time.monotonic() - started:.0f} s", flush=True)
    from takeup.organisations.models import Organisation

    for org_id in Organisation.objects.values_list("pk", flat=True):
        month_totals_refresh(organisation_id=org_id)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    traffic["built_seconds"] = [round(time.monotonic() - started)]
    return traffic


def credentials(traffic: dict[str, Any]) -> None:
    """Sessions for the staff and keys for the API, made with this run's SECRET_KEY."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from takeup.organisations.models import Organisation, User
    from takeup.organisations.services import api_key_create

    traffic["dashboard"], traffic["api"] = [], []
    for user in User.objects.filter(email__startswith="staff@council-"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        traffic["dashboard"].append((user.email.split("@")[1][:-7], session.session_key))
    for org in Organisation.objects.filter(slug__startswith="council-").order_by("slug")[::8]:
        traffic["api"].append(api_key_create(organisation=org, name="Open data")[1])


def rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_volume")
        return int(cursor.fetchone()[0])


def requests_for(traffic: dict[str, Any], rng: random.Random) -> tuple[str, bytes]:
    """One request of the mix: its kind, and the bytes to send."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    host = "Host: 127.0.0.1\r\nConnection: close\r\n"
    if kind == "dashboard":
        slug, key = rng.choice(traffic["dashboard"])
        path = rng.choice(
            [
                f"/o/{slug}/",
                f"/o/{slug}/take-up/?period=month&date=2026-09-01",
                f"/o/{slug}/take-up/services/service-7/?period=month&date=2026-09-01",
            ]
        )
        head = f"GET {path} HTTP/1.1\r\n{host}Cookie: takeup_session={key}\r\n\r\n"
        return kind, head.encode()
    if kind == "public":
        slug = rng.choice(traffic["public"])
        path = rng.choice(
            [
                f"/performance/{slug}/",
                f"/performance/{slug}/service-3/",
                f"/performance/{slug}/service-3.json",
            ]
        )
        return kind, f"GET {path} HTTP/1.1\r\n{host}\r\n".encode()
    if kind == "api":
        raw = rng.choice(traffic["api"])
        head = f"GET /api/services HTTP/1.1\r\n{host}Authorization: Bearer {raw}\r\n\r\n"
        return kind, head.encode()
    if kind == "go":
        code = rng.choice(traffic["go"])
        agent = f"Mozilla/5.0 (iPhone) Mobile {rng.random()}"
        return kind, f"GET /go/{code} HTTP/1.1\r\n{host}User-Agent: {agent}\r\n\r\n".encode()
    key, site = rng.choice(traffic["survey"])
    body = json.dumps(ANSWER).encode()
    head = (
        f"POST /s/{key}/responses HTTP/1.1\r\n{host}Origin: {site}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "User-Agent: Mozilla/5.0 (iPhone) Mobile\r\n\r\n"
    )
    return kind, head.encode() + body


EXPECTED = {"dashboard": 200, "public": 200, "api": 200, "go": 302, "survey": 201}


async def drive(
    traffic: dict[str, Any], seconds: float, clients: int, seed: int
) -> dict[str, list[tuple[float, int]]]:
    """Closed-loop clients for `seconds`: {kind: [(milliseconds, status)]}."""
    done: dict[str, list[tuple[float, int]]] = {k: [] for k in MIX}
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)  # noqa: S311 - a repeatable mix, not a secret
        while time.monotonic() < deadline:
            kind, request = requests_for(traffic, rng)
            began = time.perf_counter()
            reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
            writer.write(request)
            answer = await reader.read()
            writer.close()
            status = int(answer[9:12]) if answer[:5] == b"HTTP/" else 0
            if kind == "survey" and b'"received": true' not in answer:
                status = -status  # answered, but not kept (sampled out): not counted as taken
            done[kind].append(((time.perf_counter() - began) * 1000, status))

    await asyncio.gather(*(client(n) for n in range(clients)))
    return done


def importing(stop_flag: threading.Event, slug: str, env: dict[str, str]) -> list[float]:
    """Import the same 20,000 rows again and again, as an organisation's nightly file would."""
    csv = Path(tempfile.mkdtemp(prefix="host-import-")) / "phones.csv"
    lines = ["date,service,channel,count"]
    for d in range(200):
        day = END - timedelta(days=d)
        lines += [f"{day},service-{s},phone,{(s + d) % 50}" for s in range(100)]
    csv.write_text("\n".join(lines) + "\n")
    took = []
    while not stop_flag.is_set():
        began = time.monotonic()
        subprocess.run(
            [
                str(ROOT / ".venv/bin/takeup"),
                "import",
                str(csv),
                "--organisation",
                slug,
                "--source",
                "Phones",
                "-v0",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        took.append(time.monotonic() - began)
    return took


def counts(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        arrivals, answers = conn.execute(
            "SELECT (SELECT COALESCE(SUM(count), 0) FROM campaigns_arrival), "
            "(SELECT count(*) FROM insight_response)"
        ).fetchone()
    return int(arrivals), int(answers)


IMPORTER = "takeup_bench_importer"  # the import's own role, so its time is told apart


def statements_reset(urls: list[str]) -> None:
    import psycopg

    with psycopg.connect(urls[0], autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [IMPORTER]).fetchone():
            conn.execute(f"CREATE ROLE {IMPORTER} LOGIN SUPERUSER")
    for url in urls:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")


def statements_ms(urls: list[str]) -> tuple[float, float]:
    """The database's own time on the bench database since the last reset, primary and replica:
    for the web's requests, and for the import running beside them."""
    import psycopg

    web = imports = 0.0
    for url in urls:
        with psycopg.connect(url) as conn:
            for user, ms in conn.execute(
                "SELECT r.rolname, SUM(s.total_exec_time) FROM pg_stat_statements s "
                "JOIN pg_database d ON d.oid = s.dbid JOIN pg_roles r ON r.oid = s.userid "
                "WHERE d.datname = %s GROUP BY 1",
                [NAME],
            ).fetchall():
                if user == IMPORTER:
                    imports += float(ms)
                else:
                    web += float(ms)
    return web, imports


def run(
    traffic: dict[str, Any], url: str, workers: int, replica: bool, seconds: int, clients: int
) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "takeup.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # Counted on every answer, as in production, but never reached: one address sends all.
        "SURVEY_RESPONSES_PER_MINUTE": "100000000",
        "SURVEY_RESPONSES_PER_CLIENT": "100000000",
        "REDIS_URL": "",  # arrivals go straight to PostgreSQL, the harder case
        "CONN_MAX_AGE": "600",
    }
    if replica:
        env["DATABASE_REPLICA_URLS"] = REPLICA_URL
    else:
        env.pop("DATABASE_REPLICA_URLS", None)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"Something already answers on port {PORT}: stop it first.")
    server = gunicorn(env, PORT, workers, "-k", "gthread", "--threads", "4")
    stop_flag = threading.Event()
    took: list[float] = []
    importer = threading.Thread(
        target=lambda: took.extend(
            importing(
                stop_flag,
                "council-000",
                {**env, "DATABASE_URL": url.replace("postgres@", f"{IMPORTER}@")},
            )
        ),
        daemon=True,
    )
    try:
        asyncio.run(drive(traffic, 5, clients, seed=1))  # warm: connections, caches
        before = counts(url)
        statement_urls = [url] + ([REPLICA_URL] if replica else [])
        statements_reset(statement_urls)
        importer.start()
        began = time.monotonic()
        done = asyncio.run(drive(traffic, seconds, clients, seed=2))
        elapsed = time.monotonic() - began
        db_ms, import_ms = statements_ms(statement_urls)
    finally:
        stop_flag.set()
        importer.join(timeout=300)
        stop(server)
    time.sleep(1)
    after = counts(url)
    total = sum(len(v) for v in done.values())
    errors = sum(1 for k, v in done.items() for _, status in v if status != EXPECTED[k])
    out: dict[str, Any] = {
        "rps": round(total / elapsed, 1),
        "requests": total,
        "errors": errors,
        "db_ms_per_request": round(db_ms / total, 2),
        "arrivals_lost": sum(1 for _, s in done["go"] if s == 302) - (after[0] - before[0]),
        "answers_lost": sum(1 for _, s in done["survey"] if s == 201) - (after[1] - before[1]),
        "imports_done": len(took),
        "import_seconds": round(statistics.median(took), 1) if took else None,
        "import_db_ms": round(import_ms),
    }
    for kind, samples in done.items():
        out[f"{kind}.p95_ms"] = round(percentile([ms for ms, _ in samples], 0.95), 1)
        out[f"{kind}.p50_ms"] = round(statistics.median(ms for ms, _ in samples), 1)
        out[f"{kind}.requests"] = len(samples)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="time again on the data built")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    # The server's key: sessions and API keys made here must be valid there.
    os.environ["SECRET_KEY"] = SECRET_KEY
    traffic_file = Path(tempfile.gettempdir()) / f"{NAME}.json"
    if args.reuse and traffic_file.exists():
        url = postgres_bench_url(NAME, fresh=False)
        setup_django(url)
        traffic = json.loads(traffic_file.read_text())
    else:
        url = postgres_bench_url(NAME)
        setup_django(url)
        print("building 400 organisations", flush=True)
        traffic = build()
        traffic_file.write_text(json.dumps(traffic))
    credentials(traffic)
    total_rows = rows()
    print(f"{total_rows:,} volume rows", flush=True)
    results: dict[str, Any] = {
        "host.orgs": ORGS,
        "host.rows": total_rows,
        "host.built_seconds": traffic["built_seconds"][0],
        "host.clients": args.clients,
        "host.seconds": args.seconds,
        "host.gunicorn": "gthread, 4 threads a process",
    }
    configurations = {
        "one_process": (1, False),
        "two_processes": (2, False),
        "one_process_replica": (1, True),
        "two_processes_replica": (2, True),
    }
    for name, (workers, replica) in configurations.items():
        print(f"== {name}", flush=True)
        found = run(traffic, url, workers, replica, args.seconds, args.clients)
        print(json.dumps(found, indent=1), flush=True)
        results.update({f"host.{name}.{k}": v for k, v in found.items()})
    results["host.scaling_2_over_1"] = round(
        results["host.two_processes.rps"] / results["host.one_process.rps"], 2
    )
    results["host.scaling_2_over_1_replica"] = round(
        results["host.two_processes_replica.rps"] / results["host.one_process_replica.rps"], 2
    )
    every = list(configurations)
    results["host.db_ms_per_request"] = round(
        statistics.median(results[f"host.{c}.db_ms_per_request"] for c in every), 2
    )
    results["host.dashboard_p95_ms_worst"] = max(
        results[f"host.{c}.dashboard.p95_ms"] for c in every
    )
    results["host.errors"] = sum(results[f"host.{c}.errors"] for c in every)
    results["host.lost"] = sum(
        results[f"host.{c}.arrivals_lost"] + results[f"host.{c}.answers_lost"] for c in every
    )
    results["host.targets_met"] = (
        results["host.dashboard_p95_ms_worst"] <= 300
        and results["host.scaling_2_over_1"] >= 1.6
        and results["host.errors"] == 0
        and results["host.lost"] == 0
    )
    path = record("host.json", results)
    print(json.dumps(results, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()

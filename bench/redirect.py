"""The /go/ redirect under load: gunicorn and PostgreSQL, driven by wrk at 8 connections.

Beside it, in the same run and the same server, a bare Django view that only redirects. Rounds
alternate (bare, counted, counted_db, bare…) so the machine's noise falls on all alike; for each
path the median requests/s and the median p99 over the rounds are kept.

Targets (issue 17 §5), at a load where the bare redirect's own p99 is under 20 ms:
- `counted.p99_over_bare` ≤ 1.5: the counted redirect's p99 over the bare one's;
- `counted.rps_over_bare` ≥ 0.6 (with Redis) and `counted_db.rps_over_bare` ≥ 0.5 (without).

Why 8 connections: at 50 (issue 4) the four sync workers queue on two cores and the bare
redirect's own p99 was 60 ms, so no target on p99 could be met by anything. `--probe` times the
bare redirect alone at 2 to 32 connections (`probe.bare_p99_ms_by_connections`): with another
engineer's work on the machine (load average 5) its p99 was 9 ms at 8 connections, 17 ms at 12
and 20 ms at 16. 8 keeps every worker busy (the rate is the server's, not the client's) with
room under 20 ms for this shared machine's noise.

- counted: REDIS_URL set, as for a site with heavy traffic: one Redis round trip a visit, moved
  to PostgreSQL by the worker (here once, at the end, and checked against what wrk sent).
- counted_db: no Redis: each visit is one prepared statement to PostgreSQL.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/redirect.py

BENCH_DATABASE names the database it builds (takeup_bench_redirect), BENCH_REDIS_URL the Redis
it empties (database 14). Needs `wrk` (apt-get install wrk). Writes bench/results/redirect.json.
"""

import argparse
import os
import sys
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import (
    gunicorn,
    medians,
    postgres_bench_url,
    record,
    record_replacing,
    server_env,
    setup_django,
    stop,
    wrk,
)

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
PORT = 8123
ROOT = Path(__file__).parent.parent
URLS = """
from django.http import HttpResponseRedirect
from django.urls import path

from takeup.urls import urlpatterns as takeup_urls


def bare(request, code):
    response = HttpResponseRedirect("https://www.millbrook.gov.uk/bins?utm_source=takeup")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [path("bare/<str:code>", bare), *takeup_urls]
"""


def make_link() -> str:
    from datetime import date

    from takeup.campaigns.services import activity_save, campaign_save
    from takeup.catalogue.models import Service
    from takeup.organisations.services import organisation_create

    org = organisation_create(
        name="Millbrook",
        slug="millbrook",
        kind="unitary",
        nation="england",
        allowed_domains=["millbrook.gov.uk"],
    )
    service = Service.objects.create(
        organisation=org,
        area=org.service_areas.create(name="Waste", slug="waste"),
        name="Report a missed bin",
        slug="bins",
        kind="report",
        online_url="https://www.millbrook.gov.uk/bins",
    )
    campaign = campaign_save(
        organisation=org,
        services=[service],
        name="Bins online",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    activity = activity_save(
        organisation=org,
        campaign=campaign,
        medium="radio",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    return activity.link.code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn gthread threads")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="only time the bare redirect at 2 to 32 connections, to choose --connections",
    )
    args = parser.parse_args()
    url = postgres_bench_url(os.environ.get("BENCH_DATABASE", "takeup_bench_redirect"))
    setup_django(url)
    code = make_link()
    from takeup.campaigns.models import Arrival

    env = server_env(url, URLS)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(redis_url).flushdb()
    options = ["-k", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
    servers = [
        gunicorn({**env, "REDIS_URL": redis_url}, PORT, args.workers, *options),
        gunicorn(env, PORT + 1, args.workers, *options),
    ]
    paths = {"bare": ("/bare/x", PORT), "counted": (f"/go/{code}", PORT)}
    paths["counted_db"] = (f"/go/{code}", PORT + 1)
    agent = ("-H", f"User-Agent: {PHONE}")
    if args.probe:
        try:
            _probe(PORT, args.seconds, agent)
        finally:
            stop(*servers)
        return
    try:
        for path, port in paths.values():
            wrk(f"http://127.0.0.1:{port}{path}", 3, args.connections, *agent)  # warm up
        _move_arrivals(redis_url)
        before = sum(Arrival.objects.values_list("count", flat=True))
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in paths}
        for _ in range(args.rounds):
            for name, (path, port) in paths.items():
                url = f"http://127.0.0.1:{port}{path}"
                runs[name].append(wrk(url, args.seconds, args.connections, *agent))
        _move_arrivals(redis_url)
        recorded = sum(Arrival.objects.values_list("count", flat=True)) - before
    finally:
        stop(*servers)
    median = medians(runs)
    sent = sum(t for name in ("counted", "counted_db") for _, _, t in runs[name])
    bare_rps, bare_p99 = median["bare"]
    results: dict[str, object] = {"bare.rps": round(bare_rps, 1), "bare.p99_ms": round(bare_p99, 2)}
    for name in ("counted", "counted_db"):
        rps, p99 = median[name]
        results |= {
            f"{name}.rps": round(rps, 1),
            f"{name}.p99_ms": round(p99, 2),
            f"{name}.rps_over_bare": round(rps / bare_rps, 3),
            f"{name}.p99_over_bare": round(p99 / bare_p99, 3),
        }
    results |= {
        "arrivals_recorded": recorded,
        "requests_completed": sent,
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "connections": args.connections,
        "connections_why": (
            "the bare redirect's p99 is under 20 ms here (see probe.bare_p99_ms_by_connections); "
            "at 50 it was 60 ms, so no p99 target could be met"
        ),
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "all_rounds": {k: [[round(r, 1), round(p, 2)] for r, p, _ in v] for k, v in runs.items()},
    }
    # Issue 4's names for the two rates over bare, now counted.rps_over_bare and counted_db's.
    path = record_replacing("redirect.json", results, stale=["ratio", "ratio_db"])
    print(path.read_text())
    if recorded < sent:
        raise SystemExit(f"Only {recorded} of {sent} arrivals were recorded.")


def _probe(port: int, seconds: int, agent: tuple[str, ...]) -> None:
    """The bare redirect's p99 at each load, three rounds each, the median kept."""
    url = f"http://127.0.0.1:{port}/bare/x"
    wrk(url, 3, 8, *agent)  # warm up
    found = {}
    for connections in (2, 4, 6, 8, 12, 16, 32):
        rounds = sorted(wrk(url, seconds, connections, *agent)[1] for _ in range(3))
        found[str(connections)] = round(rounds[1], 2)
        print(connections, "connections: bare p99", found[str(connections)], "ms", flush=True)
    values = {"probe.bare_p99_ms_by_connections": found, "probe.seconds_per_round": seconds}
    print(record("redirect.json", values).read_text())


def _move_arrivals(redis_url: str) -> None:
    """What the worker does every minute: move the arrivals counted in Redis to PostgreSQL."""
    from takeup.campaigns import counter

    counter.flush(redis.Redis.from_url(redis_url))


if __name__ == "__main__":
    main()

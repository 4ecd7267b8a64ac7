"""The /go/ redirect under load: gunicorn and PostgreSQL, driven by wrk at 50 connections.

Beside it, in the same run and the same server, a bare Django view that only redirects. Rounds
alternate (bare, counted, counted_db, bare…) so the machine's noise falls on all alike; the median
round of each is kept. Target (issue 4): counted ≥ 60% of bare requests/s, counted p99 ≤ 50 ms.

- counted: REDIS_URL set, as for a site with heavy traffic: one Redis round trip a visit, moved
  to PostgreSQL by the worker (here once, at the end, and checked against what wrk sent).
- counted_db: no Redis: each visit is one statement to PostgreSQL.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/redirect.py

Needs `wrk` (apt-get install wrk). Writes bench/results/redirect.json.
"""

import argparse
import os
import sys
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import gunicorn, postgres_bench_url, record, server_env, setup_django, stop, wrk

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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn gthread threads")
    args = parser.parse_args()
    url = postgres_bench_url("takeup_bench_redirect")
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
    median = {k: sorted(v)[len(v) // 2] for k, v in runs.items()}
    sent = sum(t for name in ("counted", "counted_db") for _, _, t in runs[name])
    results = {
        "counted.rps": round(median["counted"][0], 1),
        "counted.p99_ms": round(median["counted"][1], 2),
        "counted_db.rps": round(median["counted_db"][0], 1),
        "counted_db.p99_ms": round(median["counted_db"][1], 2),
        "bare.rps": round(median["bare"][0], 1),
        "bare.p99_ms": round(median["bare"][1], 2),
        "ratio": round(median["counted"][0] / median["bare"][0], 3),
        "ratio_db": round(median["counted_db"][0] / median["bare"][0], 3),
        "arrivals_recorded": recorded,
        "requests_completed": sent,
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "all_rounds": {k: [[round(r, 1), round(p, 2)] for r, p, _ in v] for k, v in runs.items()},
    }
    path = record("redirect.json", results)
    print(path.read_text())
    if recorded < sent:
        raise SystemExit(f"Only {recorded} of {sent} arrivals were recorded.")


def _move_arrivals(redis_url: str) -> None:
    """What the worker does every minute: move the arrivals counted in Redis to PostgreSQL."""
    from takeup.campaigns import counter

    counter.flush(redis.Redis.from_url(redis_url))


if __name__ == "__main__":
    main()

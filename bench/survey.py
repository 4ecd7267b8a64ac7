"""Exit-survey answers under load: gunicorn and PostgreSQL, driven by wrk posting JSON.

Beside it, in the same run and server, a bare endpoint that only answers 204. Rounds alternate;
for each the median answers/s and the median p99 over the rounds are kept.

Targets (issue 17 §5) at 8 connections: `intake.rps_over_bare` ≥ 0.4, `intake.p99_ms` under
100 ms, and nothing lost: `responses_saved` (rows) at least `requests_accepted` (every request
wrk completed was a 201, or the run stops). Redis keeps the rate limits, as on a busy site; both
limits are counted on every answer but set too high to refuse any.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/survey.py

BENCH_DATABASE names the database it builds (takeup_bench_survey), BENCH_REDIS_URL the Redis
(database 14). Needs `wrk`. Writes bench/results/survey.json.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import (
    gunicorn,
    medians,
    postgres_bench_url,
    record_replacing,
    server_env,
    setup_django,
    stop,
    wrk,
)

PORT = 8125
ROOT = Path(__file__).parent.parent
SITE = "https://www.millbrook.gov.uk"
URLS = """
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from takeup.urls import urlpatterns as takeup_urls


@csrf_exempt
def bare(request, key):
    return HttpResponse(status=204)


urlpatterns = [path("bare/<str:key>", bare), *takeup_urls]
"""
LUA = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "{site}"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone) Mobile"
"""
BODY = {
    "answers": {
        "visits": "first",
        "for_whom": "intermediary",
        "found": "yes",
        "found_by": ["search"],
        "satisfaction": "4",
        "otherwise": "phone",
    },
    "path": "/social-care/ask",
}


def make_survey() -> str:
    from takeup.insight.services import survey_save
    from takeup.organisations.services import organisation_create

    org = organisation_create(
        name="Millbrook",
        slug="millbrook",
        kind="unitary",
        nation="england",
        allowed_domains=["millbrook.gov.uk"],
    )
    survey = survey_save(
        organisation=org, name="Exit survey", sampling_percent=20, allowed_origins=[SITE]
    )
    return survey.key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    url = postgres_bench_url(os.environ.get("BENCH_DATABASE", "takeup_bench_survey"))
    setup_django(url)
    key = make_survey()
    from takeup.insight.models import Response

    env = server_env(
        url,
        URLS,
        # Both limits are counted on every answer, as in production, but never reached: every
        # request comes from one address.
        SURVEY_RESPONSES_PER_MINUTE="100000000",
        SURVEY_RESPONSES_PER_CLIENT="100000000",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    )
    script = Path(env["PYTHONPATH"].split(":")[0]) / "post.lua"
    script.write_text(LUA.format(body=json.dumps(BODY), site=SITE))
    server = gunicorn(env, PORT, args.workers)
    paths = {"bare": f"/bare/{key}", "intake": f"/s/{key}/responses"}
    post = ("-s", str(script))
    try:
        for path in paths.values():
            wrk(f"http://127.0.0.1:{PORT}{path}", 3, args.connections, *post)  # warm up
        before = Response.objects.count()
        runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in paths}
        for _ in range(args.rounds):
            for name, path in paths.items():
                url = f"http://127.0.0.1:{PORT}{path}"
                runs[name].append(wrk(url, args.seconds, args.connections, *post))
        saved = Response.objects.count() - before
    finally:
        stop(server)
    median = medians(runs)
    sent = sum(r[2] for r in runs["intake"])
    results = {
        "intake.rps": round(median["intake"][0], 1),
        "intake.p99_ms": round(median["intake"][1], 2),
        "bare.rps": round(median["bare"][0], 1),
        "bare.p99_ms": round(median["bare"][1], 2),
        "intake.rps_over_bare": round(median["intake"][0] / median["bare"][0], 3),
        "responses_saved": saved,
        "requests_accepted": sent,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "all_rounds": {k: [[round(r, 1), round(p, 2)] for r, p, _ in v] for k, v in runs.items()},
    }
    # Issue 5's names: the rate over bare, and the requests completed (all of them accepted).
    path = record_replacing("survey.json", results, stale=["ratio", "requests_completed"])
    print(path.read_text())
    if saved < sent:
        raise SystemExit(f"Only {saved} of {sent} answers were saved.")


if __name__ == "__main__":
    main()

"""Exit-survey answers under load: gunicorn and PostgreSQL, driven by wrk posting JSON.

Beside it, in the same run and server, a bare endpoint that only answers 204. Rounds alternate;
the median round of each is kept. Target (issue 5): sustained answers/s with p99 under 100 ms;
eight connections is the load at which this machine keeps the p99 there (sixteen gave 167 ms).

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/survey.py

Needs `wrk`. Writes bench/results/survey.json.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import postgres_bench_url, record, setup_django

PORT = 8125
ROOT = Path(__file__).parent.parent
SITE = "https://www.millbrook.gov.uk"
WRK = shutil.which("wrk") or "wrk"
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
SETTINGS = 'from takeup.settings import *  # noqa\nROOT_URLCONF = "bench_urls"\n'
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


def wrk(script: Path, path: str, seconds: int, connections: int) -> tuple[float, float, int, str]:
    out = subprocess.run(
        [
            WRK,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p99, total, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not Path(WRK).is_absolute():
        raise SystemExit("wrk is not installed: apt-get install wrk")
    url = postgres_bench_url("takeup_bench_survey")
    setup_django(url)
    key = make_survey()
    from takeup.insight.models import Response

    here = Path(tempfile.mkdtemp(prefix="takeup-survey-"))
    (here / "bench_urls.py").write_text(URLS)
    (here / "bench_settings.py").write_text(SETTINGS)
    script = here / "post.lua"
    script.write_text(LUA.format(body=json.dumps(BODY), site=SITE))
    env = {
        **os.environ,
        "PYTHONPATH": f"{here}:{ROOT / 'src'}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SURVEY_RESPONSES_PER_MINUTE": "100000000",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "takeup.wsgi:application",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    paths = {"bare": f"/bare/{key}", "intake": f"/s/{key}/responses"}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/s/{key}/config.json", timeout=1)
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        for path in paths.values():
            wrk(script, path, 3, args.connections)
        before = Response.objects.count()
        runs: dict[str, list[tuple[float, float, int, str]]] = {k: [] for k in paths}
        for _ in range(args.rounds):
            for name, path in paths.items():
                runs[name].append(wrk(script, path, args.seconds, args.connections))
        saved = Response.objects.count() - before
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for name, rounds in runs.items():
        for *_, out in rounds:
            if "Non-2xx or 3xx" in out:
                raise SystemExit(f"{name} answered errors under load:\n{out}")
    median = {k: sorted(v)[len(v) // 2] for k, v in runs.items()}
    sent = sum(r[2] for r in runs["intake"])
    results = {
        "intake.rps": round(median["intake"][0], 1),
        "intake.p99_ms": round(median["intake"][1], 2),
        "bare.rps": round(median["bare"][0], 1),
        "bare.p99_ms": round(median["bare"][1], 2),
        "ratio": round(median["intake"][0] / median["bare"][0], 3),
        "responses_saved": saved,
        "requests_completed": sent,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
    }
    path = record("survey.json", results)
    print(path.read_text())
    if saved < sent:
        raise SystemExit(f"Only {saved} of {sent} answers were saved.")


if __name__ == "__main__":
    main()

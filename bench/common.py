"""Shared set-up for the benchmarks: a database chosen by URL, Django on it, results on disk."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
PG_ADMIN_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def postgres_bench_url(name: str, *, fresh: bool = True) -> str:
    """A PostgreSQL database for one benchmark, next to the one PG_URL names; emptied unless
    `fresh` is False (to time again on data already built)."""
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    if not fresh:
        return url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("TAKEUP_VAR_DIR", tempfile.mkdtemp(prefix="takeup-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "takeup.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def record(file_name: str, values: dict[str, Any]) -> Path:
    """Merge dotted keys into results/FILE, keeping what other benchmarks wrote there."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / file_name
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(values)
    path.write_text(json.dumps(dict(sorted(current.items())), indent=2) + "\n")
    return path


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# Load tests: a real server (gunicorn) on a bench URLconf, driven by wrk.

WRK = shutil.which("wrk") or "wrk"
ROOT = Path(__file__).parent.parent


def wrk(url: str, seconds: int, connections: int, *options: str) -> tuple[float, float, int]:
    """requests/s, p99 in ms and requests completed; any error response stops the benchmark."""
    if not Path(WRK).is_absolute():
        raise SystemExit("wrk is not installed: apt-get install wrk")
    out = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *options, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx or 3xx" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, p99, total


def server_env(database_url: str, urls_module: str, **extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) with bench_urls.URLS as the URLconf."""
    here = Path(tempfile.mkdtemp(prefix="takeup-load-"))
    (here / "bench_urls.py").write_text(urls_module)
    (here / "bench_settings.py").write_text(
        'from takeup.settings import *  # noqa\nROOT_URLCONF = "bench_urls"\n'
    )
    return {
        **os.environ,
        "PYTHONPATH": f"{here}:{ROOT / 'src'}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def gunicorn(
    env: dict[str, str], port: int, workers: int, *options: str
) -> subprocess.Popen[bytes]:
    """Start gunicorn and wait until it answers."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "takeup.wsgi:application",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            "-b",
            f"127.0.0.1:{port}",
            *options,
        ],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.2)
            continue
        return server
    return server


def stop(*servers: subprocess.Popen[bytes]) -> None:
    for server in servers:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def record_replacing(file_name: str, values: dict[str, Any], stale: list[str]) -> Path:
    """As record(), first dropping keys an earlier version of the benchmark wrote."""
    path = RESULTS / file_name
    if path.exists():
        current = json.loads(path.read_text())
        for key in stale:
            current.pop(key, None)
        path.write_text(json.dumps(dict(sorted(current.items())), indent=2) + "\n")
    return record(file_name, values)


def medians(runs: dict[str, list[tuple[float, float, int]]]) -> dict[str, tuple[float, float]]:
    """Each path's median requests/s and median p99 over its rounds, taken apart: a round slow
    for the machine's other work moves neither."""
    out = {}
    for name, rounds in runs.items():
        rates = sorted(r for r, _, _ in rounds)
        p99s = sorted(p for _, p, _ in rounds)
        out[name] = (rates[len(rates) // 2], p99s[len(p99s) // 2])
    return out

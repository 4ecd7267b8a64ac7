"""Shared set-up for the benchmarks: a database chosen by URL, Django on it, results on disk."""

import json
import os
import tempfile
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

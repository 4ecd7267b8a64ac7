"""Takeup through PgBouncer in transaction pooling mode (.ci/host-services: port 6432, Debian's
1.18): migrations, an import by COPY, the redirect from eight threads at once, and the task
queue, all with PGBOUNCER=1 (no server-side prepared statements; settings.py). Run in other
processes against a database of their own, as a deployment would."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).parent.parent.parent
BIN = Path(sys.executable).parent
DIRECT = "postgres://postgres@127.0.0.1:5432/{}"
BOUNCER = "postgres://postgres@127.0.0.1:6432/{}"


PSQL = shutil.which("psql") or "/usr/bin/psql"


def bouncer_admin(command: str, check: bool = True) -> str:
    """A command to PgBouncer's admin console, which speaks only the simple query protocol."""
    admin = [PSQL, "-h", "127.0.0.1", "-p", "6432", "-U", "postgres", "-d", "pgbouncer"]
    done = subprocess.run([*admin, "-Atc", command], capture_output=True, text=True, check=check)  # noqa: S603
    return done.stdout


def bouncer_stats(name: str) -> int:
    """Transactions PgBouncer has passed on for the database so far."""
    for line in bouncer_admin("SHOW STATS").splitlines():
        fields = line.split("|")
        if fields[0] == name:
            return int(fields[1])  # total_xact_count
    return 0


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"takeup_bouncer_{os.getpid()}"
    with psycopg.connect(DIRECT.format("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    yield name
    bouncer_admin(f"KILL {name}", check=False)
    with psycopg.connect(DIRECT.format("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def takeup(database: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": BOUNCER.format(database),
        "PGBOUNCER": "1",
        "DJANGO_SETTINGS_MODULE": "takeup.settings",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "1",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    done = subprocess.run(  # noqa: S603 - the project's own commands
        [*args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_migrations_imports_redirects_and_tasks_through_pgbouncer(database: str) -> None:
    before = bouncer_stats(database)
    takeup(database, str(BIN / "takeup"), "migrate", "--no-input", "-v0")
    out = takeup(database, sys.executable, str(Path(__file__).parent / "bouncer_steps.py"))
    did = json.loads(out.strip().splitlines()[-1])
    assert did["failures"] == []
    assert did["imported"] and did["volumes"] == 56
    assert did["tasks"] >= 20  # and what the import queued
    takeup(database, str(BIN / "takeup"), "worker", "--batch")
    with psycopg.connect(DIRECT.format(database)) as conn:
        counted = conn.execute(
            "SELECT COALESCE(SUM(count), 0) FROM campaigns_arrival WHERE organisation_id = %s",
            [did["organisation"]],
        ).fetchone()
        assert counted is not None
        arrivals = counted[0]
        statuses: dict[str, int] = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY 1"
            ).fetchall()
        )
    assert arrivals == did["visits"]  # every visit counted once, none lost
    assert statuses.get("SUCCESSFUL", 0) >= 20 and "READY" not in statuses
    assert "FAILED" not in statuses
    # It really went through the pooler.
    assert bouncer_stats(database) - before > did["visits"]

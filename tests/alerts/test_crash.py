"""A worker killed with SIGKILL mid-send, then restarted, gives each subscriber exactly one
email, counted at a real SMTP server (aiosmtpd). bench/alerts.py does the killing; here on
1,000 subscribers and three kills, on the database the suite runs on; the benchmark records
10,000."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database of its own for the worker's processes: a SQLite file, or a PostgreSQL
    database beside the suite's, dropped afterwards."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    admin = os.environ["DATABASE_URL"]
    name = f"takeup_crash_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_worker_killed_mid_send_sends_each_subscriber_one_email(
    tmp_path: Path, database: str
) -> None:
    out = tmp_path / "crash.json"
    run = subprocess.run(  # noqa: S603 - this interpreter, the project's own script
        [
            sys.executable,
            str(ROOT / "bench/alerts.py"),
            "crash",
            "--database",
            database,
            "--subscribers",
            "1000",
            "--kills",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "TAKEUP_VAR_DIR": str(tmp_path)},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["crash.kills"] == 3
    assert result["crash.duplicates"] == 0
    assert result["crash.missing"] == 0
    assert result["crash.delivered"] == 1000

"""Workers on many machines share the queue (django-tasks-db, claims with SKIP LOCKED): several
worker processes and a few thousand tasks, each run once; and a worker killed mid-task leaves
its task to be run again by another (organisations.services.lost_tasks_requeue)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.host.worker_tasks import long_task, probe

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).parent.parent.parent
TAKEUP = str(Path(sys.executable).parent / "takeup")
TASKS = 2000
WORKERS = 3


@pytest.fixture
def probe_table() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE host_probe (n integer NOT NULL, pid integer NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE host_probe")


def worker(*args: str, lost_seconds: int = 90) -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}",
        "PYTHONPATH": str(ROOT),
        "WORKER_LOST_SECONDS": str(lost_seconds),
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    return subprocess.Popen(  # noqa: S603 - the project's own command
        [TAKEUP, "worker", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def probes() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, pid FROM host_probe")
        return [(n, pid) for n, pid in cursor.fetchall()]


def test_several_workers_run_each_of_thousands_of_tasks_once(probe_table: None) -> None:
    for n in range(TASKS):
        probe.enqueue(n)
    workers = [worker("--batch") for _ in range(WORKERS)]
    for w in workers:
        assert w.wait(timeout=600) == 0
    ran = probes()
    assert len(ran) == TASKS
    assert sorted(n for n, _ in ran) == list(range(TASKS))  # each once, none lost
    assert len({pid for _, pid in ran}) == WORKERS  # the queue really was shared
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_task_of_a_worker_killed_mid_task_is_run_again(probe_table: None) -> None:
    result = long_task.enqueue(7)
    first = worker(lost_seconds=2)
    deadline = time.monotonic() + 60
    while not probes():
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING"  # left behind by the dead worker
    time.sleep(3)  # longer than WORKER_LOST_SECONDS: the dead worker has gone quiet
    second = worker("--batch", lost_seconds=2)  # its first tick finds the lost task
    assert second.wait(timeout=120) == 0
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.return_value == "finished"
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert [n for n, _ in probes()] == [7, 7]  # started twice, finished once

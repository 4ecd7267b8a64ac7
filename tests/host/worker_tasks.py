"""Tasks the worker tests queue: each records, in a table of the test's own, that it ran."""

import os
import time

from django.db import connection
from django_tasks import task


@task()
def probe(n: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO host_probe (n, pid) VALUES (%s, %s)", [n, os.getpid()])
    return n


@task()
def long_task(n: int) -> str:
    """Says it started (committed at once), then takes a minute the first time it runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM host_probe WHERE n = %s", [n])
        first = cursor.fetchone()[0] == 0
        cursor.execute("INSERT INTO host_probe (n, pid) VALUES (%s, %s)", [n, os.getpid()])
    if first:
        time.sleep(60)
    return "finished"

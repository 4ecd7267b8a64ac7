"""Counting round trips to PostgreSQL at the wire: the redirect and the survey intake send
statements through psycopg's own cursor, which Django's query capture does not see."""

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# Each message that asks the server to answer ends one round trip: Sync after a prepared or
# extended-protocol statement, Query for a simple one.
ENDS_A_ROUND_TRIP = re.compile(r"\tF\t\d+\t(?:Sync|Query)\b")


@contextmanager
def round_trips() -> Iterator[list[int]]:
    """Yields a list that holds, once the block has run, how many round trips it made."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    counted: list[int] = []
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        try:
            yield counted
        finally:
            pgconn.untrace()
        trace.seek(0)
        counted.append(len(ENDS_A_ROUND_TRIP.findall(trace.read())))

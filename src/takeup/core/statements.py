"""Statements prepared on the server, for the hot paths (the redirect, survey answers).

Django opens psycopg connections with prepare_threshold None, under which psycopg ignores even
prepare=True: a threshold no query reaches prepares the statements that ask, and only those.
Behind PgBouncer (PGBOUNCER=1) nothing is prepared (settings.TAKEUP_SERVER_PREPARE).
"""

from typing import Any

import psycopg
from django.conf import settings
from django.db import connection

PREPARE_WHEN_ASKED = 2**31 - 1


def prepared_cursor() -> psycopg.Cursor[Any]:
    """A psycopg cursor on Django's PostgreSQL connection, whose statements are prepared on the
    server when executed with prepare=settings.TAKEUP_SERVER_PREPARE. Django does not wrap its
    errors."""
    connection.ensure_connection()
    raw = connection.connection
    if settings.TAKEUP_SERVER_PREPARE and raw.prepare_threshold is None:
        raw.prepare_threshold = PREPARE_WHEN_ASKED
    return psycopg.Cursor(raw)

"""Reads from replicas, writes to the primary (DATABASE_REPLICA_URLS; decision 0018).

Only a web request may read from a replica, and only when ReplicaReadsMiddleware says so: a GET
or HEAD from someone who has not written anything in the last few seconds. Everything else reads
the primary: the worker, commands, any request that writes, reads inside a transaction, reads
after a write in the same request, and views marked `reads_from_primary` (reports that must be
exact, such as an import's preview, and GETs that change something).
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

F = TypeVar("F", bound=Callable[..., Any])

# The replica this request may read from; None reads the primary.
_replica: ContextVar[str | None] = ContextVar("takeup_replica", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let reads in this block go to a replica (one, chosen at random), if there is one."""
    aliases = replica_aliases()
    token = _replica.set(random.choice(aliases) if aliases else None)  # noqa: S311
    try:
        yield
    finally:
        _replica.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read from the primary in this block, whatever the request."""
    token = _replica.set(None)
    try:
        yield
    finally:
        _replica.reset(token)


def reads_from_primary(view: F) -> F:
    """For a view that must see the latest: an import's preview, or a GET that writes."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with primary_reads():
            return view(*args, **kwargs)

    wrapped.reads_from_primary = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """Django's database router for the primary and its replicas."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _replica.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        # A request that writes reads its own writes from here on.
        _replica.set(None)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's WAL

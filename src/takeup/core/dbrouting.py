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
from django.http import HttpRequest, HttpResponse

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


WROTE_COOKIE = "takeup_wrote"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ReplicaReadsMiddleware:
    """Send a GET's reads to a replica, when there are replicas (core/dbrouting.py); but for a
    few seconds after someone writes, their reads stay on the primary, so they never see their
    own import or change vanish while the replica catches up. The cookie only routes reads:
    forging it does no more than read from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.replicas = bool(replica_aliases())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.replicas:
            return self.get_response(request)
        if request.method in SAFE_METHODS:
            if WROTE_COOKIE in request.COOKIES:
                return self.get_response(request)
            with replica_reads():
                return self.get_response(request)
        response = self.get_response(request)
        response.set_cookie(
            WROTE_COOKIE,
            "1",
            max_age=settings.TAKEUP_READ_YOUR_WRITES_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response

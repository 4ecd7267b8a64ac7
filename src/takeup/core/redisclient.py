"""The Redis connection, shared by whatever counts in Redis (campaign arrivals, survey limits)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def _client(url: str) -> redis.Redis:
    # One connection pool per process, like Django's own cache: it holds sockets, not data.
    return redis.Redis.from_url(url)


def client() -> redis.Redis | None:
    """The connection when TAKEUP_REDIS_URL is set, else None (everything counts in the
    database then)."""
    url = settings.TAKEUP_REDIS_URL
    return _client(url) if url else None

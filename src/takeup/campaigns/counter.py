"""Counting arrivals through Redis, for sites where /go/ links take heavy traffic (decision 10).

With REDIS_URL set, a redirect makes one Redis round trip and no database query: the link comes
from a one-minute cache, and the arrival and the visitor hash are added to today's Redis hash and
set. The worker moves them into Arrival and ArrivalVisitor at least once a minute
(`arrivals_flush`), exactly once even if it stops half-way. Without REDIS_URL, each redirect
writes to the database itself (services.arrival_visit).
"""

import json
import logging
import uuid
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import redis
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from takeup.core.redisclient import client

from .models import ArrivalFlush
from .queries import RedirectLink, link_for_redirect
from .services import ARRIVAL_ADD, VISITOR_INSERT, salt_for, visitor_hash

LINK_TTL = 60  # seconds a link stays cached: changes to a link take effect within a minute
FLUSH_EVERY = 60
PREFIX = "takeup:"


@lru_cache(maxsize=4)
def _salt(day: date) -> str:
    # The day's salt never changes once made (VisitorSalt), so every process holding it agrees.
    return salt_for(day)


# One round trip: read the cached link, count the arrival and the visitor, and say whether a
# move to the database is due. A script costs less per visit than a pipeline of four commands.
VISIT_SCRIPT = """
local link = redis.call('GET', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if ARGV[2] ~= '' then redis.call('SADD', KEYS[3], ARGV[2]) end
local due = redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[3])
return {link, due and 1 or 0}
"""


@lru_cache(maxsize=4)
def _visit_script(r: redis.Redis) -> Any:
    return r.register_script(VISIT_SCRIPT)


def _link_key(code: str) -> str:
    return f"{PREFIX}link:{code}"


def forget_link(*codes: str | None) -> None:
    """Drop cached links at once (a link was changed)."""
    r = client()
    if r is not None:
        keys = [_link_key(c) for c in codes if c]
        if keys:
            r.delete(*keys)


def _cacheable(link: RedirectLink | None) -> str:
    if link is None:
        return ""
    return json.dumps(
        link._replace(expires_on=link.expires_on.isoformat() if link.expires_on else None)  # type: ignore[arg-type]
    )


def _uncache(raw: bytes) -> RedirectLink | None:
    if not raw:
        return None
    values = json.loads(raw)
    if values[3]:
        values[3] = date.fromisoformat(values[3])
    return RedirectLink(*values)


def visit(
    r: redis.Redis,
    *,
    code: str,
    day: date,
    device: str,
    referrer_host: str,
    via: str,
    is_bot: bool,
    client: str,
    send: str = "",
) -> RedirectLink | None:
    """Count an arrival in Redis and return the link (None for an unknown code). Arrivals
    through unknown or expired codes are dropped when they are moved to the database."""
    kind = f"{code}\t{device}\t{referrer_host}\t{via}\t{int(is_bot)}\t{send}"
    visitor = "" if is_bot else f"{code}\t{visitor_hash(_salt(day), client)}"
    cached, flush_due = _visit_script(r)(
        keys=[
            _link_key(code),
            f"{PREFIX}arrivals:{day}",
            f"{PREFIX}visitors:{day}",
            f"{PREFIX}flush-due",
        ],
        args=[kind, visitor, FLUSH_EVERY],
    )
    if flush_due:
        from .tasks import arrivals_flush

        arrivals_flush.using(run_after=timezone.now() + timedelta(seconds=FLUSH_EVERY)).enqueue()
    if cached is not None:
        return _uncache(cached)
    link = link_for_redirect(code, day)
    r.set(_link_key(code), _cacheable(link), ex=LINK_TTL)
    return link


def flush(r: redis.Redis) -> tuple[int, int]:
    """Move counted arrivals and visitors from Redis to the database. Each key is renamed first
    (new visits go to a fresh key), written in one transaction that records the batch, and only
    then deleted: a batch written before a crash is recognised and not written twice."""
    for name in r.scan_iter(f"{PREFIX}arrivals:*"):
        r.rename(name, f"{PREFIX}flushing:{uuid.uuid4()}:{name.decode().rsplit(':', 1)[1]}:a")
    for name in r.scan_iter(f"{PREFIX}visitors:*"):
        r.rename(name, f"{PREFIX}flushing:{uuid.uuid4()}:{name.decode().rsplit(':', 1)[1]}:v")
    arrivals = visitors = 0
    for key in r.scan_iter(f"{PREFIX}flushing:*"):
        _, _, batch, day_text, kind = key.decode().split(":")
        day = date.fromisoformat(day_text)
        with transaction.atomic():
            if ArrivalFlush.objects.filter(batch=batch).exists():
                r.delete(key)
                continue
            ArrivalFlush.objects.create(batch=batch)
            if kind == "a":
                arrivals += _write_arrivals(day, r.hgetall(key))
            else:
                visitors += _write_visitors(day, r.smembers(key))
        r.delete(key)
    return arrivals, visitors


def _links(day: date, codes: set[str]) -> dict[str, tuple[int, int]]:
    """Code or easy-to-say address → (organisation id, link id), for links live on that day."""
    found = {}
    for code in codes:
        link = link_for_redirect(code, day)
        if link is not None and (link.expires_on is None or link.expires_on >= day):
            found[code] = (link.organisation_id, link.pk)
    return found


def _write_arrivals(day: date, counts: dict[Any, Any]) -> int:
    # Kinds counted before sends were (five fields) come through with no send.
    rows = [([*k.decode().split("\t"), ""][:6], int(v)) for k, v in counts.items()]
    links = _links(day, {fields[0] for fields, _ in rows})
    params: list[tuple[Any, ...]] = [
        (*links[code], day, device, referrer, via, bool(int(bot)), send, n)
        for (code, device, referrer, via, bot, send), n in rows
        if code in links
    ]
    with connection.cursor() as cursor:
        cursor.executemany(ARRIVAL_ADD, params)
    return sum(int(p[-1]) for p in params)


def _write_visitors(day: date, members: set[Any]) -> int:
    pairs = [m.decode().split("\t") for m in members]
    links = _links(day, {code for code, _ in pairs})
    params: list[tuple[Any, ...]] = [
        (links[code][1], day, visitor) for code, visitor in pairs if code in links
    ]
    with connection.cursor() as cursor:
        cursor.executemany(VISITOR_INSERT, params)
    return len(params)


LOST_KEY = "takeup:arrivals:lost"
log = logging.getLogger("takeup.arrivals")


def arrival_lost(r: "redis.Redis | None", code: str, reason: str) -> None:
    """Record an arrival that could not be counted: a warning in the log (the link's code and
    why, nothing about the visitor) and, where Redis answers, one more in takeup:arrivals:lost,
    the metric docs/operations.md describes."""
    log.warning("arrival not counted: link %s, %s", code[:40], reason)
    if r is None:
        return
    try:
        r.incr(LOST_KEY)
    except RedisError:
        log.warning("arrival not counted, and Redis did not answer either")

"""A council's RSS or Atom feed as messages: each new item once, keyed by its id (or link, or
title and text), never by its date, so a feed that reorders or re-dates items sends nothing
twice. The first read of a feed only notes what is there: subscribers hear of what comes next."""

import hashlib
import html
import re
from typing import Any, NamedTuple

import feedparser
import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FeedItem, Message, Topic

TIMEOUT = 20
MAX_BYTES = 5 * 1024 * 1024
TAGS = re.compile(r"<[^>]+>")


class Item(NamedTuple):
    key: str
    title: str
    text: str
    link: str


def _plain(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(TAGS.sub(" ", markup))).strip()


def items_of(raw: bytes) -> list[Item]:
    """The feed's items, in the feed's order. Raises ValueError for what is not a feed."""
    parsed: Any = feedparser.parse(raw)
    if parsed.bozo and not parsed.entries:
        raise ValueError(f"not an RSS or Atom feed: {parsed.get('bozo_exception', '')}"[:300])
    found = []
    for entry in parsed.entries:
        title = _plain(entry.get("title", ""))[:150]
        text = _plain(entry.get("summary", ""))[:5000]
        link = entry.get("link", "")
        if not link.startswith(("https://", "http://")):
            link = ""
        ident = entry.get("id") or link or f"{title}\n{text}"
        if not title and not text:
            continue
        found.append(
            Item(hashlib.sha256(ident.encode()).hexdigest(), title or text[:150], text, link)
        )
    return found


def fetch(url: str) -> bytes:
    with httpx.stream("GET", url, timeout=TIMEOUT, follow_redirects=True) as response:
        response.raise_for_status()
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise ValueError("the feed is larger than 5 MB")
    return body


def feed_poll(topic: Topic, raw: bytes | None = None) -> int:
    """Read the topic's feed and make a message of each item not seen before. Returns how many
    messages were made. A feed that fails is noted on the topic and tried again later."""
    from .services import message_create

    try:
        items = items_of(raw if raw is not None else fetch(topic.feed_url))
    except (httpx.HTTPError, ValueError) as error:
        Topic.objects.filter(pk=topic.pk).update(
            feed_error=str(error)[:300], feed_checked_at=timezone.now()
        )
        return 0
    first = not FeedItem.objects.filter(topic=topic).exists()
    made = 0
    for item in reversed(items):  # oldest first, so messages keep the feed's order
        try:
            with transaction.atomic():
                seen = FeedItem.objects.create(topic=topic, key=item.key)
                if first:
                    continue
                message = message_create(
                    organisation=topic.organisation,
                    topics=[topic],
                    subject=item.title,
                    body=item.text,
                    url=item.link,
                    source=Message.Source.FEED,
                )
                FeedItem.objects.filter(pk=seen.pk).update(message=message)
                made += 1
        except IntegrityError:
            continue  # seen before
    Topic.objects.filter(pk=topic.pk).update(feed_error="", feed_checked_at=timezone.now())
    return made

"""The signed links in every email: confirm (expires), manage (expires) and unsubscribe (does
not: an old email's link must still work). Each has its own salt, so one can't stand in for
another, and the signature uses SECRET_KEY, which is not in the database."""

from typing import Any

from django.core import signing

CONFIRM_DAYS = 7
MANAGE_DAYS = 90
DAY = 24 * 60 * 60


def _sign(kind: str, payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=f"takeup.alerts.{kind}")


def _read(kind: str, token: str, max_age: int | None) -> dict[str, Any] | None:
    try:
        value = signing.loads(token, salt=f"takeup.alerts.{kind}", max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, dict) else None


def confirm_token(subscriber_id: int, subscription_ids: list[int]) -> str:
    return _sign("confirm", {"s": subscriber_id, "t": subscription_ids})


def confirm_read(token: str) -> tuple[int, list[int]] | None:
    value = _read("confirm", token, CONFIRM_DAYS * DAY)
    if value is None:
        return None
    return int(value["s"]), [int(i) for i in value["t"]]


def manage_token(subscriber_id: int) -> str:
    return _sign("manage", {"s": subscriber_id})


def manage_read(token: str) -> int | None:
    value = _read("manage", token, MANAGE_DAYS * DAY)
    return None if value is None else int(value["s"])


def unsubscribe_token(subscriber_id: int, topic_ids: list[int]) -> str:
    """Names topics, not subscriptions: a change of frequency since the email was sent makes a
    new subscription to the same topic, and the link must still stop it."""
    return _sign("unsubscribe", {"s": subscriber_id, "t": topic_ids})


def unsubscribe_read(token: str) -> tuple[int, list[int]] | None:
    value = _read("unsubscribe", token, None)
    if value is None:
        return None
    return int(value["s"]), [int(i) for i in value["t"]]

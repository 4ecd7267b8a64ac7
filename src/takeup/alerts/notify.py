"""Sending through GOV.UK Notify: emails, texts and letters, each as one API call.

Notify's API is one HTTP POST, so the delivery is marked sent just before it (decision 0017).
When Notify answers with an error, it has made no notification (only a 201 does), so the mark
is taken back and the send is recorded as what it is: a permanent failure (400), or one to try
again (403, 429, 500). Only when no answer came, or a gateway gave up waiting (504), may Notify
have the message: the delivery then stays sent, so nobody gets it twice."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from urllib3.exceptions import NewConnectionError

from .sending import Mark, Outcome, Outgoing, Sender

log = logging.getLogger(__name__)

LETTER_LINES = [f"address_line_{n}" for n in range(1, 8)]
# A 400 about these fields is about the address itself, not this message: stop using it.
ADDRESS_FIELDS = ("email_address", "phone_number", "address_line", "postcode")
# Notify's message for a letter whose address it cannot post to.
ADDRESS_WORDS = ("postcode", "address must", "last line of address")


def _errors(error: HTTPError) -> list[dict[str, str]]:
    message = error.message
    if isinstance(message, list):
        return [e for e in message if isinstance(e, dict)]
    return [{"error": "", "message": str(message)}]


def _text(error: HTTPError) -> str:
    said = "; ".join(
        f"{e.get('error', '')}: {e.get('message', '')}".strip(": ") for e in _errors(error)
    )
    return f"{error.status_code} {said}"[:300]


def address_refused(error: HTTPError) -> bool:
    """Notify said the email address, number or postal address cannot be sent to."""
    for e in _errors(error):
        message = str(e.get("message", "")).lower()
        if e.get("error") == "ValidationError" and (
            message.startswith(ADDRESS_FIELDS) or any(w in message for w in ADDRESS_WORDS)
        ):
            return True
    return False


def _not_reached(error: HTTPError) -> bool:
    """The request never got to Notify: no connection was made."""
    cause = error.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return True
    reason = getattr(cause.args[0], "reason", None) if cause and cause.args else None
    return isinstance(cause, requests.ConnectionError) and isinstance(reason, NewConnectionError)


class NotifySender:
    def __init__(self, client: NotificationsAPIClient) -> None:
        self.client = client

    def _post(self, item: Outgoing) -> dict[str, Any]:
        personalisation = {"subject": item.subject, "body": item.body}
        if item.channel == "email":
            return self.client.send_email_notification(  # type: ignore[no-any-return]
                email_address=item.to,
                template_id=settings.TAKEUP_NOTIFY_EMAIL_TEMPLATE,
                personalisation=personalisation,
                reference=item.reference,
                one_click_unsubscribe_url=item.unsubscribe_url or None,
            )
        if item.channel == "sms":
            return self.client.send_sms_notification(  # type: ignore[no-any-return]
                phone_number=item.to,
                template_id=settings.TAKEUP_NOTIFY_SMS_TEMPLATE,
                personalisation=personalisation,
                reference=item.reference,
            )
        given = item.personalisation or {}
        lines = {k: given[k] for k in [*LETTER_LINES, "postcode"] if given.get(k)}
        return self.client.send_letter_notification(  # type: ignore[no-any-return]
            template_id=settings.TAKEUP_NOTIFY_LETTER_TEMPLATE,
            personalisation={**lines, **personalisation},
            reference=item.reference,
        )

    def send(self, item: Outgoing, mark_sent: Mark) -> Outcome:
        if not mark_sent():
            return Outcome("retry", "claim lost")
        try:
            answer = self._post(item)
        except HTTPError as error:
            text = _text(error)
            answered = error.response is not None and error.status_code != 504
            if not answered and not _not_reached(error):
                log.warning("delivery %s: no answer from Notify, kept as sent", item.delivery_id)
                return Outcome("retry", text)
            # Notify made nothing: the row marked sent can be tried again or failed.
            if error.status_code == 400:
                return Outcome("failed", text, suppress=address_refused(error), unsent=True)
            if error.status_code == 403:
                # Every send fails the same way until someone fixes the key: say so loudly.
                log.error("Notify refused the API key (TAKEUP_NOTIFY_API_KEY): %s", text)
            return Outcome("retry", text, unsent=True)
        return Outcome("sent", reference=str(answer.get("id", "")))


@contextmanager
def notify_sender() -> Iterator[Sender]:
    """A sender for a batch: one HTTP session for all of it."""
    client = NotificationsAPIClient(
        settings.TAKEUP_NOTIFY_API_KEY, base_url=settings.TAKEUP_NOTIFY_BASE_URL, timeout=30
    )
    try:
        yield NotifySender(client)
    finally:
        client.request_session.close()

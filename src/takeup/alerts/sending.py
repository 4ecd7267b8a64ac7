"""Handing one email or text to the provider, and what came of it.

The worker records a delivery as sent *before* the provider can act on it and after everything
that can fail has been said, so that a worker killed at any point gives each person one email
(decision 0017). Over SMTP that point is the final "." of DATA: the envelope, the headers and
the body are sent first, then the row is marked sent, then the "." goes. A worker killed before
the mark leaves the row "sending" and the server drops the unfinished mail; one killed after it
has written the "." or is one Python step from it."""

import binascii
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.header import Header
from email.utils import formataddr, formatdate
from typing import NamedTuple, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class Outgoing(NamedTuple):
    """One delivery, ready to go."""

    delivery_id: int
    channel: str
    to: str
    subject: str
    body: str
    reference: str
    # The one-click address (RFC 8058) and the manage page, for List-Unsubscribe.
    unsubscribe_url: str = ""
    personalisation: dict[str, str] | None = None


class Outcome(NamedTuple):
    status: str  # "sent", "retry" or "failed"
    error: str = ""
    reference: str = ""
    # A permanent failure of the address itself (not of this message): end its subscriptions.
    suppress: bool = False
    # The provider answered that it made nothing, after the row was marked sent: the row may
    # be tried again (Notify's errors; SMTP's are all said before the mark).
    unsent: bool = False


class Mark(Protocol):
    """Marks the delivery sent and returns whether it is still this worker's; `then` runs the
    moment the mark is safe, before anything else (the provider's final write)."""

    def __call__(self, then: Callable[[], object] | None = None) -> bool: ...


class Sender(Protocol):
    def send(self, item: Outgoing, mark_sent: Mark) -> Outcome: ...


def email_message(item: Outgoing) -> EmailMessage:
    headers = {"Message-ID": f"<{item.reference}@takeup>"}
    if item.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{item.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(
        item.subject, item.body, settings.DEFAULT_FROM_EMAIL, [item.to], headers=headers
    )


def _header(text: str) -> str:
    """A header value: as it is in ASCII, else RFC 2047 UTF-8 (a Welsh ŵ in a subject)."""
    return text if text.isascii() else Header(text, "utf-8").encode()


def mime_bytes(item: Outgoing) -> bytes:
    """The email as sent over SMTP: plain text in UTF-8, quoted-printable. Built by hand, not
    with Django's EmailMessage: these few headers cost a tenth as much, which is most of the
    difference in a send of thousands (bench/alerts.py)."""
    sender = settings.DEFAULT_FROM_EMAIL
    name, _, address = sender.rpartition("<")
    if name:
        sender = formataddr((_header(name.strip()), address.rstrip(">")))
    headers = [
        f"From: {sender}",
        f"To: {item.to}",
        f"Subject: {_header(item.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: <{item.reference}@takeup>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]
    if item.unsubscribe_url:
        headers.append(f"List-Unsubscribe: <{item.unsubscribe_url}>")
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    body = binascii.b2a_qp(item.body.encode(), istext=True)
    return "\r\n".join(headers).encode() + b"\r\n\r\n" + body


def smtp_data(raw: bytes) -> bytes:
    """A message as DATA carries it: CRLF line ends and leading dots doubled (RFC 5321 4.5.2),
    without the final "."."""
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


def _smtp_outcome(code: int, reply: bytes, where: str) -> Outcome:
    text = f"{where}: {code} {reply.decode(errors='replace')}"[:300]
    if 400 <= code < 500 or code < 0:
        return Outcome("retry", text)
    # 550/551/553 at RCPT: the mailbox does not exist or is refused.
    return Outcome("failed", text, suppress=where == "RCPT" and code in (550, 551, 553))


class SmtpSender:
    """Talks SMTP itself (with Django's EMAIL_* settings), so the row can be marked sent just
    before the final "."; Django's backend sends the whole DATA in one call."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self.sender = settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")

    def send(self, item: Outgoing, mark_sent: Mark) -> Outcome:
        data = smtp_data(mime_bytes(item))
        smtp = self.smtp
        # The commands as smtplib's mail() and rcpt() send them, without their address parsing:
        # the addresses were checked when they were taken.
        smtp.putcmd("mail", f"FROM:<{self.sender}>")
        code, reply = smtp.getreply()
        if code != 250:
            smtp.rset()
            return _smtp_outcome(code, reply, "MAIL")
        smtp.putcmd("rcpt", f"TO:<{item.to}>")
        code, reply = smtp.getreply()
        if code not in (250, 251):
            smtp.rset()
            return _smtp_outcome(code, reply, "RCPT")
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            smtp.rset()
            return _smtp_outcome(code, reply, "DATA")
        smtp.send(data)
        sock = smtp.sock
        # The "." is written from inside the mark, the moment it is safe: the gap a killed
        # worker could fall into is those few steps.
        if sock is None or not mark_sent(then=lambda: sock.sendall(b".\r\n")):
            # Another worker took the delivery over: drop this copy unfinished (the server
            # discards a DATA cut off before its ".").
            smtp.close()
            raise smtplib.SMTPServerDisconnected("claim lost")
        code, reply = smtp.getreply()
        if code != 250:
            return _smtp_outcome(code, reply, "end of DATA")
        return Outcome("sent", reference=item.reference)


class DjangoMailSender:
    """Any other Django email backend (the console in development, memory in tests): the mail
    is handed over whole, then marked sent."""

    def __init__(self) -> None:
        self.connection = get_connection()

    def send(self, item: Outgoing, mark_sent: Mark) -> Outcome:
        try:
            self.connection.send_messages([email_message(item)])
        except (OSError, smtplib.SMTPException) as error:
            return Outcome("retry", str(error)[:300])
        mark_sent()
        return Outcome("sent", reference=item.reference)


def smtp_in_use() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"


@contextmanager
def email_sender() -> Iterator[Sender]:
    """A sender for a batch: one SMTP connection for all of it."""
    if not smtp_in_use():
        yield DjangoMailSender()
        return
    smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=30)
    # The "." goes in a write of its own; without this, Nagle's algorithm holds it back until
    # the server acknowledges the body, and every message waits on a delayed ACK.
    if smtp.sock is not None:
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        smtp.ehlo()
        if settings.EMAIL_USE_TLS:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        yield SmtpSender(smtp)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class RateLimiter:
    """At most `per_minute` sends a minute from this worker, evenly spaced."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.gap = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock = clock
        self.next_at = clock()

    def wait(self) -> None:
        if not self.gap:
            return
        now = self.clock()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(now, self.next_at) + self.gap

    def slow_down(self, seconds: float) -> None:
        """The provider said too many (Notify's 429): wait before the next send."""
        self.next_at = max(self.next_at, self.clock() + seconds)

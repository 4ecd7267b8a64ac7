"""Alerts: fan-out, SMTP sending, and a worker killed mid-send (issue 16).

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/alerts.py
    .venv/bin/python bench/alerts.py crash --database sqlite:////tmp/x.sqlite3 --subscribers 1000

- fanout: one message to 100,000 subscribers (deliveries queued by services.fanout), beside a
  raw bulk insert of the same rows (psycopg executemany) in the same run. Target: at least half.
- smtp: delivery to a local SMTP sink (aiosmtpd) through the worker's send loop, beside a bare
  smtplib loop over the same messages. Target: at least half.
- crash: 10,000 subscribers, `takeup worker` killed with SIGKILL several times mid-send, then
  restarted; the sink counts each subscriber's emails. Target: 0 duplicates, 0 missing.
  tests/alerts/test_crash.py runs this on 1,000 subscribers.

Writes bench/results/alerts.json (the crash mode prints its JSON instead, or writes --out).
"""

import argparse
import json
import logging
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).parent.parent
ACCEPT_MS = 2
TAKEUP = str(ROOT / ".venv/bin/takeup")


class Sink:
    """An SMTP server (aiosmtpd) in a process of its own, as a real one would be, writing each
    recipient of each message it accepts to a file, a line each."""

    def __init__(self, accept_ms: int = 0) -> None:
        with socket.socket() as probe:  # a free port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = Path(tempfile.mkdtemp(prefix="takeup-sink-")) / "received.txt"
        self.log.touch()
        self.process = subprocess.Popen(
            [
                *(sys.executable, __file__, "sink", "--port", str(self.port)),
                *("--out", str(self.log), "--accept-ms", str(accept_ms)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.05)
        self._offset = 0
        self._total = 0

    def total(self) -> int:
        with self.log.open("rb") as f:
            f.seek(self._offset)
            new = f.read()
        whole = new[: new.rfind(b"\n") + 1]
        self._offset += len(whole)
        self._total += whole.count(b"\n")
        return self._total

    @property
    def received(self) -> Counter[str]:
        return Counter(self.log.read_text().split())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def serve_sink(port: int, out: str, accept_ms: int) -> None:
    import asyncio

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class Patient(SMTP):
        """Takes a message whose final "." has arrived even when the client closes straight
        after it, as Postfix does. aiosmtpd on its own cancels whatever it has not yet read
        when the close arrives, and so drops a message the client has finished sending."""

        def eof_received(self) -> bool:
            asyncio.StreamReaderProtocol.eof_received(
                self
            )  # the reader sees the end after the rest
            return True  # keep the transport until the handler has read what came before

    class PatientController(Controller):
        def factory(self) -> SMTP:
            return Patient(self.handler, **self.SMTP_kwargs)

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    log = open(out, "a", buffering=1)  # noqa: SIM115 - open while the server runs

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            for rcpt in envelope.rcpt_tos:
                log.write(rcpt + "\n")
            if accept_ms:  # a mail server writes the message to its queue (and disk) first
                await asyncio.sleep(accept_ms / 1000)
            return "250 OK"

    controller = PatientController(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM})
    controller.stop()


def _env(database_url: str, port: int, lease: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "ALERTS_PER_MINUTE": "0",
        "ALERTS_LEASE_SECONDS": str(lease),
        "LOG_LEVEL": "WARNING",
        "TAKEUP_VAR_DIR": os.environ.get(
            "TAKEUP_VAR_DIR", tempfile.mkdtemp(prefix="takeup-crash-")
        ),
    }


def _seed(n: int, *, frequency: str = "immediately") -> Any:
    from django.utils import timezone

    from takeup.alerts.models import Subscriber, Subscription, Topic
    from takeup.organisations.models import Organisation

    org = Organisation.objects.create(
        name="Crash Test Council", slug=f"crash-{uuid.uuid4().hex[:8]}"
    )
    topic = Topic.objects.create(
        organisation=org, slug="news", kind="news", name="News", promise="News"
    )
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        [
            Subscriber(organisation=org, channel="email", address=f"s{i}@crash.example")
            for i in range(n)
        ],
        batch_size=5000,
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                organisation=org, subscriber=s, topic=topic, frequency=frequency, confirmed_at=now
            )
            for s in subscribers
        ],
        batch_size=5000,
    )
    return org, topic


def _open_deliveries() -> int:
    from takeup.alerts.models import Delivery

    return Delivery.objects.filter(status__in=["queued", "sending", "retry"]).count()


def crash(
    database_url: str, subscribers: int, kills: int, lease: int = 2, timeout: float = 600
) -> dict[str, Any]:
    """Kill the worker `kills` times at random points of its send, restart it, and count. The
    server takes 2 ms to accept each message, as a real one writing its queue file would."""
    sink = Sink(accept_ms=ACCEPT_MS)
    env = _env(database_url, sink.port, lease)
    os.environ.update(
        {
            k: env[k]
            for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "TAKEUP_VAR_DIR")
        }
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "takeup.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from takeup.alerts import services
    from takeup.alerts.models import Message

    org, topic = _seed(subscribers)
    message = services.message_create(
        organisation=org, topics=[topic], subject="Crash test", body="One each"
    )
    rng = random.Random()  # noqa: S311 - when to kill, not a secret
    killed = 0
    started = time.monotonic()
    try:
        for _ in range(kills):
            worker = subprocess.Popen(
                [TAKEUP, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            # Kill part-way: once the sink has seen a random share of this stretch, plus a
            # random wait of up to a few messages' time, so the kill can land at any step.
            target = sink.total() + rng.randint(1, max(1, subscribers // (kills + 1)))
            while (
                sink.total() < target
                and worker.poll() is None
                and time.monotonic() - started < timeout
            ):
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.01))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed += 1
            time.sleep(lease + 0.5)  # its claims lapse
        worker = subprocess.Popen(
            [TAKEUP, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while time.monotonic() - started < timeout:
            time.sleep(0.5)
            message.refresh_from_db()
            if message.fanout_done_at is not None and _open_deliveries() == 0:
                break
        time.sleep(0.5)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        sink.stop()
    expected = {f"s{i}@crash.example" for i in range(subscribers)}
    got = sink.received
    return {
        "crash.subscribers": subscribers,
        "crash.kills": killed,
        "crash.delivered": sum(1 for a in expected if got[a] >= 1),
        "crash.duplicates": sum(max(0, got[a] - 1) for a in expected),
        "crash.missing": sum(1 for a in expected if got[a] == 0),
        "crash.seconds": round(time.monotonic() - started, 1),
        "crash.database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "crash.messages_in_db": Message.objects.count(),
    }


def fanout_bench(n: int) -> dict[str, Any]:
    from django.db import connection

    from takeup.alerts import services
    from takeup.alerts.models import Delivery, Message

    org, topic = _seed(n)
    message = Message.objects.create(organisation=org, subject="Bench", body="x")
    message.topics.set([topic])
    t = time.perf_counter()
    added = services.fanout("message", message.pk)
    ours = time.perf_counter() - t
    rows = list(
        Delivery.objects.filter(message=message).values_list(
            "organisation_id", "channel", "subscriber_id"
        )
    )
    Delivery.objects.filter(message=message).delete()
    raw_message = Message.objects.create(organisation=org, subject="Raw", body="x")
    params = [
        (o, "message", c, 1, s, raw_message.pk, "queued", 0, "", "", "", "") for o, c, s in rows
    ]
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(0, len(params), services.FANOUT_BATCH):
            cursor.executemany(
                "INSERT INTO alerts_delivery (organisation_id, purpose, channel, priority, "
                "subscriber_id, message_id, status, attempts, claimed_by, created_at, reference, "
                "error, address) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, now(), %s, %s, %s)",
                params[i : i + services.FANOUT_BATCH],
            )
    raw = time.perf_counter() - t
    Delivery.objects.filter(message=raw_message).delete()  # not for the SMTP run to send
    return {
        "fanout.rows": added,
        "fanout.rows_per_s": round(added / ours),
        "fanout.raw_rows_per_s": round(len(params) / raw),
        "fanout.ratio": round(raw / ours, 2),
    }


def smtp_bench(n: int) -> dict[str, Any]:
    from django.conf import settings

    from takeup.alerts import content, services, tasks
    from takeup.alerts.models import Delivery, Message

    sink = Sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    org, topic = _seed(n)
    message = Message.objects.create(organisation=org, subject="Bench", body="x")
    message.topics.set([topic])
    services.fanout("message", message.pk)
    items, _ = content.outgoing(
        list(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    )
    t = time.perf_counter()
    services.deliveries_send(
        outgoing=content.outgoing, sender_for=tasks.sender_for, per_minute=0, lease=tasks.lease()
    )
    ours = time.perf_counter() - t
    if sink.total() != n:
        raise SystemExit(f"the send loop delivered {sink.total()} of {n}")
    from takeup.alerts.sending import mime_bytes

    built = [mime_bytes(i) for i in items]
    t = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as bare:
        for item, raw in zip(items, built, strict=True):
            bare.sendmail("no-reply@takeup.invalid", [item.to], raw)
    baseline = time.perf_counter() - t
    sink.stop()
    return {
        "smtp.messages": n,
        "smtp.messages_per_s": round(n / ours),
        "smtp.bare_messages_per_s": round(n / baseline),
        "smtp.ratio": round(baseline / ours, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="all", choices=["all", "crash", "sink"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accept-ms", type=int, default=0)
    parser.add_argument("--database", default="")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.mode == "sink":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        serve_sink(args.port, args.out, args.accept_ms)
        return
    if args.mode == "crash":
        result = crash(args.database, args.subscribers, args.kills)
        text = json.dumps(result, indent=2)
        if args.out:
            Path(args.out).write_text(text)
        print(text)
        return
    from common import postgres_bench_url, record, setup_django

    crash_result = crash(
        postgres_bench_url("takeup_bench_alerts_crash"), args.subscribers, args.kills
    )
    # crash() set Django up on its database; the rest run on the same connection settings.
    results = {**crash_result, **fanout_bench(100_000), **smtp_bench(5_000)}
    del setup_django
    print(json.dumps(results, indent=2))
    print(record("alerts.json", results))


if __name__ == "__main__":
    main()

import logging
import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connection, connections

from takeup.core import ticks
from takeup.organisations.services import worker_beat

logger = logging.getLogger(__name__)


def beat(worker_id: str, stop: threading.Event) -> None:
    """Say this worker is alive until stopped, so its tasks are not taken for lost."""
    while True:
        try:
            worker_beat(worker_id)
        except DatabaseError:
            logger.warning("worker %s could not say it is alive; trying again", worker_id)
        finally:
            close_old_connections()
        if stop.wait(settings.TAKEUP_WORKER_BEAT_SECONDS):
            connections.close_all()  # this thread's own
            return


class Command(BaseCommand):
    help = (
        "Run the background task worker (django-tasks DatabaseBackend) until stopped, with the "
        "schedule (the monthly briefing) ticking beside it. Run as many as you like, on as many "
        "machines: they share the queue, and no task is given to two."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Check the schedule once, run the tasks waiting now, then stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        stop = threading.Event()
        threads = []
        # A batch on SQLite says it is alive once: SQLite is one machine, and a second writer
        # beside the tasks would only wait for their lock.
        if options["batch"] and connection.vendor == "sqlite":
            worker_beat(worker_id)
        else:
            threads.append(threading.Thread(target=beat, args=(worker_id, stop), daemon=True))
        if not options["batch"]:
            threads.append(threading.Thread(target=ticks.run, args=(stop,), daemon=True))
        else:
            ticks.tick()
        for thread in threads:
            thread.start()
        worker = ["db_worker", "--no-startup-delay", "--worker-id", worker_id]
        try:
            call_command(*worker, *(["--batch"] if options["batch"] else []))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from takeup.core import ticks


class Command(BaseCommand):
    help = (
        "Run the background task worker (django-tasks DatabaseBackend) until stopped, with the "
        "schedule (the monthly briefing) ticking beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Check the schedule once, run the tasks waiting now, then stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            ticks.tick()
            call_command("db_worker", "--batch", "--no-startup-delay")
            return
        stop = threading.Event()
        clock = threading.Thread(target=ticks.run, args=(stop,), name="schedule", daemon=True)
        clock.start()
        try:
            call_command("db_worker", "--no-startup-delay")
        finally:
            stop.set()

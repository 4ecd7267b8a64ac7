from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.ledger.pull import PullFailed
from takeup.ledger.tasks import source_pull, sources_pull


class Command(BaseCommand):
    help = (
        "Fetch yesterday's web visits for every source with a pull (run it daily, from cron or "
        "a systemd timer): `takeup pull` queues them for the worker; `takeup pull --now "
        "--source ID --day 2026-03-02` fetches one at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Fetch here, not in the worker")
        parser.add_argument("--source", type=int, help="One source, by its id")
        parser.add_argument("--day", help="The day to fetch, yyyy-mm-dd (default: yesterday)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["day"]
        if day:
            try:
                date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError(f"Write the day as yyyy-mm-dd: '{day}'.") from exc
        if not options["now"] and options["source"] is None and day is None:
            queued = sources_pull.call()
            self.stdout.write(f"Queued the pull of {len(queued)} sources for the worker.")
            return
        if options["source"] is None:
            raise CommandError("Say which source with --source ID.")
        try:
            status = source_pull.call(options["source"], day)
        except PullFailed as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        if status in ("no pull set", "failed", "rejected"):
            raise CommandError(f"Nothing imported ({status}): see the source's imports.")
        self.stdout.write(self.style.SUCCESS(f"Pulled: {status}."))

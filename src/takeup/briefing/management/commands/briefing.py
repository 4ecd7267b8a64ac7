"""`takeup briefing --organisation SLUG --month YYYY-MM --out FILE.pdf`: one briefing by hand."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.briefing.services import briefing_file, languages_for
from takeup.core.text import month_argument
from takeup.organisations.models import Organisation


class Command(BaseCommand):
    help = "Write the monthly briefing for the top management team as a PDF, from the live figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's short name")
        parser.add_argument("--month", required=True, type=month_argument, help="YYYY-MM")
        parser.add_argument("--out", required=True, type=Path, help="The PDF file to write")
        parser.add_argument(
            "--language",
            choices=["en", "cy"],
            help="English or Welsh (default: Welsh for Welsh organisations, else English)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        org = Organisation.objects.filter(slug=o["organisation"]).first()
        if org is None:
            raise CommandError(f"No organisation has the short name “{o['organisation']}”.")
        if not o["out"].parent.is_dir():
            raise CommandError(f"The folder {o['out'].parent} does not exist.")
        _name, pdf = briefing_file(org, o["month"], o["language"] or languages_for(org)[0])
        o["out"].write_bytes(pdf)
        self.stdout.write(f"Wrote the briefing for {o['month']:%B %Y} to {o['out']}.")

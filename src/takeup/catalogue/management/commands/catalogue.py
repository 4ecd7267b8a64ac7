from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.catalogue.csvimport import parse_catalogue
from takeup.catalogue.services import CatalogueRejected, catalogue_import
from takeup.organisations.management import organisation_from


class Command(BaseCommand):
    help = "The service catalogue from the command line: `takeup catalogue import FILE.csv`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser(
            "import", help="Add or update services from a catalogue CSV (all or nothing)"
        )
        load.add_argument("file", type=Path)
        load.add_argument("--organisation", help="The organisation's slug (needed if several)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organisation_from(options["organisation"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            result = catalogue_import(
                organisation=org, parsed=parse_catalogue(path.read_bytes()), file_name=path.name
            )
        except CatalogueRejected as exc:
            for error in exc.errors:
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"line {error.line}{column}: {error.message}")
            raise CommandError(
                f"Nothing imported: {len(exc.errors)} problems in {path.name} (listed above)."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {result.created} services added, {result.updated} updated, "
                f"{result.areas_created} service areas added."
            )
        )

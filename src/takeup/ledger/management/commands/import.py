from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from takeup.ledger.models import Period
from takeup.ledger.services import data_source_for, volumes_import
from takeup.organisations.models import Organisation


class Command(BaseCommand):
    help = "Import volumes from a CSV or XLSX file (long or wide layout) for one data source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="The data source's name")
        parser.add_argument("--organisation", help="The organisation's slug (needed if several)")
        parser.add_argument(
            "--period",
            default="day",
            choices=Period.values,
            help="The period of rows that do not say (default: day)",
        )
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="Import the valid rows even if some are rejected",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = self._organisation(options["organisation"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        data = path.read_bytes()
        try:
            source = data_source_for(org, options["source"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=None,
            transient=True,
        ) as bar:
            task = bar.add_task(f"Importing {path.name}", total=None)
            outcome = volumes_import(
                organisation=org,
                source=source,
                data=data,
                file_name=path.name,
                default_period=options["period"],
                only_valid=options["only_valid"],
                progress=lambda n: bar.update(task, completed=n, total=max(n, 1)),
            )
        batch = outcome.batch
        for error in batch.errors:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stderr.write(f"line {error['line']}{column}: {error['message']}")
        if not outcome.imported:
            raise CommandError(
                f"Nothing imported: {batch.rows_rejected} of {batch.rows_read} rows were rejected "
                "(listed above). Fix them, or use --only-valid to import the rest."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {batch.rows_accepted} rows from {path.name} into {batch.source.name} "
                f"({batch.period_from} to {batch.period_to}); replaced "
                f"{batch.rows_replaced} earlier figures; rejected {batch.rows_rejected}."
            )
        )

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            org = Organisation.objects.filter(slug=slug).first()
            if org is None:
                raise CommandError(f"No organisation has the slug '{slug}'.")
            return org
        orgs = list(Organisation.objects.all()[:2])
        if len(orgs) != 1:
            raise CommandError("Say which organisation with --organisation SLUG.")
        return orgs[0]

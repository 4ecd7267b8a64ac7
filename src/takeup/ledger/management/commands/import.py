from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from takeup.ledger import published
from takeup.ledger.matching import group_errors
from takeup.ledger.models import DataSource, Period
from takeup.ledger.published_services import published_import
from takeup.ledger.services import (
    ImportBusy,
    ImportOutcome,
    data_source_get_or_create,
    volumes_import,
)
from takeup.organisations.management import organisation_from


class Command(BaseCommand):
    help = "Import volumes from a CSV or XLSX file (long or wide layout) for one data source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", help="The data source's name")
        parser.add_argument(
            "--profile",
            choices=published.PROFILES,
            help="Read published data with a built-in profile (its source is named after it "
            "unless --source says otherwise); the catalogue gains the services it names",
        )
        parser.add_argument("--organisation", help="The organisation's slug (needed if several)")
        parser.add_argument(
            "--period",
            choices=Period.values,
            help="The period of rows that do not say, if the source's profile does not "
            "(default: day; a file whose dates look monthly or weekly is then refused)",
        )
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="Import the valid rows even if some are rejected",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the file exactly as an import does, and change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = organisation_from(options["organisation"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if options["profile"]:
            self._published(org, path, options)
            return
        if not options["source"]:
            raise CommandError("Say which data source with --source NAME (or use --profile).")
        source = self._source(org, options["source"], create=not options["dry_run"])
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=None,
            transient=True,
        ) as bar:
            task = bar.add_task(f"Importing {path.name}", total=None)
            try:
                outcome = volumes_import(
                    organisation=org,
                    source=source,
                    path=path,  # read from disk a piece at a time, never held whole
                    file_name=path.name,
                    default_period=options["period"] or "day",
                    only_valid=options["only_valid"],
                    dry_run=options["dry_run"],
                    progress=lambda n: bar.update(task, completed=n, total=max(n, 1)),
                )
            except ImportBusy as exc:
                raise CommandError(str(exc)) from exc
        self._report(outcome, path, options)

    def _published(self, org: Any, path: Path, options: dict[str, Any]) -> None:
        outcome = published_import(
            organisation=org,
            profile=options["profile"],
            data=path.read_bytes(),
            file_name=path.name,
            source_name=options["source"] or "",
            only_valid=options["only_valid"],
            dry_run=options["dry_run"],
        )
        reading = outcome.reading
        if reading.refused:
            raise CommandError(f"Nothing imported: {reading.refused}")
        errors = [{"line": n, "column": c, "message": m} for n, c, m in reading.errors]
        self._notes_and_errors(reading.notes, errors)
        if options["dry_run"]:
            self._dry_run(
                f"{len(reading.figures)} figures from {reading.lines} records",
                len(reading.errors),
                "figures",
                options,
            )
            return
        if outcome.batch is None:
            self._nothing_imported(f"{len(reading.errors)} figures were rejected", options)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.imported} published figures from {path.name} into "
                f"{outcome.batch.source.name} ({outcome.batch.period_from} to "
                f"{outcome.batch.period_to}); replaced {outcome.replaced} earlier figures; "
                f"rejected {len(reading.errors)}; added {outcome.services_added} services to "
                "the catalogue."
            )
        )

    def _source(self, org: Any, name: str, *, create: bool) -> DataSource:
        if not create:
            from takeup.core.text import slugify

            found = DataSource.objects.filter(organisation=org, slug=slugify(name)[:60]).first()
            return found or DataSource(organisation=org, name=name, slug=slugify(name)[:60])
        try:
            return data_source_get_or_create(org, name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _report(self, outcome: ImportOutcome, path: Path, options: dict[str, Any]) -> None:
        batch, read = outcome.batch, outcome.read
        if read.refused:
            raise CommandError(f"Nothing imported: {read.refused}")
        if read.header_line:
            skipped = ", ".join(f"{n} ({why})" for n, why in read.skipped_lines)
            self.stdout.write(
                f"Header on line {read.header_line}"
                + (f"; skipped above it: {skipped}" if skipped else "")
                + "; columns: "
                + "; ".join(f"{k} = {v}" for k, v in read.columns.items())
            )
        self._notes_and_errors(read.notes, batch.errors)
        if options["dry_run"]:
            self._dry_run(
                f"{batch.rows_accepted} of {batch.rows_read} rows",
                batch.rows_rejected,
                "rows",
                options,
            )
            return
        if not outcome.imported:
            self._nothing_imported(
                f"{batch.rows_rejected} of {batch.rows_read} rows were rejected", options
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {batch.rows_accepted} rows from {path.name} into {batch.source.name} "
                f"({batch.period_from} to {batch.period_to}); replaced "
                f"{batch.rows_replaced} earlier figures; rejected {batch.rows_rejected}."
            )
        )

    def _notes_and_errors(self, notes: list[str], errors: list[dict[str, Any]]) -> None:
        for note in notes:
            self.stdout.write(note)
        for where, column, message in group_errors(errors):
            self.stderr.write(f"{where}{f' [{column}]' if column else ''}: {message}")

    def _dry_run(self, would: str, rejected: int, what: str, options: dict[str, Any]) -> None:
        self.stdout.write(
            f"Dry run: {would} would be imported; {rejected} rejected. Nothing was changed."
        )
        if rejected and not options["only_valid"]:
            raise CommandError(f"The file has rejected {what} (listed above).")

    def _nothing_imported(self, why: str, options: dict[str, Any]) -> NoReturn:
        advice = "" if options["only_valid"] else ", or use --only-valid to import the rest"
        raise CommandError(f"Nothing imported: {why} (listed above). Fix them{advice}.")

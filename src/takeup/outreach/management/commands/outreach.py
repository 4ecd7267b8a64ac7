from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.organisations.models import Organisation
from takeup.outreach import imd
from takeup.outreach.services import neighbourhoods_import


class Command(BaseCommand):
    help = "Outreach: import an organisation's neighbourhoods from the indices of deprivation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imported = sub.add_parser(
            "import-imd",
            help=(
                "Import a local authority district's LSOAs, with their IMD 2019 rank and decile "
                "and their population, as the organisation's neighbourhoods."
            ),
        )
        imported.add_argument("--organisation", required=True, help="The organisation's slug")
        imported.add_argument(
            "--district",
            required=True,
            help="The district's name or code, such as Peterborough or E06000031",
        )
        imported.add_argument(
            "--file1",
            type=Path,
            default=imd.BUNDLED_FILE1,
            help="File 1 of the indices (IMD rank and decile); the copy in Takeup by default",
        )
        imported.add_argument(
            "--file6",
            type=Path,
            default=imd.BUNDLED_FILE6,
            help="File 6 of the indices (population denominators); the copy in Takeup by default",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["organisation"]).first()
        if org is None:
            raise CommandError(f"No organisation has the slug '{options['organisation']}'.")
        files = []
        for option in ("file1", "file6"):
            path: Path = options[option]
            try:
                files.append(path.read_bytes())
            except OSError as exc:
                raise CommandError(f"--{option} {path} cannot be read: {exc.strerror}.") from exc
        try:
            district = imd.read_district(files[0], files[1], options["district"])
        except imd.ImdError as exc:
            raise CommandError(str(exc)) from exc
        result = neighbourhoods_import(org, district)
        names = ", ".join(sorted({lsoa.district_name for lsoa in district.lsoas}))
        self.stdout.write(
            f"{names}: {len(district.lsoas)} neighbourhoods for {org.slug} "
            f"({result.created} added, {result.updated} updated)."
        )
        if district.without_population:
            self.stderr.write(
                f"{len(district.without_population)} have no population in File 6: "
                f"{', '.join(district.without_population[:5])}"
            )

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.ledger.profile import (
    CONSTANT_FIELDS,
    FIELDS,
    ProfileError,
    parse_grain,
    parse_header_line,
    parse_pages,
    parse_pairs,
    parse_pull,
    parse_sheet,
)
from takeup.ledger.services import data_source_get_or_create, source_profile_save
from takeup.organisations.management import organisation_from


class Command(BaseCommand):
    help = (
        "Set up a data source's profile, so that every file from it just imports: "
        "`takeup source set NAME --header-line auto --column count='ACD Calls' "
        "--constant channel=Phone --grain day`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        setting = actions.add_parser("set", help="Make or change a source and its profile")
        setting.add_argument("name", help="The data source's name (made if it is new)")
        setting.add_argument("--organisation", help="The organisation's slug (needed if several)")
        setting.add_argument(
            "--header-line", help="The line number of the header, or auto to find it"
        )
        setting.add_argument("--sheet", help="A workbook's sheet, by name or number from 1")
        setting.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=THEIR_NAME",
            help=f"Which of their columns is one of ours ({', '.join(FIELDS)}); repeatable",
        )
        setting.add_argument(
            "--constant",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="What the files do not say: " + ", ".join(CONSTANT_FIELDS) + "; repeatable",
        )
        setting.add_argument("--grain", help="day, week or month")
        setting.add_argument(
            "--page",
            action="append",
            default=[],
            metavar="PREFIX=SERVICE_SLUG",
            help="A page rule for web analytics exports: pages whose path starts with PREFIX "
            "are the service's (the longest prefix wins); repeatable",
        )
        setting.add_argument(
            "--pull",
            choices=("matomo", "plausible", "off"),
            help="Fetch yesterday's web visits every day from Matomo or Plausible (off: stop)",
        )
        setting.add_argument("--pull-url", help="The analytics site's address, https://…")
        setting.add_argument("--pull-site", help="Matomo's idSite, or Plausible's site domain")
        setting.add_argument("--pull-token", help="The API token (Matomo's token_auth)")
        setting.add_argument(
            "--clear", action="store_true", help="Forget the profile's column mapping and constants"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = organisation_from(options["organisation"])
        try:
            changes: dict[str, Any] = {
                "columns": parse_pairs(options["column"], FIELDS, "column"),
                "constants": parse_pairs(options["constant"], CONSTANT_FIELDS, "constant"),
            }
            if options["header_line"] is not None:
                changes["header_line"] = parse_header_line(options["header_line"])
            if options["sheet"] is not None:
                changes["sheet"] = parse_sheet(options["sheet"])
            if options["grain"] is not None:
                changes["grain"] = parse_grain(options["grain"])
            if options["page"]:
                changes["pages"] = parse_pages(options["page"])
            if options["pull"] == "off":
                changes["pull"] = None
            elif options["pull"]:
                changes["pull"] = parse_pull(
                    options["pull"],
                    options["pull_url"],
                    options["pull_site"],
                    options["pull_token"],
                )
            source = data_source_get_or_create(org, options["name"])
            profile = source_profile_save(source=source, clear=options["clear"], **changes)
        except (ProfileError, ValidationError) as exc:
            message = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(message)) from exc
        self.stdout.write(self.style.SUCCESS(f"{source.name}: profile saved."))
        for setting, value in profile.describe():
            self.stdout.write(f"  {setting}: {value}")

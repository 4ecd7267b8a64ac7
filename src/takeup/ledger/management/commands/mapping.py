from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.catalogue.models import Channel, Service
from takeup.ledger.models import DataSource, Measure
from takeup.ledger.names import normalise, suggestions
from takeup.ledger.services import mapping_save
from takeup.organisations.management import organisation_from


class Command(BaseCommand):
    help = (
        "Say what a data source's own names mean: "
        "`takeup mapping add --source 'Phone system' --kind channel Telephone Phone`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        adding = actions.add_parser("add", help="Map one of the source's names to ours")
        adding.add_argument("their_value", help="The name as the source's files write it")
        adding.add_argument("our_name", help="Our service, channel or measure (name or slug)")
        adding.add_argument("--source", required=True, help="The data source's name")
        adding.add_argument("--kind", required=True, choices=["service", "channel", "measure"])
        adding.add_argument("--organisation", help="The organisation's slug (needed if several)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = organisation_from(options["organisation"])
        source = DataSource.objects.filter(organisation=org, name=options["source"]).first()
        if source is None:
            raise CommandError(
                f"No data source called '{options['source']}': make it with "
                "`takeup source set NAME` first."
            )
        kind, ours = options["kind"], options["our_name"]
        target: dict[str, Any] = {}
        if kind == "measure":
            measure = next((m for m in Measure.values if normalise(m) == normalise(ours)), None)
            if measure is None:
                raise CommandError(f"'{ours}' is not a measure: use {', '.join(Measure.values)}.")
            target["measure"] = measure
        else:
            choices: list[Service | Channel] = list(
                (Service if kind == "service" else Channel).objects.filter(organisation=org)
            )
            found = next(
                (c for c in choices if normalise(ours) in (normalise(c.name), c.slug)), None
            )
            if found is None:
                close = suggestions(ours, [c.name for c in choices])
                hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise CommandError(f"No {kind} called '{ours}'.{hint}")
            target[kind] = found
        try:
            mapping_save(source=source, kind=kind, source_name=options["their_value"], **target)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{source.name}: '{options['their_value']}' now means the {kind} "
                f"'{target.get(kind) or target.get('measure')}'."
            )
        )

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.organisations.models import Organisation
from takeup.organisations.services import membership_add, organisation_create


class Command(BaseCommand):
    help = "Create an organisation, with its standard channels and unit costs, and its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organisation.")
        create.add_argument("--name", required=True, help="Such as 'Millbrook City Council'")
        create.add_argument("--slug", required=True, help="Short name used in addresses")
        create.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        create.add_argument("--nation", required=True, choices=Organisation.Nation.values)
        create.add_argument("--domains", default="", help="Allowed web domains, comma-separated")
        create.add_argument("--admin", required=True, help="The first admin's email address")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_create(
                name=options["name"],
                slug=options["slug"],
                kind=options["kind"],
                nation=options["nation"],
                allowed_domains=[d for d in options["domains"].split(",") if d.strip()],
            )
            membership_add(organisation=org, email=options["admin"], role="admin")
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
            raise CommandError(f"Nothing was created. Fix: {problems}") from exc
        self.stdout.write(
            f"Created {org.name} ({org.slug}). {options['admin']} is its admin: they "
            "set a password with “I have forgotten my password” at /sign-in/."
        )

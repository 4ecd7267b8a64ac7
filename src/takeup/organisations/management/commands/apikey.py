from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.organisations.models import ApiKey, Organisation
from takeup.organisations.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Create, list or revoke an organisation's API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key; its secret is printed once.")
        create.add_argument("--organisation", required=True, help="The organisation's slug")
        create.add_argument("--name", required=True, help="What the key is for")
        listing = sub.add_parser("list", help="List an organisation's keys.")
        listing.add_argument("--organisation", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("--organisation", required=True)
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["organisation"]).first()
        if org is None:
            raise CommandError(
                f"No organisation has the slug '{options['organisation']}'. "
                "Check it on the organisation's overview page."
            )
        if options["action"] == "create":
            name = options["name"].strip()
            if not name:
                raise CommandError("Give the key a name with --name, such as 'CRM export'.")
            _, raw = api_key_create(organisation=org, name=name)
            self.stdout.write(raw)
            self.stderr.write("Store this key now: it is not kept and cannot be shown again.")
        elif options["action"] == "list":
            for key in ApiKey.objects.filter(organisation=org):
                state = "revoked" if key.revoked_at else "active"
                used = key.last_used_at.isoformat() if key.last_used_at else "never used"
                self.stdout.write(f"tk_{key.prefix}_…  {state:<8} {used:<32} {key.name}")
        else:
            found = ApiKey.objects.filter(organisation=org, prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"{org.slug} has no key starting tk_{options['prefix']}_.")
            api_key_revoke(api_key=found)
            self.stdout.write(f"Revoked tk_{found.prefix}_… ({found.name}).")

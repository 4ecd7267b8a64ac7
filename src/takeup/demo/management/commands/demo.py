import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from takeup.demo.services import demo_create
from takeup.ledger.models import Volume


class Command(BaseCommand):
    help = "Build the demo organisation, Millbrook City Council, replacing any earlier build."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=3, help="Years of daily volumes")

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        org, sign_ins = demo_create(years=options["years"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {org.name}: {org.services.count()} services in "
                f"{org.service_areas.count()} service areas and "
                f"{Volume.objects.filter(organisation=org).count():,} daily volumes, "
                f"in {seconds:.1f} s."
            )
        )
        self.stdout.write("Sign in at http://127.0.0.1:8000/sign-in/ as:")
        for s in sign_ins:
            self.stdout.write(f"  {s.role:<7} {s.email}  password: {s.password}")

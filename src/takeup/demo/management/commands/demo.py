import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from takeup.campaigns.estimates import estimates_run
from takeup.campaigns.models import Campaign, EstimateRun
from takeup.demo.neighbourhoods import ATTRIBUTION
from takeup.demo.peers import demo_peers_create
from takeup.demo.services import demo_create
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation


class Command(BaseCommand):
    help = "Build the demo organisation, Millbrook City Council, replacing any earlier build."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=3, help="Years of daily volumes")
        parser.add_argument(
            "--host",
            default="127.0.0.1:8000",
            help="Where the demo will be served, for the sign-in address it prints",
        )
        parser.add_argument(
            "--no-estimates", action="store_true", help="Leave the campaign estimates to be run"
        )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        org, sign_ins = demo_create(years=options["years"])
        demo_peers_create(org)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {org.name}: {org.services.count()} services in "
                f"{org.service_areas.count()} service areas and "
                f"{Volume.objects.filter(organisation=org).count():,} daily volumes, "
                f"in {seconds:.1f} s."
            )
        )
        self.stdout.write(f"{ATTRIBUTION}.")
        if not options["no_estimates"]:
            self._estimates(org)
        self.stdout.write(f"Sign in at http://{options['host']}/sign-in/ as:")
        for s in sign_ins:
            self.stdout.write(f"  {s.role:<7} {s.email}  password: {s.password}")

    def _estimates(self, org: Organisation) -> None:
        """Estimate every demo campaign's effect now, so the campaign pages are ready."""
        campaigns = list(Campaign.objects.filter(organisation=org).order_by("starts_on"))
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as progress:
            # A campaign in phases is estimated phase by phase, so this counts phases.
            bar = progress.add_task(
                "Estimating campaign effects, phase by phase", total=len(campaigns)
            )
            for campaign in campaigns:
                run = EstimateRun.objects.create(organisation=org, campaign=campaign)
                estimates_run(run)
                progress.advance(bar)

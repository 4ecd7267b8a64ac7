"""`takeup webcheck URL [--max-pages N] [--json]`: check a website without saving anything and
print each check's id, result and evidence. `takeup webcheck --organisation SLUG`: check the
organisation's website and store the run, as the page's button does. Exits non-zero only when
the crawl itself failed (the home page could not be read), never because a check failed."""

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.organisations.models import Organisation
from takeup.webcheck.crawl import DEFAULT_MAX_PAGES, DEFAULT_RATE, CrawlFailed
from takeup.webcheck.engine import check_site
from takeup.webcheck.models import Run
from takeup.webcheck.services import run_execute


class Command(BaseCommand):
    help = "Check a council website for what promotes self-service (Better connected D1–D17)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", nargs="?", help="The website's home page")
        parser.add_argument("--organisation", help="Check this organisation's website and store it")
        parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES)
        parser.add_argument(
            "--rate", type=float, default=DEFAULT_RATE, help="Requests a second (default 2)"
        )
        parser.add_argument("--json", action="store_true", help="Print JSON")
        parser.add_argument(
            "--no-browser", action="store_true", help="Skip the checks drawn in Chromium"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        if bool(o["url"]) == bool(o["organisation"]):
            raise CommandError("Give either a URL or --organisation SLUG.")
        if o["max_pages"] < 1:
            raise CommandError("--max-pages must be at least 1.")
        if o["organisation"]:
            self._store(o)
            return
        try:
            found = check_site(
                o["url"],
                max_pages=o["max_pages"],
                rate=o["rate"] or None,
                use_browser=not o["no_browser"],
            )
        except CrawlFailed as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            self.stdout.write(json.dumps(found.as_json(), indent=2))
            return
        self.stdout.write(
            f"{found.crawl.home}: {len(found.crawl.pages)} pages read. "
            f"D16 {_score(found.d16)}, D17 {_score(found.d17)}."
        )
        for check in found.checks:
            self.stdout.write(f"{check.id:<32} {check.result:<8} {check.evidence}")
            if check.url:
                self.stdout.write(f"{'':<41} {check.url}")

    def _store(self, o: dict[str, Any]) -> None:
        org = Organisation.objects.filter(slug=o["organisation"]).first()
        if org is None:
            raise CommandError(f"No organisation has the short name “{o['organisation']}”.")
        if not org.website:
            raise CommandError(f"{org.name} has no website address: add it in its details.")
        run = Run.objects.create(organisation=org, url=org.website, max_pages=o["max_pages"])
        run = run_execute(run, rate=o["rate"] or None, use_browser=not o["no_browser"])
        if run.status == Run.Status.FAILED:
            raise CommandError(run.error)
        if o["json"]:
            from takeup.webcheck.reports import run_json

            self.stdout.write(json.dumps(run_json(run), indent=2))
            return
        self.stdout.write(
            f"Stored check {run.pk} of {run.url}: {run.pages_read} pages read, "
            f"D16 {_score(run.d16)}, D17 {_score(run.d17)}."
        )


def _score(value: int | None) -> str:
    return "not scored" if value is None else f"{value}/3"

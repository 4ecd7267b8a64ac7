"""Writing the website engagement check's runs: queue one, run it (crawl, check, store the pages
and results in one transaction), or store one built elsewhere (the demo)."""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation

from .checks import Result
from .crawl import CrawlFailed
from .engine import SiteCheck, check_site
from .keypages import ServiceRef
from .models import Check, Page, Run
from .scores import scores

log = logging.getLogger(__name__)
PROGRESS_EVERY = 10  # pages between progress updates


class NoWebsite(Exception):
    """The organisation has no website address to check."""


def run_start(*, organisation: Organisation, actor: Any = None, max_pages: int = 500) -> Run:
    """Queue a run unless one is already waiting or running for this organisation."""
    from .tasks import webcheck_run

    if not organisation.website:
        raise NoWebsite(organisation.slug)
    active = Run.objects.filter(
        organisation=organisation, status__in=[Run.Status.QUEUED, Run.Status.RUNNING]
    ).first()
    if active is not None:
        return active
    run = Run.objects.create(
        organisation=organisation, url=organisation.website, max_pages=max_pages, created_by=actor
    )
    transaction.on_commit(lambda: webcheck_run.enqueue(run.pk))
    return run


def _services(organisation_id: int) -> list[ServiceRef]:
    return [
        ServiceRef(slug, name, url)
        for slug, name, url in Service.objects.filter(
            organisation_id=organisation_id, active=True
        ).values_list("slug", "name", "online_url")
    ]


def run_execute(run: Run, *, rate: float | None = 2.0, use_browser: bool = True) -> Run:
    """Crawl and check the run's website, then store its pages and results."""
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, started_at=timezone.now())

    def progress(done: int, budget: int) -> None:
        if done % PROGRESS_EVERY == 0:
            Run.objects.filter(pk=run.pk).update(pages_read=done)

    try:
        found = check_site(
            run.url,
            max_pages=run.max_pages,
            rate=rate,
            services=_services(run.organisation_id),
            use_browser=use_browser,
            progress=progress,
        )
    except CrawlFailed as exc:
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    return run_store(run, found)


@transaction.atomic
def run_store(run: Run, found: SiteCheck) -> Run:
    slugs = dict(
        Service.objects.filter(organisation_id=run.organisation_id).values_list("slug", "pk")
    )
    kinds: dict[str, list[str]] = {}
    for key in found.key_pages.values():
        kinds.setdefault(found.crawl.resolve(key.url), []).append(key.kind)
    depths = {k.url: k.depth for k in found.key_pages.values()}
    pages = []
    for url, fetched in found.crawl.pages.items():
        for kind in kinds.pop(url, [""]):
            pages.append(
                _page(
                    run,
                    url,
                    fetched.status,
                    fetched.page.title if fetched.page else "",
                    kind,
                    depths.get(url),
                    slugs,
                )
            )
    for url, unread in kinds.items():  # key pages that were found by their links only
        for kind in unread:
            pages.append(_page(run, url, 0, "", kind, depths.get(url), slugs))
    Page.objects.bulk_create(pages)
    checks_store(run, found.checks)
    run.pages_read = len(found.crawl.pages)
    run.budget_reached = found.crawl.budget_reached
    run.d16, run.d17 = found.d16, found.d17
    run.status = Run.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _page(
    run: Run,
    url: str,
    status: int,
    title: str | None,
    kind: str,
    depth: int | None,
    slugs: dict[str, int],
) -> Page:
    service = slugs.get(kind.removeprefix("service:")) if kind.startswith("service:") else None
    return Page(
        run=run,
        url=url[:2000],
        status=status,
        title=(title or "")[:300],
        kind=kind,
        depth=min(depth, 32767) if depth is not None else None,
        service_id=service,
    )


def checks_store(run: Run, results: list[Result]) -> None:
    Check.objects.filter(run=run).delete()
    Check.objects.bulk_create(
        Check(
            run=run,
            check_id=r.id,
            result=r.result,
            url=r.url[:2000],
            evidence=r.evidence,
            detail=r.detail,
        )
        for r in results
    )


@transaction.atomic
def run_record(
    *,
    organisation: Organisation,
    url: str,
    results: list[Result],
    when: datetime,
    pages_read: int,
    key_pages: Sequence[tuple[str, str, int | None]] = (),
) -> Run:
    """Store a finished run from results made elsewhere (the demo's, an import): its scores
    are worked out from the results as a crawl's would be. `key_pages`: (kind, url, depth)."""
    d16, d17 = scores(results)
    run = Run.objects.create(
        organisation=organisation,
        url=url,
        status=Run.Status.DONE,
        max_pages=max(pages_read, 1),
        pages_read=pages_read,
        d16=d16,
        d17=d17,
        created_at=when,
        started_at=when,
        finished_at=when,
    )
    Page.objects.bulk_create(
        Page(run=run, url=page_url, status=200, kind=kind, depth=depth)
        for kind, page_url, depth in key_pages
    )
    checks_store(run, results)
    return run

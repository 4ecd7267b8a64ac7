"""Writes for digital principles, each recorded in the audit log, and the two places it reads the
council's website: a service's own page for the checklist, and the site's search."""

from datetime import date, timedelta
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from takeup.catalogue.models import Service
from takeup.core.weburls import UnsafeAddress, checked, host_allowed
from takeup.organisations.models import ApiKey, Organisation, User
from takeup.organisations.services import audit_record, model_save

from . import findability, havering, queries
from .models import (
    Action,
    ChecklistItem,
    PhoneMessage,
    ScoreSnapshot,
    SearchResult,
    SearchTerm,
    SiteSearch,
    Stage,
)
from .reports import item_text

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
USER_AGENT = "Takeup digital principles check (+https://takeup.invalid/)"
# Most of a page a check reads: a council page is far smaller; this keeps a huge one out.
MAX_BYTES = 2_000_000
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The page could not be read; the message says why, for the page."""


def fetch(url: str, domains: list[str], client: httpx.Client | None = None) -> tuple[str, str]:
    """(final address, HTML) of one page of the council's own website. Redirects are followed
    one at a time, and one that leaves the organisation's allowed domains is not requested: a
    page must not be able to send the server to an address inside its own network."""
    try:
        address = checked(url)
    except UnsafeAddress as exc:
        raise FetchError(str(exc)) from exc
    if not host_allowed(address, domains):
        raise FetchError("The address is not on one of the organisation's allowed domains.")
    try:
        with client or httpx.Client(
            timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as http:
            for _hop in range(MAX_REDIRECTS + 1):
                response = http.get(address)
                if not response.is_redirect:
                    break
                address = str(response.url.join(response.headers.get("location", "")))
                if not host_allowed(address, domains):
                    raise FetchError("The page redirected off the organisation's allowed domains.")
            else:
                raise FetchError("The page redirected too many times.")
    except httpx.HTTPError as exc:
        raise FetchError(f"The page could not be read: {exc.__class__.__name__}.") from exc
    if response.status_code >= 400:
        raise FetchError(f"The page answered {response.status_code}.")
    return str(response.url), response.text[:MAX_BYTES]


# --- the checklist -------------------------------------------------------------------------


# A failing principle becomes an action due this many days on, until someone takes it.
ACTION_DAYS = 30


def _actions_for_failures(service: Service) -> None:
    """Each failing principle with no open action gets one, with no owner yet."""
    failing = [i for i, r in queries.results_of(service).items() if r == havering.FAIL]
    open_items = set(
        Action.objects.filter(service=service, done_on=None).values_list("item", flat=True)
    )
    Action.objects.bulk_create(
        Action(
            organisation_id=service.organisation_id,
            service=service,
            item=item,
            text=str(item_text(item)),
            owner="",
            due_on=timezone.localdate() + timedelta(days=ACTION_DAYS),
        )
        for item in failing
        if item not in open_items
    )


def _snapshot(service: Service) -> None:
    """Today's score for the service, replacing today's earlier one."""
    passed, answered = havering.score(queries.results_of(service))
    ScoreSnapshot.objects.update_or_create(
        service=service,
        day=timezone.localdate(),
        defaults={
            "organisation_id": service.organisation_id,
            "passed": passed,
            "answered": answered,
        },
    )


def checklist_set(
    service: Service,
    answers: dict[str, tuple[str, str]],
    *,
    actor: User | None = None,
    api_key: ApiKey | None = None,
) -> None:
    """Staff's answers, item → (result, evidence). Items not of the service's state are refused."""
    allowed = set(havering.items_for(queries.state_of(service)))
    unknown = set(answers) - allowed
    if unknown:
        raise ValueError(f"Not a principle for this service: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for item, (result, evidence) in answers.items():
            ChecklistItem.objects.update_or_create(
                service=service,
                item=item,
                defaults={
                    "organisation_id": service.organisation_id,
                    "result": result,
                    "evidence": evidence[:500],
                    "source": ChecklistItem.Source.STAFF,
                    "updated_at": timezone.now(),
                },
            )
        _snapshot(service)
        _actions_for_failures(service)
        audit_record(
            organisation=service.organisation,
            action="principles.checklist",
            obj=service,
            actor=actor,
            api_key=api_key,
            changes={item: list(value) for item, value in answers.items()},
        )


def checklist_read_page(
    service: Service, *, actor: User | None = None, client: httpx.Client | None = None
) -> list[havering.Finding]:
    """Pre-fill the checklist from the service's own page. An answer staff set stays as it is,
    unless they set it to unknown."""
    if not service.online_url:
        raise FetchError("The service has no online address to read.")
    url, html = fetch(service.online_url, service.organisation.allowed_domains, client)
    findings = havering.read_page(html, queries.state_of(service))
    with transaction.atomic():
        staff_set = set(
            ChecklistItem.objects.filter(service=service, source=ChecklistItem.Source.STAFF)
            .exclude(result=havering.UNKNOWN)
            .values_list("item", flat=True)
        )
        for f in findings:
            if f.item in staff_set:
                continue
            ChecklistItem.objects.update_or_create(
                service=service,
                item=f.item,
                defaults={
                    "organisation_id": service.organisation_id,
                    "result": f.result,
                    "evidence": f.evidence[:500],
                    "evidence_url": url[:500],
                    "source": ChecklistItem.Source.PAGE,
                    "updated_at": timezone.now(),
                },
            )
        _snapshot(service)
        _actions_for_failures(service)
        audit_record(
            organisation=service.organisation,
            action="principles.read_page",
            obj=service,
            actor=actor,
            changes={"url": url, "findings": [[f.item, f.result] for f in findings]},
        )
    return findings


# --- actions and stages --------------------------------------------------------------------


def action_save(
    *,
    organisation: Organisation,
    action: Action | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> Action:
    return model_save(
        action or Action(organisation=organisation),
        organisation=organisation,
        fields=["service", "item", "text", "owner", "due_on", "done_on"],
        values=values,
        action="principles.action",
        actor=actor,
        api_key=api_key,
    )


def stages_set(
    service: Service,
    dates: dict[str, tuple[date | None, date | None]],
    *,
    actor: User | None = None,
    api_key: ApiKey | None = None,
) -> None:
    """Each stage's (planned, actual) dates; a stage with neither is removed. The actual date of
    "online only" is the service's switch: its forecast reads the jump as a step."""
    with transaction.atomic():
        for stage, (planned, actual) in dates.items():
            if planned is None and actual is None:
                Stage.objects.filter(service=service, stage=stage).delete()
                continue
            Stage.objects.update_or_create(
                service=service,
                stage=stage,
                defaults={
                    "organisation_id": service.organisation_id,
                    "planned_on": planned,
                    "actual_on": actual,
                },
            )
        if Stage.Name.ONLINE_ONLY in dates:
            switch = dates[Stage.Name.ONLINE_ONLY][1]
            Service.objects.filter(pk=service.pk).update(online_only_since=switch)
        audit_record(
            organisation=service.organisation,
            action="principles.stages",
            obj=service,
            actor=actor,
            api_key=api_key,
            changes={s: [str(p or ""), str(a or "")] for s, (p, a) in dates.items()},
        )


# --- phone messages ------------------------------------------------------------------------


def phone_message_save(
    *,
    organisation: Organisation,
    message: PhoneMessage | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> PhoneMessage:
    return model_save(
        message or PhoneMessage(organisation=organisation),
        organisation=organisation,
        fields=["kind", "number", "text", "reason", "last_checked_on"],
        values=values,
        action="principles.phone_message",
        actor=actor,
        api_key=api_key,
    )


# --- findability ---------------------------------------------------------------------------


def site_search_set(organisation: Organisation, url_template: str, actor: User | None) -> None:
    with transaction.atomic():
        SiteSearch.objects.update_or_create(
            organisation=organisation, defaults={"url_template": url_template}
        )
        audit_record(
            organisation=organisation,
            action="principles.site_search",
            actor=actor,
            changes={"url_template": url_template},
        )


def search_term_save(
    *,
    organisation: Organisation,
    term: SearchTerm | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> SearchTerm:
    return model_save(
        term or SearchTerm(organisation=organisation),
        organisation=organisation,
        fields=["terms", "expected_url"],
        values=values,
        action="principles.search_term",
        actor=actor,
        api_key=api_key,
    )


def search_check(term: SearchTerm, client: httpx.Client | None = None) -> SearchResult:
    """Ask the site's search in the term's words and record where the expected page came."""
    template = queries.site_search_of(term.organisation)
    if template is None:
        return SearchResult.objects.create(term=term, error="No search address is set.")
    page = findability.search_url(template.url_template, term.terms)
    try:
        url, html = fetch(page, term.organisation.allowed_domains, client)
    except FetchError as exc:
        return SearchResult.objects.create(term=term, error=str(exc)[:300])
    links = findability.result_links(html, url)
    error = "" if links else "The results page had no links to read."
    return SearchResult.objects.create(
        term=term,
        rank=findability.rank_of(term.expected_url, links),
        found=links[:20],
        error=error,
    )

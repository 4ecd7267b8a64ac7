"""The public face of campaigns: /go/<code> counts an arrival and redirects, and /r/<token>/
shows an evaluation report someone shared."""

import re
from functools import lru_cache, partial
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from redis.exceptions import RedisError

from takeup.catalogue.services import domain_allowed
from takeup.core.clients import client_address, device_class, keyed
from takeup.core.redisclient import client
from takeup.organisations.queries import organisation_by_pk

from . import counter
from .models import Arrival, ReportShare
from .queries import link_for_redirect
from .reports import evaluation_report
from .services import arrival_visit, link_target, own_page, share_from_token
from .sharing import report_pdf_response

BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|skypeuripreview|"
    r"curl|wget|python-|httpx|go-http|java/|okhttp|headless|lighthouse|monitor|scan",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
SEND_CODE = re.compile(r"[a-z0-9]{1,12}")


def send_code(request: HttpRequest) -> str:
    """The campaign send a message's link came from (?s=), or "" for anything else: the value
    is kept in a column, so only a code's shape is let through."""
    value = request.GET.get("s", "")
    return value if SEND_CODE.fullmatch(value) else ""


def is_bot(request: HttpRequest) -> bool:
    if request.method == "HEAD":
        return True
    if any("prefetch" in request.META.get(h, "").lower() for h in PREFETCH_HEADERS):
        return True
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(BOT_AGENTS.search(agent))


def referrer_host(request: HttpRequest) -> str:
    try:
        host = urlsplit(request.META.get("HTTP_REFERER", "")).hostname or ""
    except ValueError:
        return ""
    return host.lower()[:100]


def _not_found(request: HttpRequest, organisation_id: int | None, status: int) -> HttpResponse:
    organisation = organisation_by_pk(organisation_id)
    home = ""
    if organisation is not None and organisation.allowed_domains:
        home = "https://" + organisation.allowed_domains[0] + "/"
    response = render(
        request,
        "campaigns/go_missing.html",
        {"public_organisation": organisation, "home": home},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@lru_cache(maxsize=1024)
def _target(
    site: str,
    destination: str,
    domains: tuple[str, ...],
    code: str,
    campaign_name: str,
    medium: str,
    via: str,
) -> str | None:
    """Where a link sends its visitors, or None when its destination is no longer allowed. Kept
    per process, as it follows from the arguments alone: parsing the address as a browser would
    and building the UTM query took a sixth of each counted visit."""
    if not (own_page(destination) or domain_allowed(destination, list(domains))):
        return None
    return link_target(destination, code, campaign_name, medium, via)


@require_http_methods(["GET", "HEAD"])
def go(request: HttpRequest, code: str) -> HttpResponse:
    """Count the arrival and send the visitor on: one round trip to PostgreSQL, because this
    runs on every scan of every leaflet (bench/redirect.py)."""
    today = timezone.localdate()
    via = Arrival.Via.QR if "qr" in request.GET else Arrival.Via.LINK
    agent = request.META.get("HTTP_USER_AGENT", "")
    fast = client()
    count = partial(counter.visit, fast) if fast is not None else arrival_visit
    try:
        link = count(
            code=code.lower(),
            day=today,
            device=device_class(agent),
            referrer_host=referrer_host(request),
            via=via,
            is_bot=is_bot(request),
            send=send_code(request),
            # Keyed before the day's salt is added, so the database alone never suffices.
            client=keyed(client_address(request) + "|" + agent),
        )
    except (DatabaseError, psycopg.Error, RedisError) as exc:
        # The visitor never waits on counting: the count is lost (and counted as lost), the
        # redirect still happens, from a read that a busy database still answers. (The count
        # on PostgreSQL runs on psycopg's own cursor, whose errors Django does not wrap.)
        counter.arrival_lost(fast, code.lower(), type(exc).__name__)
        if not connection.in_atomic_block:  # a dead connection is not kept for the next visit
            connection.close_if_unusable_or_obsolete()
        link = link_for_redirect(code.lower(), today)
    if link is None:
        return _not_found(request, None, 404)
    if link.expires_on is not None and link.expires_on < today:
        return _not_found(request, link.organisation_id, 410)
    target = _target(
        settings.TAKEUP_SITE_URL,  # own_page's, so a changed setting is a new key
        link.destination,
        tuple(link.allowed_domains),
        link.code,
        link.campaign_name,
        link.medium,
        via,
    )
    if target is None:
        # The organisation dropped the domain since: the visit counts, the redirect does not.
        return _not_found(request, link.organisation_id, 404)
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _shared(request: HttpRequest, token: str) -> tuple[ReportShare | None, HttpResponse | None]:
    share = share_from_token(token)
    if share is None:
        return None, render(request, "campaigns/report_gone.html", status=404)
    return share, None


@require_http_methods(["GET", "HEAD"])
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """A shared evaluation report: no sign-in, nothing to change, gone once withdrawn."""
    share, gone = _shared(request, token)
    if share is None:
        return gone  # type: ignore[return-value]
    campaign = share.campaign
    response = render(
        request,
        "campaigns/report.html",
        {
            "report": evaluation_report(campaign.organisation, campaign),
            "report_organisation": campaign.organisation,
            "staff": False,
            "pdf_url": reverse("campaign-report-shared-pdf", kwargs={"token": token}),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"  # a withdrawn link must stop at once
    return response


@require_http_methods(["GET", "HEAD"])
def shared_report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    share, gone = _shared(request, token)
    if share is None:
        return gone  # type: ignore[return-value]
    response = report_pdf_response(share.campaign.organisation, share.campaign)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response

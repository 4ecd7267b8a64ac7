"""The public face of campaigns: /go/<code> counts an arrival and redirects."""

import re
from urllib.parse import urlsplit

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from takeup.catalogue.services import domain_allowed

from .models import Arrival, TrackedLink
from .services import arrival_record, link_target

BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|embedly|whatsapp|skypeuripreview|"
    r"curl|wget|python-|httpx|go-http|java/|okhttp|headless|lighthouse|monitor|scan",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def device_class(user_agent: str) -> str:
    if not user_agent:
        return Arrival.Device.UNKNOWN
    if re.search(r"iPad|Tablet|Android(?!.*Mobile)", user_agent):
        return Arrival.Device.TABLET
    if re.search(r"Mobi|iPhone|Android", user_agent):
        return Arrival.Device.MOBILE
    return Arrival.Device.DESKTOP


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


def _not_found(request: HttpRequest, link: TrackedLink | None, status: int) -> HttpResponse:
    home = ""
    if link is not None and link.organisation.allowed_domains:
        home = "https://" + link.organisation.allowed_domains[0] + "/"
    response = render(
        request,
        "campaigns/go_missing.html",
        {"public_organisation": link.organisation if link else None, "home": home},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def go(request: HttpRequest, code: str) -> HttpResponse:
    code = code.lower()
    link = (
        TrackedLink.objects.select_related("organisation", "activity__campaign")
        .filter(Q(code=code) | Q(vanity=code))
        .first()
    )
    today = timezone.localdate()
    if link is None:
        return _not_found(request, None, 404)
    if link.expires_on is not None and link.expires_on < today:
        return _not_found(request, link, 410)
    if not domain_allowed(link.destination, link.organisation.allowed_domains):
        return _not_found(request, link, 404)  # the allowed domains changed since
    via = Arrival.Via.QR if "qr" in request.GET else Arrival.Via.LINK
    arrival_record(
        link_id=link.pk,
        day=today,
        device=device_class(request.META.get("HTTP_USER_AGENT", "")),
        referrer_host=referrer_host(request),
        via=via,
        is_bot=is_bot(request),
        client=request.META.get("REMOTE_ADDR", "") + "|" + request.META.get("HTTP_USER_AGENT", ""),
    )
    activity = link.activity
    response = HttpResponseRedirect(link_target(link, activity.campaign.name, activity.medium, via))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response

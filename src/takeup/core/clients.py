"""Who is asking: the client's address, as the server sees it or as a trusted proxy says.

Behind a load balancer every request comes from the balancer's address, so limits keyed on it
would lump every visitor together. Only a header the operator names is believed
(TAKEUP_CLIENT_IP_HEADER, such as X-Forwarded-For), and of it only the entry the trusted proxies
added (TAKEUP_TRUSTED_PROXIES, how many there are): anything further left is what the client
wrote, and a client can write anything."""

import hashlib
import hmac
import re

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = settings.TAKEUP_CLIENT_IP_HEADER
    if header:
        found = [a.strip() for a in request.headers.get(header, "").split(",") if a.strip()]
        hops = max(1, settings.TAKEUP_TRUSTED_PROXIES)
        if len(found) >= hops:
            return found[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_address_for_axes(request: HttpRequest) -> str:
    """django-axes asks for the address this way (AXES_CLIENT_IP_CALLABLE)."""
    return client_address(request)


def keyed(text: str) -> str:
    """An HMAC of text (a visitor's address, say) under SECRET_KEY, which is not in the
    database: someone who can read the database cannot get the text back by trying every
    address, as they could from a plain or salted hash whose salt sits beside it."""
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


DEVICES = ("mobile", "tablet", "desktop", "unknown")


def device_class(user_agent: str) -> str:
    """mobile, tablet, desktop or unknown, from the user agent alone."""
    if not user_agent:
        return "unknown"
    if re.search(r"iPad|Tablet|Android(?!.*Mobile)", user_agent):
        return "tablet"
    if re.search(r"Mobi|iPhone|Android", user_agent):
        return "mobile"
    return "desktop"

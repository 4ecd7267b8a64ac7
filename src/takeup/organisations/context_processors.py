"""What every page's shell needs: the organisation, the user's other organisations, the
navigation and the same page in the other language."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .roles import Permission, role_allows

# (label, URL name, permission, ready). Capabilities still to come show a page that says so.
NAVIGATION = [
    (_("Overview"), "organisation-home", Permission.VIEW, True),
    (_("Services"), "catalogue:services", Permission.VIEW, True),
    (_("Take-up"), "ledger:overview", Permission.VIEW, True),
    (_("Campaigns"), "campaigns:list", Permission.VIEW, True),
    (_("Visitors"), "insight:list", Permission.VIEW, True),
    (_("Comparison"), "benchmark:comparison", Permission.VIEW, True),
    (_("Briefing"), "briefing:list", Permission.VIEW, True),
    (_("Alerts"), "alerts:index", Permission.VIEW, True),
    (_("Website"), "webcheck:report", Permission.VIEW, True),
    (_("Principles"), "principles:index", Permission.VIEW, True),
    (_("Outreach"), "outreach:index", Permission.VIEW, True),
    (_("Settings"), "settings", Permission.MANAGE_ORGANISATION, True),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    language = get_language() or "en"
    other = "en" if language == "cy" else "cy"
    context: dict[str, Any] = {
        "other_language": other,
        "other_language_name": "English" if other == "en" else "Cymraeg",
        "other_language_url": translate_url(request.get_full_path(), other),
    }
    membership = getattr(request, "membership", None)
    if membership is None:
        return context
    organisation = membership.organisation
    nav = []
    for label, name, permission, ready in NAVIGATION:
        if not role_allows(membership.role, permission):
            continue
        try:
            url = reverse(name, kwargs={"org": organisation.slug})
        except NoReverseMatch:
            continue
        nav.append(
            {
                "label": label,
                "url": url,
                "ready": ready,
                "current": request.path.startswith(url)
                if name != "organisation-home"
                else request.path == url,
            }
        )
    context.update(organisation=organisation, membership=membership, navigation=nav)
    return context

"""What each check is called on the page, and the Better connected question it answers."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# id → (what it checks, Better connected's question or "")
LABELS: dict[str, tuple[Promise, str]] = {
    "account_available": (_("A customer account is available"), "D1"),
    "account_promoted_home": (_("The account is promoted on the home page"), "D1"),
    "account_benefits_before_signup": (
        _("The account's benefits are explained before sign-up"),
        "",
    ),
    "alerts_available": (_("Email alert sign-up is available"), "D4"),
    "alerts_promoted_home": (_("Alerts are promoted on the home page"), "D4"),
    "alerts_promoted_jobs": (_("Alerts are promoted on the jobs page"), "D4"),
    "alerts_promoted_planning": (_("Alerts are promoted on the planning page"), "D4"),
    "social_home": (_("Social media is promoted on the home page"), "D6–10"),
    "social_contact": (_("Social media is promoted on the contact page"), "D6–10"),
    "social_emergencies": (_("Social media is promoted on the emergencies page"), "D6–10"),
    "social_footer": (_("Social media is promoted in the footer, site-wide"), "D6–10"),
    "social_policy": (_("A social media policy is published"), "D11"),
    "online_nudge_contact": (
        _("The contact page steers people online before giving phone numbers"),
        "",
    ),
    "find_councillor": (_("“Find your councillor” is within 3 clicks of the home page"), ""),
    "mobile_viewport": (_("Key pages have a viewport meta"), ""),
    "mobile_no_overflow": (_("Key pages do not scroll sideways at 375 px"), ""),
    "accessibility": (_("Key pages have no axe violations"), ""),
    "broken_links": (_("Key pages have no broken links"), ""),
}

KEY_PAGES: dict[str, Promise] = {
    "home": _("Home"),
    "contact": _("Contact us"),
    "emergencies": _("Emergencies"),
    "jobs": _("Jobs"),
    "planning": _("Planning"),
    "a_to_z": _("A to Z"),
    "councillor": _("Find your councillor"),
}

RESULTS: dict[str, Promise] = {
    "pass": _("Pass"),
    "fail": _("Fail"),
    "unknown": _("Unknown"),
}

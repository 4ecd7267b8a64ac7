"""Better connected's D16 (promotion of digital engagement overall) and D17 (delivery of digital
engagement overall), each 0–3, from the checks. Pure. The rubric is in docs/methods.md:

- each score reads its own checks (`PROMOTION` for D16, `DELIVERY` for D17);
- it is the share of those checks that pass, among those decided ("unknown" is left out):
  3 at 80% or more, 2 at 50%, 1 at 20%, else 0;
- with fewer than half of its checks decided there is no score (None): too little was seen.
"""

from collections.abc import Iterable

from .checks import PASS, UNKNOWN, Result

PROMOTION = [
    "account_promoted_home",
    "account_benefits_before_signup",
    "alerts_promoted_home",
    "alerts_promoted_jobs",
    "alerts_promoted_planning",
    "social_home",
    "social_contact",
    "social_emergencies",
    "social_footer",
    "online_nudge_contact",
]
DELIVERY = [
    "account_available",
    "alerts_available",
    "social_policy",
    "find_councillor",
    "mobile_viewport",
    "mobile_no_overflow",
    "accessibility",
    "broken_links",
]
BANDS = [(0.8, 3), (0.5, 2), (0.2, 1)]


def score(results: dict[str, str], ids: list[str]) -> int | None:
    """`results`: each check's id → "pass", "fail" or "unknown"."""
    decided = [results[i] for i in ids if results.get(i, UNKNOWN) != UNKNOWN]
    if len(decided) * 2 < len(ids):
        return None
    share = sum(r == PASS for r in decided) / len(decided)
    return next((points for least, points in BANDS if share >= least), 0)


def scores(checks: Iterable[Result]) -> tuple[int | None, int | None]:
    """(D16, D17)."""
    results = {c.id: c.result for c in checks}
    return score(results, PROMOTION), score(results, DELIVERY)

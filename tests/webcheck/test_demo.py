"""The demo's two stored checks of Millbrook's website: some checks fail, then are fixed."""

import pytest

from takeup.demo.webcheck import demo_webcheck_create
from takeup.organisations.models import Organisation
from takeup.webcheck.checks import IDS
from takeup.webcheck.models import Check

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_check_failing_then_fixed(org: Organisation) -> None:
    earlier, later = demo_webcheck_create(org)
    assert earlier.created_at < later.created_at
    before = dict(Check.objects.filter(run=earlier).values_list("check_id", "result"))
    after = dict(Check.objects.filter(run=later).values_list("check_id", "result"))
    assert list(before) == IDS == list(after)
    fixed = {c for c in IDS if before[c] == "fail" and after[c] == "pass"}
    assert {"alerts_promoted_home", "social_footer", "online_nudge_contact"} <= fixed
    assert after["social_policy"] == "fail"  # one still to do
    assert (earlier.d16, earlier.d17) == (1, 2)
    assert (later.d16, later.d17) == (3, 2)

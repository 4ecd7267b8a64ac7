"""Every check on the fixture sites: all pass, all fail, and the traps."""

from collections.abc import Iterator

import pytest

from takeup.webcheck import browser
from takeup.webcheck.checks import CANNOT_SEE, FAIL, IDS, PASS, UNKNOWN
from takeup.webcheck.engine import SiteCheck, check_site

from .sites import SITES, serve

BROWSER_CHECKS = {"mobile_no_overflow", "accessibility"}

EXPECTED: dict[str, dict[str, str]] = {
    "all_pass": dict.fromkeys(IDS, PASS),
    "all_fail": dict.fromkeys(IDS, FAIL),
    "traps": {
        "account_available": PASS,  # "My account" on another website is still an account
        "account_promoted_home": PASS,
        "account_benefits_before_signup": UNKNOWN,  # that website is not read
        "alerts_available": PASS,  # job alerts, found on the jobs page
        "alerts_promoted_home": FAIL,  # its "Sign up" is a newsletter, not alerts
        "alerts_promoted_jobs": PASS,
        "alerts_promoted_planning": FAIL,  # "Sign up" for the planning newsletter
        "social_home": PASS,  # only in an image map
        "social_contact": UNKNOWN,  # the contact page is behind a JavaScript-only menu
        "social_emergencies": PASS,
        "social_footer": PASS,  # the image map is in every footer
        "social_policy": PASS,  # a PDF, named by its link
        "online_nudge_contact": UNKNOWN,  # the contact page is behind a JavaScript-only menu
        "find_councillor": UNKNOWN,  # only a javascript: link leads there
        "mobile_viewport": PASS,
        "mobile_no_overflow": PASS,  # the wide table scrolls inside its own box
        "accessibility": PASS,
        "broken_links": PASS,  # the broken link is to another website, which is not followed
    },
}


@pytest.fixture(scope="module")
def checked() -> Iterator[dict[str, SiteCheck]]:
    found = {}
    for name, site in SITES.items():
        with serve(site) as base:
            found[name] = check_site(base + "/", rate=None, max_pages=50)
    yield found


CASES = [(site, check) for site in EXPECTED for check in IDS]


@pytest.mark.parametrize(("site", "check"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_each_check_on_each_fixture_site(
    checked: dict[str, SiteCheck], site: str, check: str
) -> None:
    if check in BROWSER_CHECKS and not browser.available():
        pytest.skip("no Chromium to draw the pages")
    result = {r.id: r for r in checked[site].checks}[check]
    assert result.result == EXPECTED[site][check], result.evidence
    assert result.evidence  # every result says what decided it
    assert result.url.startswith("http")


def test_every_check_says_what_it_cannot_see() -> None:
    assert set(CANNOT_SEE) == set(IDS)
    assert all(len(str(text)) > 20 for text in CANNOT_SEE.values())


def test_the_evidence_names_the_trap(checked: dict[str, SiteCheck]) -> None:
    results = {r.id: r for r in checked["traps"].checks}
    assert "newsletter" in results["alerts_promoted_home"].evidence
    assert "image map" in results["social_home"].evidence
    assert "JavaScript" in results["social_contact"].evidence
    assert "<button>Contact us</button>" in results["online_nudge_contact"].evidence
    assert "JavaScript" in results["find_councillor"].evidence


def test_the_evidence_quotes_what_decided_it(checked: dict[str, SiteCheck]) -> None:
    passed = {r.id: r for r in checked["all_pass"].checks}
    failed = {r.id: r for r in checked["all_fail"].checks}
    assert "Save time. Do it online" in passed["online_nudge_contact"].evidence
    assert "01632 960 000" in failed["online_nudge_contact"].evidence
    assert failed["find_councillor"].detail == {"clicks": 5}
    assert failed["broken_links"].detail["links"] == {
        failed["broken_links"].url: 404,
    }
    assert failed["broken_links"].url.endswith("/missing/")
    if browser.available():
        assert "image-alt" in failed["accessibility"].detail["rules"]
        assert failed["accessibility"].result == FAIL


def test_scores_follow_the_checks(checked: dict[str, SiteCheck]) -> None:
    assert (checked["all_pass"].d16, checked["all_pass"].d17) == (3, 3)
    assert (checked["all_fail"].d16, checked["all_fail"].d17) == (0, 0)


def test_key_pages_are_found_by_content_and_links(checked: dict[str, SiteCheck]) -> None:
    keys = checked["all_pass"].key_pages
    paths = {kind: key.url.split(":", 2)[2].split("/", 1)[1] for kind, key in keys.items()}
    assert paths["home"] == ""
    assert paths["contact"] == "contact/"
    assert paths["emergencies"] == "emergencies/"
    assert paths["jobs"] == "jobs/"
    assert paths["planning"] == "planning/"
    assert paths["a_to_z"] == "a-z/"
    assert paths["councillor"].startswith("councillors/")
    assert "contact" not in checked["traps"].key_pages  # it has no link to follow

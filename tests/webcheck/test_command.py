"""`takeup webcheck URL [--json]` and `takeup webcheck --organisation SLUG`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from takeup.organisations.models import Organisation
from takeup.webcheck.checks import IDS
from takeup.webcheck.models import Check, Page, Run

from ..factories import ServiceFactory
from .sites import ALL_FAIL, ALL_PASS, serve


def test_json_prints_every_check_by_its_id() -> None:
    out = StringIO()
    with serve(ALL_FAIL) as base:
        call_command("webcheck", base, "--json", "--rate", "0", "--no-browser", stdout=out)
    printed = json.loads(out.getvalue())
    assert [c["id"] for c in printed["checks"]] == IDS
    results = {c["id"]: c["result"] for c in printed["checks"]}
    assert results["alerts_available"] == "fail"  # failing checks do not fail the command
    assert results["accessibility"] == "unknown"  # not drawn: --no-browser
    assert all(c["evidence"] and c["cannot_see"] for c in printed["checks"])
    assert printed["d16"] == 0


def test_text_lists_each_check_with_its_result() -> None:
    out = StringIO()
    with serve(ALL_PASS) as base:
        call_command(
            "webcheck", base, "--max-pages", "20", "--rate", "0", "--no-browser", stdout=out
        )
    lines = out.getvalue().splitlines()
    assert "pages read" in lines[0]
    for check in IDS:
        assert any(line.startswith(check + " ") for line in lines), check
    assert any(line.split()[:2] == ["social_footer", "pass"] for line in lines)


def test_a_crawl_that_fails_exits_non_zero() -> None:
    with serve({}) as base, pytest.raises(CommandError, match="could not be read"):
        call_command("webcheck", base, "--rate", "0", "--no-browser", stdout=StringIO())


def test_organisation_run_is_stored(org: Organisation) -> None:
    with serve(ALL_PASS) as base:
        org.website = base + "/"
        org.save()
        bins = ServiceFactory.create(organisation=org, name="Report a missed bin", online_url="")
        ServiceFactory.create(organisation=org, name="Parking", online_url=base + "/parking/")
        call_command(
            "webcheck",
            "--organisation",
            org.slug,
            "--rate",
            "0",
            "--no-browser",
            stdout=StringIO(),
        )
    run = Run.objects.get(organisation=org)
    assert run.status == Run.Status.DONE
    assert (run.d16, run.d17) == (3, 3)  # the browser checks are unknown, left out
    assert Check.objects.filter(run=run).count() == len(IDS)
    assert Page.objects.filter(run=run, kind="contact").get().url == base + "/contact/"
    assert Page.objects.filter(run=run).count() >= 10
    found = Page.objects.get(run=run, kind=f"service:{bins.slug}")  # by its name
    assert (found.url, found.service) == (base + "/bins/", bins)
    parking = Page.objects.get(run=run, kind__startswith="service:", status=0)  # by its address
    assert parking.url == base + "/parking/"


def test_organisation_without_a_website_is_refused(org: Organisation) -> None:
    with pytest.raises(CommandError, match="no website"):
        call_command("webcheck", "--organisation", org.slug, stdout=StringIO())

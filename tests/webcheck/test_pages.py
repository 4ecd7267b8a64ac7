"""The organisation's report page, its progress, the run as CSV and JSON, and the API."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from takeup.organisations.models import Organisation
from takeup.webcheck.checks import FAIL, IDS, PASS, UNKNOWN, Result
from takeup.webcheck.models import Run
from takeup.webcheck.services import run_record
from takeup.webcheck.tasks import webcheck_run

from ..conftest import MemberClient
from .sites import ALL_PASS, serve

pytestmark = pytest.mark.django_db


def record(org: Organisation, day: int, failing: set[str]) -> Run:
    results = [
        Result(
            check,
            FAIL if check in failing else PASS,
            f"https://www.millbrook.gov.uk/{check}/",
            f"Evidence for {check}.",
        )
        for check in IDS
    ]
    return run_record(
        organisation=org,
        url="https://www.millbrook.gov.uk/",
        results=results,
        when=datetime(2026, 3, day, 9, tzinfo=UTC),
        pages_read=120,
        key_pages=[("home", "https://www.millbrook.gov.uk/", 0)],
    )


def test_the_page_shows_the_latest_run_and_the_change(
    org: Organisation, viewer_client: MemberClient
) -> None:
    record(org, 1, {"alerts_promoted_home", "social_footer", "social_policy"})
    latest = record(org, 20, {"social_policy"})
    page = viewer_client.get(f"/o/{org.slug}/website/").content.decode()
    assert "20 March 2026" in page
    assert 'id="check-alerts_promoted_home"' in page
    assert "Was: Fail" in page  # alerts on the home page: fixed since
    assert page.count("Was: ") == 2
    assert "Evidence for social_policy." in page
    assert "What this check cannot see" in page
    assert f"runs/{latest.pk}.csv" in page
    assert f'<p class="govuk-heading-l govuk-!-margin-bottom-1" id="d16">{latest.d16} / 3' in page
    assert "Check the website now" not in page  # a viewer cannot start one


def test_the_page_says_when_there_is_no_website(
    org: Organisation, admin_client: MemberClient
) -> None:
    page = admin_client.get(f"/o/{org.slug}/website/").content.decode()
    assert "There is no website address for this organisation yet." in page
    assert admin_client.post(f"/o/{org.slug}/website/run/").status_code == 302
    assert not Run.objects.exists()


def test_a_run_started_on_the_page_runs_in_the_background(
    org: Organisation, editor_client: MemberClient, settings: object
) -> None:
    with serve(ALL_PASS) as base:
        org.website = base + "/"
        org.save()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "takeup.webcheck.services.run_execute.__kwdefaults__",
                {
                    "rate": None,
                    "use_browser": False,
                },
            )
            response = editor_client.post(f"/o/{org.slug}/website/run/")
            assert response.status_code == 302
            run = Run.objects.get(organisation=org)
            assert run.status == Run.Status.QUEUED
            page = editor_client.get(f"/o/{org.slug}/website/").content.decode()
            assert "The check is waiting to start." in page
            assert 'hx-get="/o/' in page  # htmx polls the progress
            assert "Reload this page to see the progress." in page  # without JavaScript
            webcheck_run.call(run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.DONE
    progress = editor_client.get(f"/o/{org.slug}/website/progress/", headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    assert "Latest check" in editor_client.get(f"/o/{org.slug}/website/").content.decode()
    assert webcheck_run.call(run.pk) == "not waiting to run"  # safe to repeat


def test_the_run_as_csv_and_json(org: Organisation, viewer_client: MemberClient) -> None:
    run = record(org, 5, {"broken_links"})
    response = viewer_client.get(f"/o/{org.slug}/website/runs/{run.pk}.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["id", "question", "result", "url", "evidence", "cannot_see"]
    assert [r[0] for r in rows[1:]] == IDS
    assert rows[-1][:3] == ["broken_links", "", "fail"]
    data = json.loads(viewer_client.get(f"/o/{org.slug}/website/runs/{run.pk}.json").content)
    assert [c["id"] for c in data["checks"]] == IDS
    assert (data["d16"], data["d17"]) == (run.d16, run.d17)


def test_another_organisations_run_is_not_found(
    org: Organisation, other_org: Organisation, viewer_client: MemberClient
) -> None:
    run = record(other_org, 5, set())
    assert viewer_client.get(f"/o/{org.slug}/website/runs/{run.pk}.csv").status_code == 404
    assert viewer_client.get(f"/o/{org.slug}/website/runs/{run.pk}.json").status_code == 404


def test_the_page_in_welsh(org: Organisation, viewer_client: MemberClient) -> None:
    record(org, 5, {"social_policy"})
    page = viewer_client.get(f"/cy/o/{org.slug}/website/").content.decode()
    assert '<html lang="cy"' in page
    assert "Website engagement check" not in page
    assert "Mawrth 2026" in page


def test_the_api_lists_runs_and_their_checks(
    org: Organisation, other_org: Organisation, api_client: Client
) -> None:
    old = record(org, 1, {"social_policy", "alerts_available"})
    new = record(org, 9, set())
    record(other_org, 9, set())
    runs = api_client.get("/api/webcheck/runs").json()
    assert [r["id"] for r in runs] == [new.pk, old.pk]
    assert runs[0]["d16"] == 3
    one = api_client.get(f"/api/webcheck/runs/{old.pk}").json()
    assert [c["id"] for c in one["checks"]] == IDS
    results = {c["id"]: c["result"] for c in one["checks"]}
    assert results["social_policy"] == FAIL and results["social_home"] == PASS
    assert UNKNOWN not in results.values()
    other = Run.objects.get(organisation=other_org)
    assert api_client.get(f"/api/webcheck/runs/{other.pk}").status_code == 404


def test_the_website_is_set_in_the_organisations_details(
    org: Organisation, admin_client: MemberClient
) -> None:
    form = {"name": org.name, "kind": org.kind, "nation": org.nation, "allowed_domains": ""}
    response = admin_client.post(
        f"/o/{org.slug}/settings/organisation/", {**form, "website": "www.millbrook.gov.uk"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.website == "https://www.millbrook.gov.uk"
    page = admin_client.get(f"/o/{org.slug}/website/").content.decode()
    assert "Check the website now" in page
    bad = admin_client.post(f"/o/{org.slug}/settings/organisation/", {**form, "website": "x y"})
    assert bad.status_code == 200


def test_the_league_table_shows_only_councils_that_share(
    viewer_client: MemberClient, org: Organisation
) -> None:
    from takeup.webcheck.models import Run
    from tests.factories import OrganisationFactory

    page = viewer_client.get(f"/o/{org.slug}/website/league/").content.decode()
    assert 'id="not-sharing"' in page
    org.shares_figures = True
    org.save()
    sharing = OrganisationFactory.create(name="Sharing Borough")
    sharing.shares_figures = True
    sharing.save()
    private = OrganisationFactory.create(name="Private District")
    when = timezone.now()
    for o, d16 in ((org, 1), (sharing, 3), (private, 3)):
        Run.objects.create(
            organisation=o, url="https://x.gov.uk/", status="done", d16=d16, d17=2, finished_at=when
        )
    Run.objects.create(
        organisation=sharing,
        url="https://x.gov.uk/",
        status="done",
        d16=0,
        d17=0,
        finished_at=when - timedelta(days=30),
    )
    page = viewer_client.get(f"/o/{org.slug}/website/league/").content.decode()
    table = page[page.index('id="league"') :]
    assert "Private District" not in table
    assert table.index("Sharing Borough") < table.index(org.name)  # D16 3 before 1
    assert table.count("<tr") == 3  # the header and one row each: the latest run only

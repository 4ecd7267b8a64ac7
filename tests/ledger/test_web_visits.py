"""Web visits from Matomo, Plausible and GA4 through the normal import pipeline: page rules
from the source's profile, all-or-nothing, replacement, and the unmatched pages said once."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger.models import DataSource, ImportBatch, Volume
from takeup.ledger.services import (
    ImportOutcome,
    data_source_get_or_create,
    source_profile_save,
    volumes_import,
    volumes_import_rows,
)
from takeup.organisations.models import Organisation
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture
def analytics_source(org: Organisation, service: Service) -> DataSource:
    ServiceFactory.create(organisation=org, name="Bin collections", slug="bin-collections")
    source = data_source_get_or_create(org, "Website")
    source_profile_save(
        source=source,
        pages=[("/bins/missed", "report-a-missed-bin"), ("/bins", "bin-collections")],
    )
    return source


def load(org: Organisation, source: DataSource, name: str, **kwargs: Any) -> ImportOutcome:
    return volumes_import(
        organisation=org,
        source=source,
        data=(DATA / name).read_bytes(),
        file_name=name,
        **kwargs,
    )


def visits(org: Organisation, **filters: object) -> int:
    found = Volume.objects.filter(organisation=org, counted=True, measure="visits", **filters)
    return found.aggregate(n=Sum("count"))["n"] or 0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("matomo-pages.json", "matomo"),
        ("matomo-pages.csv", "matomo"),
        ("plausible-pages.json", "plausible"),
        ("ga4-pages.csv", "ga4"),
    ],
)
def test_each_export_imports_as_web_visits_per_service_and_day(
    org: Organisation, analytics_source: DataSource, name: str, kind: str
) -> None:
    outcome = load(org, analytics_source, name)
    assert outcome.imported, outcome.batch.errors
    assert outcome.batch.file_format == kind
    assert visits(org, service__slug="report-a-missed-bin") == 100 + 90
    assert visits(org, service__slug="bin-collections") == 30
    assert set(Volume.objects.values_list("channel__slug", "period")) == {("web", "day")}
    # /parking (and Matomo's home page) have no rule: said once, not refused
    assert len(outcome.read.notes) == 1 and "no page rule matches" in outcome.read.notes[0]


def test_unmatched_pages_are_said_once_with_their_visits(
    org: Organisation, analytics_source: DataSource
) -> None:
    outcome = load(org, analytics_source, "matomo-pages.json")
    assert outcome.read.notes == ["425 visits to 2 pages no page rule matches"]
    assert not outcome.batch.errors


def test_importing_again_replaces_and_nothing_is_counted_twice(
    org: Organisation, analytics_source: DataSource
) -> None:
    load(org, analytics_source, "ga4-pages.csv")
    again = load(org, analytics_source, "ga4-pages.csv")
    assert again.imported and again.batch.rows_replaced == 3
    assert visits(org) == 220


def test_without_page_rules_an_export_is_refused_saying_how_to_add_them(
    org: Organisation, service: Service
) -> None:
    outcome = load(org, data_source_get_or_create(org, "Website"), "plausible-pages.json")
    assert not outcome.imported and not Volume.objects.exists()
    assert "--page /bins=report-a-missed-bin" in outcome.read.refused


def test_a_bad_line_imports_nothing_unless_only_valid(
    org: Organisation, analytics_source: DataSource, tmp_path: Path
) -> None:
    text = (DATA / "ga4-pages.csv").read_text().replace("/parking,mobile,25", "/bins,mobile,x")
    (tmp_path / "ga4.csv").write_text(text)
    data = (tmp_path / "ga4.csv").read_bytes()
    first = volumes_import(organisation=org, source=analytics_source, data=data, file_name="g")
    assert not first.imported and not Volume.objects.exists()
    assert [(e["line"], e["column"]) for e in first.batch.errors] == [(13, "count")]
    valid = volumes_import(
        organisation=org, source=analytics_source, data=data, file_name="g", only_valid=True
    )
    assert valid.imported and visits(org) == 220


def test_an_export_that_cannot_be_read_is_refused_whole(
    org: Organisation, analytics_source: DataSource
) -> None:
    outcome = load(org, analytics_source, "plausible-pages.csv")
    assert outcome.read.refused.startswith("The file could not be read as Plausible")
    assert "no date column" in outcome.read.refused
    assert outcome.batch.status != ImportBatch.Status.APPLIED


def test_page_rules_name_services_the_catalogue_has(
    org: Organisation, analytics_source: DataSource
) -> None:
    with pytest.raises(ValidationError, match="no-such-service"):
        source_profile_save(source=analytics_source, pages=[("/x", "no-such-service")])


def test_other_profile_changes_keep_the_page_rules(
    org: Organisation, analytics_source: DataSource
) -> None:
    profile = source_profile_save(source=analytics_source, clear=True, constants={})
    assert profile.pages == (("/bins/missed", "report-a-missed-bin"), ("/bins", "bin-collections"))
    profile = source_profile_save(source=analytics_source, pages=[("/bins", "report-a-missed-bin")])
    assert dict(profile.pages)["/bins"] == "report-a-missed-bin" and len(profile.pages) == 2


def test_the_cli_sets_page_rules_and_imports(org: Organisation, service: Service) -> None:
    out = StringIO()
    call_command(
        "source", "set", "Website", "--page", "/bins/missed=report-a-missed-bin", stdout=out
    )
    assert "page /bins/missed: report-a-missed-bin" in out.getvalue()
    out = StringIO()
    call_command("import", str(DATA / "ga4-pages.csv"), "--source", "Website", stdout=out)
    assert "visits to 2 pages no page rule matches" in out.getvalue()
    assert visits(org) == 190
    with pytest.raises(CommandError, match="starting with /"):
        call_command("source", "set", "Website", "--page", "bins=report-a-missed-bin")


def test_the_service_page_shows_web_visits_per_online_transaction(
    org: Organisation, analytics_source: DataSource, viewer_client: Client
) -> None:
    url = (
        f"/o/{org.slug}/take-up/services/report-a-missed-bin/"
        "?period=custom&from=2026-03-01&to=2026-03-31"
    )
    volumes_import_rows(
        organisation=org,
        source=data_source_get_or_create(org, "CRM"),
        rows=[
            {"date": "2026-03-02", "service": "report-a-missed-bin", "channel": c, "count": n}
            for c, n in (("web", 76), ("phone", 24))
        ],
    )
    page = viewer_client.get(url)
    assert page.context["figures"].visits is None and 'id="visits"' not in page.content.decode()
    assert load(org, analytics_source, "ga4-pages.csv").imported  # 190 visits to the service
    page = viewer_client.get(url)
    figures = page.context["figures"]
    assert (figures.visits, figures.online_transactions) == (190, 76)
    assert figures.visits_per_transaction == 2.5
    text = page.content.decode()
    assert "Web visits per online transaction: 2.5 (190 visits, 76 online transactions)" in text
    # visits are not transactions: take-up is as before
    assert figures.take_up.part == 76 and figures.take_up.whole == 100


def test_the_upload_preview_says_which_pages_no_rule_matches(
    org: Organisation, analytics_source: DataSource, member_client: Any
) -> None:
    client = member_client("analyst")
    with (DATA / "matomo-pages.json").open("rb") as f:
        location = client.post(
            f"/o/{org.slug}/take-up/upload/",
            {"file": f, "source": analytics_source.pk, "period": "day"},
        )["Location"]
    page = client.get(location).content.decode()
    assert 'id="notes">425 visits to 2 pages no page rule matches' in page
    client.post(location, {"action": "import"})
    assert visits(org) == 220


def test_an_export_with_no_visits_is_refused_as_empty_not_as_unmatched(
    org: Organisation, analytics_source: DataSource
) -> None:
    outcome = volumes_import(
        organisation=org,
        source=analytics_source,
        data=b'{"2026-03-02": []}',
        file_name="matomo.json",
    )
    assert outcome.read.refused == "The Matomo export has no page visits in it."
    assert not Volume.objects.exists()

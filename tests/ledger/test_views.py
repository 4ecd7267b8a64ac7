"""The take-up pages: figures and their counts, periods, CSV, tenancy, query counts, upload."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from takeup.catalogue.models import Service
from takeup.ledger.models import DataSource, ImportBatch, Volume
from takeup.ledger.profile import Profile
from takeup.ledger.services import (
    data_source_get_or_create,
    mapping_save,
    source_profile_save,
    volumes_import_rows,
)
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


def feed(org: Organisation, service: Service, day: date, **counts: int) -> None:
    rows = [
        {
            "date": day.isoformat(),
            "service": service.slug,
            "channel": c.replace("_", "-"),
            "count": n,
        }
        for c, n in counts.items()
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported


@pytest.fixture
def figures(org: Organisation, service: Service) -> Service:
    # March 2025: 40% online. March 2026: 60% online, with assisted digital in the total.
    feed(org, service, date(2025, 3, 10), web=40, phone=60)
    feed(org, service, date(2026, 3, 10), web=60, phone=35, assisted_digital=5)
    return service


def test_service_page_shows_take_up_with_its_counts(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    url = f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}"
    page = viewer_client.get(url).content.decode()
    assert 'id="take-up-figure">60.0%' in page
    assert "60 of 100 transactions" in page
    assert "Including assisted digital: 65.0%" in page
    # Baseline: March 2025 at 40%; the saving prices the shift with the Socitm costs.
    assert "40.0%" in page
    assert "Socitm" in page  # the unit costs used are named


def test_overview_lists_every_service_and_totals(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    ServiceFactory.create(organisation=org, name="Pay council tax", slug="pay-council-tax")
    page = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()
    assert "Report a missed bin" in page and "Pay council tax" in page
    assert 'id="total-take-up">60.0%' in page
    assert "+20.0 pts" in page


def test_overview_csv(viewer_client: Client, org: Organisation, figures: Service) -> None:
    response = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}&format=csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("service,service area,transactions,digital,digital take-up %")
    assert lines[1].startswith("Report a missed bin,") and ",100,60,60.0,40.0,20.0," in lines[1]


def test_service_chart_csv_downloads(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    base = (
        f"/o/{org.slug}/take-up/services/{figures.slug}/"
        "?period=custom&from=2025-04-01&to=2026-03-31&download="
    )
    take_up = viewer_client.get(base + "take-up").content.decode().splitlines()
    assert take_up[0] == "Period starting,Digital take-up (%)"
    assert "2026-03-01,60.0" in take_up
    mix = viewer_client.get(base + "channel-mix").content.decode().splitlines()
    assert mix[0] == "Period starting,Web,Phone,Assisted digital"
    assert "2026-03-01,60,35,5" in mix
    counts = viewer_client.get(base + "counts").content.decode().splitlines()
    assert "Web,60,60.0,yes" in counts


def test_financial_year_and_custom_periods(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    fy = viewer_client.get(f"/o/{org.slug}/take-up/services/{figures.slug}/?period=fy")
    assert fy.context["period"].start == date(2024, 4, 1)  # latest complete FY: 2024/25
    custom = viewer_client.get(f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}")
    assert custom.context["figures"].take_up.part == 60
    bad = viewer_client.get(f"/o/{org.slug}/take-up/?period=custom&from=nonsense&to=2026-13-01")
    assert bad.status_code == 200  # falls back to the latest quarter


def test_conflicting_source_is_shown_not_added(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    web = data_source_get_or_create(org, "Web analytics")
    web.priority = 10
    web.save()
    volumes_import_rows(
        organisation=org,
        source=web,
        rows=[{"date": "2026-03-10", "service": figures.slug, "channel": "web", "count": 500}],
    )
    page = viewer_client.get(
        f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}"
    ).content.decode()
    assert "60 of 100 transactions" in page
    assert "1 figures from Web analytics are not used" in page


def test_overdue_source_is_flagged(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    source = data_source_get_or_create(org, "CRM")
    source.expected_interval = "daily"
    assert source.last_received_at is not None
    source.last_received_at = source.last_received_at - timedelta(days=5)
    source.save()
    page = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()
    assert "CRM is overdue" in page


def test_another_organisations_service_answers_404(
    viewer_client: Client, org: Organisation, other_org: Organisation
) -> None:
    theirs = ServiceFactory.create(organisation=other_org, slug="theirs")
    assert viewer_client.get(f"/o/{org.slug}/take-up/services/{theirs.slug}/").status_code == 404
    assert viewer_client.get(f"/o/{other_org.slug}/take-up/").status_code == 404


def test_overview_query_count_is_pinned(
    viewer_client: Client,
    org: Organisation,
    figures: Service,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = f"/o/{org.slug}/take-up/?{MARCH}"
    viewer_client.get(url)
    # 13, and 5 for the saving: contacts now and in the baseline, the monthly figures behind
    # each channel's dispersion, the unit costs in force, and the grain each is reported at;
    # and 1 for the stored forecasts (the target status).
    with django_assert_num_queries(20):  # 1: alert subscriptions (TAKEUP_ENGAGEMENT)
        viewer_client.get(url)
    for _ in range(5):
        feed(org, ServiceFactory.create(organisation=org), date(2026, 3, 10), web=1, phone=1)
    with django_assert_num_queries(20):
        viewer_client.get(url)


def test_service_page_query_count_is_pinned(
    viewer_client: Client,
    org: Organisation,
    figures: Service,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}"
    viewer_client.get(url)
    # 15 for the figures and charts, 5 for what explains them: campaigns, activities and
    # notes (one query each) and the weekly take-up searched for breaks (channels, volumes);
    # 6 for the saving and the contacts (as on the overview, and the contacts chart); 1 for
    # the figures publishers printed about the service, 1 for its stored forecast, and 1 for
    # its stages (markers on the chart); 6 for the assisted-digital estimate beside take-up
    # (the latest day covered, the counts, the survey, the neighbourhoods, the channels and the
    # organisation).
    with django_assert_num_queries(35):
        viewer_client.get(url)


def test_upload_preview_then_import(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
) -> None:
    client = member_client("analyst")
    with (DATA / "long-clean.csv").open("rb") as f:
        response = client.post(
            f"/o/{org.slug}/take-up/upload/", {"file": f, "new_source": "CRM", "period": "day"}
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(organisation=org)
    assert batch.status == "pending" and Volume.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert 'id="preview"' in page and "Long: one count a row" in page
    client.post(response["Location"], {"action": "import"})
    batch.refresh_from_db()
    assert batch.status == "applied" and Volume.objects.count() == 4


def test_upload_with_bad_rows_then_only_valid(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
) -> None:
    client = member_client("analyst")
    with (DATA / "bad-rows.csv").open("rb") as f:
        location = client.post(
            f"/o/{org.slug}/take-up/upload/", {"file": f, "new_source": "CRM", "period": "day"}
        )["Location"]
    page = client.get(location).content.decode()
    assert 'id="import-errors"' in page and "Import only the 1 valid row<" in page
    assert "is not a date" in page
    client.post(location, {"action": "import"})  # refused: the file has rejected rows
    assert Volume.objects.count() == 0
    client.post(location, {"action": "import-valid"})
    assert Volume.objects.count() == 1


def test_upload_maps_unknown_names(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
) -> None:
    client = member_client("analyst")
    with (DATA / "windows-1252-excel-serial.csv").open("rb") as f:
        location = client.post(
            f"/o/{org.slug}/take-up/upload/", {"file": f, "new_source": "Phones", "period": "day"}
        )["Location"]
    page = client.get(location).content.decode()
    assert "Channel called “Téléphone”" in page
    phone = org.channels.get(slug="phone")
    client.post(location, {"action": "map", "channel_0": phone.pk})
    client.post(location, {"action": "import"})
    assert Volume.objects.filter(channel=phone).count() == 1


def test_upload_needs_a_source_and_a_role(
    member_client: Callable[[str], MemberClient], org: Organisation
) -> None:
    viewer = member_client("viewer")
    assert viewer.get(f"/o/{org.slug}/take-up/upload/").status_code == 403
    analyst = member_client("analyst")
    with (DATA / "long-clean.csv").open("rb") as f:
        response = analyst.post(f"/o/{org.slug}/take-up/upload/", {"file": f, "period": "day"})
    assert b"Choose a data source, or name a new one." in response.content
    assert not ImportBatch.objects.exists()


def test_no_unit_costs_means_no_cost_not_zero(
    viewer_client: MemberClient, org: Organisation, figures: Service
) -> None:
    from takeup.catalogue.services import unit_cost_delete

    for cost in org.unit_costs.all():
        unit_cost_delete(unit_cost=cost, actor=viewer_client.user)
    response = viewer_client.get(f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}")
    assert response.status_code == 200
    assert response.context["figures"].cost.pence == 0
    assert response.context["figures"].cost.pence_per_transaction is None  # not £0.00
    page = response.content.decode()
    start = page.index('id="counts"')
    counts_table = page[start : page.index("</table>", start)]
    assert counts_table.count("no unit cost") == 3  # web, phone, assisted digital
    # Every money figure names what it leaves out.
    assert "Leaves out Web, Phone, Assisted digital: no unit cost." in page
    assert (
        'id="saving-leaves-out">Leaves out Phone: no unit cost. '
        "Leaves out Assisted digital: figures in only one of the two periods." in page
    )


def test_a_chosen_baseline(viewer_client: Client, org: Organisation, figures: Service) -> None:
    feed(org, figures, date(2026, 2, 10), web=10, phone=90)
    url = (
        f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}"
        "&baseline_from=2026-02-01&baseline_to=2026-02-28"
    )
    response = viewer_client.get(url)
    assert response.context["baseline"].start == date(2026, 2, 1)
    assert response.context["figures"].change_points == pytest.approx(50.0)  # 10% → 60%


def test_analyst_changes_a_sources_priority(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    figures: Service,
) -> None:
    client = member_client("analyst")
    url = f"/o/{org.slug}/take-up/sources/crm/change/"
    response = client.post(url, {"name": "CRM", "expected_interval": "weekly", "priority": "7"})
    assert response.status_code == 302
    source = data_source_get_or_create(org, "CRM")
    assert (source.expected_interval, source.priority) == ("weekly", 7)
    assert set(Volume.objects.filter(source=source).values_list("rank", flat=True)) == {7}
    bad = client.post(url, {"name": "", "expected_interval": "hourly", "priority": "-1"})
    assert b"govuk-error-summary" in bad.content
    assert member_client("viewer").get(url).status_code == 403


def test_far_dates_in_the_address_fall_back(
    viewer_client: Client, org: Organisation, figures: Service
) -> None:
    for query in [
        "period=custom&from=0001-01-01&to=0001-12-31",
        "period=custom&from=9999-12-01&to=9999-12-31",
        "baseline_from=0001-01-01&baseline_to=0001-02-01",
    ]:
        assert viewer_client.get(f"/o/{org.slug}/take-up/?{query}").status_code == 200
        url = f"/o/{org.slug}/take-up/services/{figures.slug}/?{query}"
        assert viewer_client.get(url).status_code == 200


def test_chart_axes_are_labelled_at_the_figures_grain() -> None:
    from takeup.charts import Cell, time_format

    months: list[dict[str, Cell]] = [{"t": "2026-01-01"}, {"t": "2026-02-01"}]
    days: list[dict[str, Cell]] = [{"t": "2026-09-01"}, {"t": "2026-09-02"}]
    assert time_format(months, "t") == "%b %Y"
    assert time_format(days, "t") == "%d %b"  # not "Sep 2026" under every tick
    assert time_format([*days, {"t": "2027-01-04"}], "t") == "%d %b %Y"


def test_a_short_monthly_series_has_a_tick_a_month_at_most() -> None:
    from takeup.charts import Cell, time_axis

    two_months: list[dict[str, Cell]] = [{"t": "2026-09-01"}, {"t": "2026-10-01"}]
    assert time_axis(two_months, "t")["tickCount"] == {"interval": "month", "step": 1}
    five_years: list[dict[str, Cell]] = [
        {"t": f"{y}-{m:02d}-01"} for y in range(2021, 2026) for m in range(1, 13)
    ]
    assert time_axis(five_years, "t")["tickCount"]["step"] == 5
    assert "tickCount" not in time_axis([{"t": "2026-09-02"}], "t")
    eight_quarters: list[dict[str, Cell]] = [
        {"t": f"{y}-{m:02d}-01"} for y in (2025, 2026) for m in (1, 4, 7, 10)
    ]
    assert time_axis(eight_quarters, "t")["tickCount"] == {"interval": "month", "step": 3}


def test_a_viewer_is_not_offered_what_they_cannot_do(
    viewer_client: Client,
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    figures: Service,
) -> None:
    overview = viewer_client.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()
    assert "Import volumes" not in overview
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/{figures.slug}/?{MARCH}")
    assert "Change unit costs" not in page.content.decode()
    analyst = member_client("analyst")
    assert "Import volumes" in analyst.get(f"/o/{org.slug}/take-up/?{MARCH}").content.decode()


def test_the_preview_changes_how_the_source_is_read_in_place(
    member_client: Callable[[str], MemberClient], org: Organisation, service: Service
) -> None:
    client = member_client("analyst")
    source = data_source_get_or_create(org, "Phone system")
    source_profile_save(
        source=source,
        columns={"service": "Split/Skill", "count": "ACD Calls"},
        constants={"channel": "Phone", "measure": "contacts"},
    )
    mapping_save(source=source, kind="service", source_name="Missed bins", service=service)
    with (DATA / "avaya-title-lines.csv").open("rb") as f:
        location = client.post(
            f"/o/{org.slug}/take-up/upload/",
            {"file": f, "source": source.pk, "period": "day"},
        )["Location"]
    page = client.get(location).content.decode()
    assert 'id="change-reading"' in page and 'id="header-line"' in page
    # A wrong header line: read again at once, refused, nothing saved, the form stays open.
    wrong = client.post(
        location,
        {
            "action": "profile",
            "profile-header_line": "1",
            "profile-columns": "service = Split/Skill\ncount = ACD Calls",
            "profile-constants": "channel = Phone\nmeasure = contacts",
        },
    )
    assert wrong.status_code == 302
    page = client.get(location).content.decode()
    assert 'id="refused"' in page and 'change-reading" open' in page
    assert not Volume.objects.exists()
    # Back to "find it": the three days read again, and import.
    client.post(
        location,
        {
            "action": "profile",
            "profile-header_line": "",
            "profile-columns": "service = Split/Skill\ncount = ACD Calls",
            "profile-constants": "channel = Phone\nmeasure = contacts",
        },
    )
    batch = ImportBatch.objects.get(organisation=org)
    assert batch.rows_accepted == 3 and not batch.reading.get("refused")
    assert Profile.of(DataSource.objects.get(pk=source.pk).profile).header_line is None
    client.post(location, {"action": "import"})
    assert Volume.objects.filter(measure="contacts").count() == 3


def test_an_admin_deletes_a_source_that_never_imported_anything(
    member_client: Callable[[str], MemberClient],
    org: Organisation,
    service: Service,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    analyst, admin = member_client("analyst"), member_client("admin")
    with (DATA / "bad-rows.csv").open("rb") as f:  # rejected rows: it waits, and is abandoned
        analyst.post(
            f"/o/{org.slug}/take-up/upload/", {"file": f, "new_source": "Trial", "period": "day"}
        )
    batch = ImportBatch.objects.get(source__name="Trial")
    kept = Path(batch.upload.path)
    assert kept.exists()
    used = data_source_get_or_create(org, "CRM")
    volumes_import_rows(
        organisation=org,
        source=used,
        rows=[{"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 3}],
    )
    page = admin.get(f"/o/{org.slug}/take-up/sources/").content.decode()
    assert page.count(">Delete<") == 1  # only the source with nothing imported
    assert analyst.post(f"/o/{org.slug}/take-up/sources/trial/delete/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/o/{org.slug}/take-up/sources/trial/delete/")
    assert not DataSource.objects.filter(name="Trial").exists() and not kept.exists()
    refused = admin.post(f"/o/{org.slug}/take-up/sources/crm/delete/", follow=True)
    assert "has imported figures" in refused.content.decode()
    assert DataSource.objects.filter(pk=used.pk).exists() and Volume.objects.count() == 1


def test_a_file_that_cannot_be_read_as_it_is_is_set_up_on_the_upload_page(
    member_client: Callable[[str], MemberClient], org: Organisation, service: Service
) -> None:
    client = member_client("analyst")
    upload = f"/o/{org.slug}/take-up/upload/"
    with (DATA / "avaya-title-lines.csv").open("rb") as f:
        refused = client.post(upload, {"file": f, "new_source": "Phone system", "period": "day"})
    page = refused.content.decode()
    assert refused.status_code == 200 and 'id="upload-profile" open' in page
    assert not DataSource.objects.filter(name="Phone system").exists()  # nothing kept
    with (DATA / "avaya-title-lines.csv").open("rb") as f:
        response = client.post(
            upload,
            {
                "file": f,
                "new_source": "Phone system",
                "period": "day",
                "profile-columns": "service = Split/Skill\ncount = ACD Calls",
                "profile-constants": "channel = Phone\nmeasure = contacts",
            },
        )
    assert response.status_code == 302
    source = DataSource.objects.get(name="Phone system")
    assert Profile.of(source.profile).columns == {"service": "Split/Skill", "count": "ACD Calls"}
    batch = ImportBatch.objects.get(source=source)
    assert batch.rows_read == 3 and batch.reading["header_line"] == 6

"""The files that telephony, CRM, finance and analytics systems really write: each kind of
failure seen on real exports has a fixture here (made by the project) and a test."""

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from takeup.catalogue.models import Service
from takeup.ledger.models import DataSource, ImportBatch, NameMapping, Volume
from takeup.ledger.services import (
    ImportOutcome,
    data_source_get_or_create,
    mapping_save,
    source_profile_save,
    volumes_import,
)
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def load(org: Organisation, name: str, source: str = "CRM", **kwargs: Any) -> ImportOutcome:
    return volumes_import(
        organisation=org,
        source=data_source_get_or_create(org, source),
        data=(DATA / name).read_bytes(),
        file_name=name,
        **kwargs,
    )


def total(org: Organisation, **filters: object) -> int:
    found = Volume.objects.filter(organisation=org, counted=True, **filters)
    return found.aggregate(n=Sum("count"))["n"] or 0


def messages(outcome: ImportOutcome) -> str:
    return " | ".join(e["message"] for e in outcome.batch.errors)


def test_title_lines_above_the_header_and_a_profile_for_the_phone_system(
    org: Organisation, service: Service
) -> None:
    # Without a profile: no line has a service column, and the message says where it looked.
    first = load(org, "avaya-title-lines.csv", source="Phone system")
    assert not first.imported
    assert first.read.refused.startswith("No header found")
    assert "none of lines 1–10 has the columns date and service" in first.read.refused
    assert "--only-valid" not in messages(first)
    source = DataSource.objects.get(name="Phone system")
    source_profile_save(
        source=source,
        columns={"service": "Split/Skill", "count": "ACD Calls"},
        constants={"channel": "Phone", "measure": "contacts"},
    )
    mapping_save(source=source, kind="service", source_name="Missed bins", service=service)
    outcome = load(org, "avaya-title-lines.csv", source="Phone system")
    assert outcome.imported, messages(outcome)
    assert outcome.read.header_line == 6
    assert outcome.read.skipped_lines == [(1, "title"), (2, "title"), (3, "title"), (4, "title")]
    assert outcome.read.skipped_totals == [10]
    assert total(org, measure="contacts", channel__slug="phone") == 120 + 98 + 105


def test_n_a_and_dashes_are_zero_in_a_wide_file(org: Organisation, service: Service) -> None:
    outcome = load(org, "wide-na.csv")
    assert outcome.imported, messages(outcome)
    found = {
        (v.period_start.day, v.channel.slug): v.count
        for v in Volume.objects.filter(organisation=org).select_related("channel")
    }
    assert found[(2, "phone")] == 0 and found[(2, "face-to-face")] == 0
    assert found[(3, "phone")] == 12 and found[(3, "face-to-face")] == 0


def test_decimals_with_a_zero_fraction_are_whole_numbers(
    org: Organisation, service: Service
) -> None:
    outcome = load(org, "finance-decimals.csv")
    errors = {e["line"]: e["message"] for e in outcome.batch.errors}
    assert errors == {
        4: "'57.5' is not a whole number",
        5: "'(5)' is negative (in brackets): a count cannot be below 0",
    }
    assert sorted(r.number for r in outcome.accepted) == [57, 1204]


def test_dates_with_month_names_and_month_first_refused(
    org: Organisation, service: Service
) -> None:
    outcome = load(org, "dates-month-names.csv")
    days = sorted(r.period_start for r in outcome.accepted)
    assert days == [date(2026, 3, 1), date(2026, 3, 4), date(2026, 3, 5)]
    assert [(e["line"], e["message"]) for e in outcome.batch.errors] == [
        (5, "'03/13/2026' is written month first: write dates day first (dd/mm/yyyy)")
    ]


def test_names_that_differ_only_invisibly_match(org: Organisation) -> None:
    ServiceFactory.create(organisation=org, name="Casglu gwastraff g\u0175yrdd", slug="garden")
    outcome = load(org, "names-nfd.csv")
    assert outcome.imported, messages(outcome)
    assert total(org, service__slug="garden") == 7


def test_a_name_that_lost_characters_says_save_as_csv_utf8(org: Organisation) -> None:
    ServiceFactory.create(organisation=org, name="Casglu gwastraff g\u0175yrdd", slug="garden")
    outcome = load(org, "windows-1252-lost.csv")
    assert not outcome.imported
    assert "looks like 'Casglu gwastraff g\u0175yrdd'" in messages(outcome)
    assert 'Save it as "CSV UTF-8"' in messages(outcome)


def test_a_ga4_export_with_a_profile(org: Organisation, service: Service) -> None:
    source = data_source_get_or_create(org, "GA4")
    source_profile_save(
        source=source,
        columns={"service": "Event name", "count": "Event count"},
        constants={"channel": "Web"},
    )
    mapping_save(
        source=source, kind="service", source_name="report_missed_bin_submitted", service=service
    )
    outcome = load(org, "ga4-events.csv", source="GA4", only_valid=True)
    assert outcome.read.header_line == 9
    assert [why for _, why in outcome.read.skipped_lines] == ["comment"] * 8
    assert outcome.imported
    assert total(org, channel__slug="web") == 45 + 51 + 38  # YYYYMMDD dates read
    # page_view is not a service: one error per line, with the lines grouped when shown.
    assert "No service called 'page_view'" in messages(outcome)


def test_a_workbook_opening_on_a_notes_sheet(org: Organisation, service: Service) -> None:
    outcome = load(org, "notes-first.xlsx")
    assert outcome.imported, messages(outcome)
    assert total(org) == 60
    source = DataSource.objects.get(name="CRM")
    source_profile_save(source=source, sheet="Notes")
    assert load(org, "notes-first.xlsx").read.refused.startswith("No header found")
    source_profile_save(source=source, sheet=5)
    assert "there is no sheet 5" in load(org, "notes-first.xlsx").read.refused


def test_a_sources_own_measure_names_map_to_ours(org: Organisation, service: Service) -> None:
    first = load(org, "measures-their-names.csv", source="Phone system")
    assert not first.imported
    assert first.read.unknown_measures == {"Calls offered", "Cases closed"}
    source = DataSource.objects.get(name="Phone system")
    mapping_save(source=source, kind="measure", source_name="Calls offered", measure="contacts")
    mapping_save(source=source, kind="measure", source_name="Cases closed", measure="transactions")
    outcome = load(org, "measures-their-names.csv", source="Phone system")
    assert outcome.imported, messages(outcome)
    assert total(org, measure="contacts") == 120 and total(org, measure="transactions") == 80


@pytest.mark.parametrize(
    ("name", "grain"), [("monthly-as-days.csv", "month"), ("weekly-as-days.csv", "week")]
)
def test_a_file_that_looks_monthly_or_weekly_is_not_stored_as_days(
    org: Organisation, service: Service, name: str, grain: str
) -> None:
    outcome = load(org, name)
    assert not outcome.imported and not Volume.objects.exists()
    assert f"--period {grain}" in outcome.read.refused
    assert load(org, name, only_valid=True).batch.status == ImportBatch.Status.REJECTED
    assert load(org, name, default_period=grain).imported


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("report.html", "This looks like an HTML or XML page"),
        ("report.pdf", "This looks like a PDF"),
        ("header-only.csv", "header row but no figures: refused"),
    ],
)
def test_file_level_refusals_say_one_thing(
    org: Organisation, service: Service, name: str, says: str
) -> None:
    outcome = load(org, name, only_valid=True)
    assert not outcome.imported
    assert [e["line"] for e in outcome.batch.errors] == [0]
    assert says in outcome.read.refused


def test_one_error_per_line_and_grouped_over_lines(org: Organisation, service: Service) -> None:
    from takeup.ledger.matching import group_errors

    wide = load(org, "wide-two-unknown.csv")
    assert [e["line"] for e in wide.batch.errors] == [2, 3]
    assert "Telephone" in wide.batch.errors[0]["message"]
    assert "Walk-in" in wide.batch.errors[0]["message"]
    repeated = load(org, "repeated-unknown.csv")
    grouped = group_errors(repeated.batch.errors)
    assert len(grouped) == 1  # one message for 28 lines, not 28
    assert grouped[0][0] == "lines 2–3, 5–30"
    assert "did you mean 'Report a missed bin'" in grouped[0][2]


def test_cli_sets_up_a_source_maps_names_and_dry_runs(org: Organisation, service: Service) -> None:
    out = StringIO()
    call_command(
        "source",
        "set",
        "Phone system",
        "--header-line",
        "auto",
        "--column",
        "service=Split/Skill",
        "--column",
        "count=ACD Calls",
        "--constant",
        "channel=Phone",
        "--constant",
        "measure=contacts",
        "--grain",
        "day",
        stdout=out,
    )
    assert "column count: ACD Calls" in out.getvalue()
    call_command(
        "mapping",
        "add",
        "--source",
        "Phone system",
        "--kind",
        "service",
        "Missed bins",
        "Report a missed bin",
        stdout=out,
    )
    assert NameMapping.objects.filter(source_name="missed bins", service=service).exists()
    dry = StringIO()
    call_command(
        "import",
        str(DATA / "avaya-title-lines.csv"),
        "--source",
        "Phone system",
        "--dry-run",
        stdout=dry,
    )
    assert "Header on line 6" in dry.getvalue()
    assert "3 of 3 rows would be imported" in dry.getvalue()
    assert not Volume.objects.exists() and not ImportBatch.objects.exists()
    call_command(
        "import", str(DATA / "avaya-title-lines.csv"), "--source", "Phone system", stdout=StringIO()
    )
    assert total(org) == 323


def test_cli_errors_say_what_to_fix(org: Organisation, service: Service) -> None:
    with pytest.raises(CommandError, match="not a constant field: use service, channel"):
        call_command("source", "set", "X", "--constant", "colour=blue")
    with pytest.raises(CommandError, match="The header line is a line number"):
        call_command("source", "set", "X", "--header-line", "first")
    with pytest.raises(CommandError, match="No data source called 'Nobody'"):
        call_command("mapping", "add", "--source", "Nobody", "--kind", "channel", "Tel", "Phone")
    data_source_get_or_create(org, "Phones")
    with pytest.raises(CommandError, match=r"No channel called 'Fone'\. Did you mean 'Phone'"):
        call_command("mapping", "add", "--source", "Phones", "--kind", "channel", "Tel", "Fone")
    with pytest.raises(CommandError, match="Nothing imported: This looks like a PDF"):
        call_command(
            "import",
            str(DATA / "report.pdf"),
            "--source",
            "CRM",
            "--only-valid",
            stderr=StringIO(),
        )
    err = StringIO()
    with pytest.raises(
        CommandError, match=r"rejected \(listed above\)\. Fix them, or use --only-valid"
    ):
        call_command("import", str(DATA / "finance-decimals.csv"), "--source", "CRM", stderr=err)
    assert "line 4 [count]: '57.5' is not a whole number" in err.getvalue()
    ok = StringIO()
    call_command(
        "import",
        str(DATA / "finance-decimals.csv"),
        "--source",
        "CRM",
        "--only-valid",
        stdout=ok,
        stderr=StringIO(),
    )
    assert "Imported 2 rows" in ok.getvalue()


def test_cli_imports_the_catalogue(org: Organisation, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text("name,area,kind\nReport a pothole,Highways,report\n")
    out = StringIO()
    call_command("catalogue", "import", str(path), stdout=out)
    assert "1 services added" in out.getvalue()
    assert Service.objects.filter(organisation=org, name="Report a pothole").exists()
    path.write_text("name,area,kind\nBad,Highways,teleport\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 problems"):
        call_command("catalogue", "import", str(path), stderr=StringIO())


def test_a_sources_profile_is_set_on_its_page(
    member_client: Callable[[str], MemberClient], org: Organisation
) -> None:
    data_source_get_or_create(org, "Phone system")
    client = member_client("analyst")
    url = f"/o/{org.slug}/take-up/sources/phone-system/change/"
    form = {"name": "Phone system", "expected_interval": "daily", "priority": "100"}
    response = client.post(
        url,
        {
            **form,
            "header_line": "",
            "columns": "service = Split/Skill\ncount = ACD Calls",
            "constants": "channel = Phone\nmeasure = contacts",
            "grain": "day",
        },
    )
    assert response.status_code == 302
    profile = DataSource.objects.get(name="Phone system").profile
    assert profile["columns"] == {"service": "Split/Skill", "count": "ACD Calls"}
    assert profile["constants"] == {"channel": "Phone", "measure": "contacts"}
    assert profile["grain"] == "day" and profile["header_line"] is None
    page = client.get(url).content.decode()
    assert "count = ACD Calls" in page
    bad = client.post(url, {**form, "constants": "colour = blue", "header_line": "top"})
    assert b"govuk-error-summary" in bad.content
    assert b"is not a constant field" in bad.content
    assert b"The header line is a line number" in bad.content
    assert DataSource.objects.get(name="Phone system").profile == profile  # nothing half-saved


def test_a_refused_upload_keeps_nothing_not_even_its_new_source(
    member_client: Callable[[str], MemberClient], org: Organisation, service: Service
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = member_client("analyst")
    url = f"/o/{org.slug}/take-up/upload/"
    for name in ("report.pdf", "avaya-title-lines.csv", "header-only.csv"):
        upload = SimpleUploadedFile(name, (DATA / name).read_bytes())
        response = client.post(url, {"file": upload, "new_source": "PDF test", "period": "day"})
        assert response.status_code == 200, name
        assert b"govuk-error-summary" in response.content
    assert not DataSource.objects.filter(name="PDF test").exists()
    assert not ImportBatch.objects.exists()
    # A file with rows to fix waits for them; cancelled, it takes its new source with it.
    upload = SimpleUploadedFile("x.csv", (DATA / "finance-decimals.csv").read_bytes())
    location = client.post(url, {"file": upload, "new_source": "Finance", "period": "day"})
    client.post(location["Location"], {"action": "cancel"})
    assert not DataSource.objects.filter(name="Finance").exists()


def test_valid_rows_only_keeps_the_earlier_figures_of_rejected_lines(
    org: Organisation, service: Service
) -> None:
    from takeup.ledger.services import volumes_import_rows

    source = data_source_get_or_create(org, "CRM")
    first = [
        {"date": "2026-03-02", "service": service.slug, "channel": "phone", "count": 10},
        {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 20},
    ]
    assert volumes_import_rows(organisation=org, source=source, rows=first).imported
    again = [
        {"date": "2026-03-02", "service": service.slug, "channel": "Phnoe", "count": 11},
        {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 25},
    ]
    outcome = volumes_import_rows(organisation=org, source=source, rows=again, only_valid=True)
    assert outcome.imported and outcome.batch.rows_rejected == 1
    assert total(org, channel__slug="phone") == 10  # not wiped by the line that was rejected
    assert total(org, channel__slug="web") == 25


def test_replacing_exactly_many_figures_works_on_sqlite_too(
    org: Organisation, service: Service
) -> None:
    from datetime import timedelta

    from takeup.ledger.services import volumes_import_rows

    source = data_source_get_or_create(org, "Feed")
    rows: list[dict[str, object]] = [
        {
            "date": (date(2025, 1, 1) + timedelta(days=d)).isoformat(),
            "service": service.slug,
            "channel": channel,
            "count": 1,
        }
        for d in range(365)
        for channel in ("web", "phone", "email")
    ]
    for _ in range(2):  # the second time, 1,095 figures are replaced exactly
        outcome = volumes_import_rows(organisation=org, source=source, rows=rows, replace_keys=True)
        assert outcome.imported
    assert outcome.batch.rows_replaced == 1_095 and total(org) == 1_095

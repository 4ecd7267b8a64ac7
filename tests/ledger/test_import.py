"""The import pipeline and the database: all or nothing, replace not add, mappings, conflicts."""

from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from takeup.catalogue.models import Channel, Service
from takeup.ledger.models import ImportBatch, NameMapping, Volume
from takeup.ledger.services import (
    ImportOutcome,
    data_source_get_or_create,
    data_source_save,
    mapping_save,
    volumes_import,
    volumes_import_rows,
)
from takeup.organisations.models import Organisation

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
    return (
        Volume.objects.filter(organisation=org, counted=True, **filters).aggregate(n=Sum("count"))[
            "n"
        ]
        or 0
    )


def test_clean_file_imports_with_provenance(org: Organisation, service: Service) -> None:
    outcome = load(org, "long-clean.csv")
    assert outcome.imported
    batch = outcome.batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (4, 4, 0)
    assert len(batch.checksum) == 64 and batch.file_name == "long-clean.csv"
    assert total(org) == 400
    assert batch.source.last_received_at is not None


def test_importing_the_same_file_again_replaces_it(org: Organisation, service: Service) -> None:
    load(org, "long-clean.csv")
    second = load(org, "long-clean.csv")
    assert total(org) == 400
    assert second.batch.rows_replaced == 4
    assert Volume.objects.filter(organisation=org).count() == 4


def test_a_file_with_bad_rows_imports_nothing(org: Organisation, service: Service) -> None:
    outcome = load(org, "bad-rows.csv")
    assert not outcome.imported
    assert outcome.batch.status == ImportBatch.Status.REJECTED
    assert {e["line"] for e in outcome.batch.errors} == {3, 4, 5, 6, 7, 8}
    assert Volume.objects.count() == 0


def test_only_the_valid_rows_when_asked(org: Organisation, service: Service) -> None:
    outcome = load(org, "bad-rows.csv", only_valid=True)
    assert outcome.imported
    assert outcome.batch.rows_accepted == 1 and outcome.batch.rows_rejected == 6
    assert total(org) == 120  # line 8 repeats line 2's figure and is refused, not added


def test_monthly_wide_file_is_kept_as_months(org: Organisation, service: Service) -> None:
    outcome = load(org, "wide-bom-semicolon-monthly.csv", default_period="month")
    assert outcome.imported, outcome.batch.errors
    assert set(Volume.objects.values_list("period", flat=True)) == {"month"}
    assert total(org) == 1250 + 800 + 12 + 1300 + 750


def test_mapping_is_remembered_per_source(org: Organisation, service: Service) -> None:
    first = load(org, "windows-1252-excel-serial.csv", source="Phone system")
    assert not first.imported and first.unknown_channels == {"Téléphone"}
    source = data_source_get_or_create(org, "Phone system")
    mapping_save(
        source=source,
        kind="channel",
        source_name="Téléphone",
        channel=Channel.objects.get(organisation=org, slug="phone"),
    )
    again = load(org, "windows-1252-excel-serial.csv", source="Phone system")
    assert again.imported
    assert total(org, channel__slug="phone") == 56
    assert NameMapping.objects.filter(source=source).count() == 1
    # Another source does not inherit it.
    assert not load(org, "windows-1252-excel-serial.csv", source="Other").imported


def test_conflicting_sources_count_once_by_priority(org: Organisation, service: Service) -> None:
    crm = data_source_save(organisation=org, name="CRM", priority=100)
    web = data_source_save(organisation=org, name="Web analytics", priority=50)
    rows = [{"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 120}]
    volumes_import_rows(organisation=org, source=web, rows=[{**rows[0], "count": 999}])
    volumes_import_rows(organisation=org, source=crm, rows=rows)
    assert Volume.objects.filter(organisation=org).count() == 2
    assert total(org) == 120  # the CRM's figure, not both added
    data_source_save(organisation=org, name="Web analytics", priority=200, source=web)
    assert total(org) == 999


def test_other_organisations_names_do_not_match(
    org: Organisation, other_org: Organisation, service: Service
) -> None:
    outcome = load(other_org, "long-clean.csv")
    assert not outcome.imported and outcome.unknown_services == {"Report a missed bin"}
    assert Volume.objects.count() == 0


def test_json_rows_like_the_performance_platform(org: Organisation, service: Service) -> None:
    source = data_source_get_or_create(org, "API feed")
    rows = [
        {
            "date": "2015-06-08",
            "period": "week",
            "service": service.name,
            "channel": "Phone",
            "count": 2000,
        }
    ]
    assert volumes_import_rows(organisation=org, source=source, rows=rows).imported
    assert volumes_import_rows(organisation=org, source=source, rows=rows).imported
    assert total(org) == 2000
    bad = volumes_import_rows(organisation=org, source=source, rows=[{**rows[0], "count": "44.2"}])
    assert not bad.imported and "whole number" in bad.batch.errors[0]["message"]
    assert total(org) == 2000


def test_xlsx(org: Organisation, service: Service, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Service", "Web", "Phone"])
    sheet.append([datetime(2026, 3, 2), "Report a missed bin", 10, 5])
    sheet.append([datetime(2026, 3, 3), "Report a missed bin", 11, 4])
    path = tmp_path / "volumes.xlsx"
    book.save(path)
    outcome = volumes_import(
        organisation=org,
        source=data_source_get_or_create(org, "Excel"),
        data=path.read_bytes(),
        file_name="volumes.xlsx",
    )
    assert outcome.imported, outcome.batch.errors
    assert outcome.batch.file_format == "xlsx" and total(org) == 30


def test_garbage_xlsx_is_a_clear_rejection(org: Organisation) -> None:
    outcome = volumes_import(
        organisation=org,
        source=data_source_get_or_create(org, "Excel"),
        data=b"PK\x03\x04 not really a workbook",
        file_name="x.xlsx",
    )
    assert not outcome.imported
    assert "could not be read as XLSX" in outcome.batch.errors[0]["message"]

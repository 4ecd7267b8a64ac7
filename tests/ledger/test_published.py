"""The published GOV.UK and OPG data import as published, with the built-in profiles. The figures
checked here were read by hand from the files (tests/ledger/data/published, unchanged copies)."""

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger import published
from takeup.ledger.models import ImportBatch, PublishedFigure, Volume
from takeup.ledger.published_services import published_import
from takeup.organisations.models import Organisation
from takeup.organisations.services import organisation_create

PUBLISHED = Path(__file__).parent / "data" / "published"
SERVICES_CSV = PUBLISHED / "govuk-transactions-explorer-services.csv"
VOLUMES_CSV = PUBLISHED / "govuk-transactions-explorer-transaction-volumes.csv"
OPG = {
    "deputy": PUBLISHED / "opg-complete_the_deputy_report_service.json",
    "make": PUBLISHED / "opg-make_a_lasting_power_of_attorney_service.json",
    "use": PUBLISHED / "opg-use_a_lasting_power_of_attorney_service.json",
}
BLOBS = {
    SERVICES_CSV: "0e8c6bdb20be8ebdc59914ac548a9a47f5568488",
    VOLUMES_CSV: "eb8916d6ed019ab0d82e206b449ae6fcee3f0f6b",
    OPG["deputy"]: "fc8e60fc7bc923b2952892117bd23c1f1a9b7f6a",
    OPG["make"]: "8573a1435de21b9f560ef3837c8a0693ef781405",
    OPG["use"]: "51eb9417bc14b12929ecee9c35c1ac6863f4516d",
}


@pytest.fixture
def govuk(db: None) -> Organisation:
    return organisation_create(
        name="GOV.UK services (published)",
        slug="govuk",
        kind="central_government",
        nation="england",
    )


def figure(org: Organisation, service: str, kind: str, months: int, end: date) -> Decimal:
    found = PublishedFigure.objects.get(
        organisation=org, service__name=service, kind=kind, months=months, period_end=end
    )
    return found.value


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.parametrize("path", list(BLOBS))
def test_the_copies_are_the_published_files_unchanged(path: Path) -> None:
    data = path.read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
    assert blob == BLOBS[path]


def test_the_transactions_explorer_spreadsheet_imports_with_hand_read_figures(
    govuk: Organisation,
) -> None:
    output = run(
        str(SERVICES_CSV),
        "--profile",
        "govuk-transactions-explorer",
        "--organisation",
        "govuk",
        "--only-valid",
    )
    assert "Imported 42395 published figures" in output
    # "Trade mark renewals": 2012-Q4 Vol. 19,282 holds April 2011 to March 2012 (the first
    # label's exception); 2017-Q4 Vol. 45,655 and Digital vol. 27,045 hold Oct 2016 to Sep 2017;
    # the true quarter Jul - Sep 2017 is 7,325 of which 6,733 digital.
    trade_marks = "Trade mark renewals"
    assert figure(govuk, trade_marks, "transactions", 12, date(2012, 3, 31)) == 19282
    assert figure(govuk, trade_marks, "transactions", 12, date(2017, 9, 30)) == 45655
    assert figure(govuk, trade_marks, "digital_transactions", 12, date(2017, 9, 30)) == 27045
    assert figure(govuk, trade_marks, "transactions", 3, date(2017, 9, 30)) == 7325
    assert figure(govuk, trade_marks, "digital_transactions", 3, date(2017, 9, 30)) == 6733
    # "2012-Q4 Digital vol." is blank there: no figure, not a zero.
    assert not PublishedFigure.objects.filter(
        service__name=trade_marks, kind="digital_transactions", period_end=date(2012, 3, 31)
    ).exists()
    # Nothing reaches the ledger's volumes: rolling totals are never summed.
    assert not Volume.objects.exists()
    assert Service.objects.filter(organisation=govuk).count() == 705  # 29 rows have no figures


def test_digital_above_total_is_a_conflict_and_neither_figure_is_kept(
    govuk: Organisation,
) -> None:
    with pytest.raises(CommandError, match="28 figures were rejected"):
        run(
            str(SERVICES_CSV), "--profile", "govuk-transactions-explorer", "--organisation", "govuk"
        )
    assert not PublishedFigure.objects.exists()  # all or nothing, as every import
    run(
        str(VOLUMES_CSV),
        "--profile",
        "govuk-transactions-explorer",
        "--organisation",
        "govuk",
        "--only-valid",
    )
    # NHS e-Referrals, October 2015 to September 2016: 9,969,649 digital of 9,112,889 in all.
    batch = ImportBatch.objects.get()
    assert any(
        "9,969,649 digital transactions is more than the 9,112,889" in e["message"]
        for e in batch.errors
    )
    assert not PublishedFigure.objects.filter(
        service__name="NHS e-Referrals", months=12, period_end=date(2016, 9, 30)
    ).exists()


def test_the_public_download_reads_its_mislabelled_period_and_agrees_with_the_spreadsheet(
    govuk: Organisation,
) -> None:
    spreadsheet = published.read_transactions_explorer(SERVICES_CSV.read_text(encoding="utf-8"))
    download = published.read_transactions_explorer(VOLUMES_CSV.read_text(encoding="utf-8"))
    assert any(
        "January 2014 to December 2015" in n and "December 2014" in n for n in download.notes
    )

    def keyed(reading: published.PublishedReading) -> dict[tuple[str, str, int, date], Decimal]:
        return {
            (f.service.casefold(), f.kind, f.months, f.period_end): f.value for f in reading.figures
        }

    a, b = keyed(spreadsheet), keyed(download)
    assert len(b) == 20543 and b.keys() <= a.keys()
    assert all(a[k] == b[k] for k in b)  # "1,225,655,386" and 1225655386 agree everywhere
    # Vehicle tax renewals, April 2012 to March 2013: 45778327, of which 24701745 digital, £1.43.
    renewals = ("vehicle tax renewals", 12, date(2013, 3, 31))
    assert b[(renewals[0], "transactions", 12, renewals[2])] == 45778327
    assert b[(renewals[0], "digital_transactions", 12, renewals[2])] == 24701745
    assert b[(renewals[0], "cost_per_transaction", 12, renewals[2])] == Decimal("1.43")


def test_a_re_import_replaces_figures_and_adds_nothing(govuk: Organisation) -> None:
    args = [
        str(VOLUMES_CSV),
        "--profile",
        "govuk-transactions-explorer",
        "--organisation",
        "govuk",
        "--only-valid",
    ]
    run(*args)
    again = run(*args)
    assert "replaced 20543 earlier figures" in again
    assert PublishedFigure.objects.count() == 20543
    assert Service.objects.filter(organisation=govuk).count() == 705


def test_spreadsheet_errors_in_a_read_column_are_rejected_and_reported(
    govuk: Organisation,
) -> None:
    text = (
        "Department,Name of service,2017-Q4 Vol.,2017-Q4 Digital vol.,Hi-vol\r\n"
        'Dept A,Licence A,"1,200",#REF!,#REF!\r\n'
        "Dept A,Licence B,-,,ok\r\n"
    )
    reading = published.read_transactions_explorer(text)
    assert reading.errors == [
        (2, "2017-Q4 Digital vol.", "'#REF!' is a spreadsheet error, not a figure: not imported.")
    ]
    assert [(f.service, f.value) for f in reading.figures] == [("Licence A", Decimal(1200))]
    assert "Hi-vol (1 cells)" in reading.notes[0]


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("", "empty"),
        ("date,service,channel,count\n2024-01-01,Bins,Web,3\n", "not a GOV.UK transactions"),
        ("Department,Name of service,URL\nD,S,x\n", "No column holds figures"),
    ],
)
def test_files_that_are_not_the_explorer_are_refused_whole(text: str, refusal: str) -> None:
    assert refusal in published.read_transactions_explorer(text).refused


def test_opg_imports_and_shows_the_april_2026_satisfaction_break(govuk: Organisation) -> None:
    for path in OPG.values():
        run(str(path), "--profile", "opg-performance", "--organisation", "govuk")
    use = "Use a lasting power of attorney"
    # Hand-read: use-an-lpa, March 2021, user-satisfaction-percent 91, very-dissatisfied 67.
    assert figure(govuk, use, "satisfaction_percent", 1, date(2021, 3, 31)) == 91
    assert figure(govuk, use, "very_dissatisfied", 1, date(2021, 3, 31)) == 67
    for name in ("Complete the deputy report", "Make a lasting power of attorney", use):
        by_kind: dict[str, dict[date, Decimal]] = defaultdict(dict)
        for f in PublishedFigure.objects.filter(service__name=name):
            by_kind[f.kind][f.period_end] = f.value
        months = published.satisfaction_months(by_kind)
        breaks = [m.month for m in months if m.break_before]
        assert breaks == [date(2026, 4, 30)], name
        assert {m.follows for m in months if m.month < date(2026, 4, 1)} <= {
            "mean",
            "both",
            "neither",
            "",
        }
        assert {m.follows for m in months if m.month >= date(2026, 4, 1)} <= {"share", ""}
    march_2021 = next(
        m
        for m in published.satisfaction_months(
            {
                k: {date(2021, 3, 31): figure(govuk, use, k, 1, date(2021, 3, 31))}
                for k in ("satisfaction_percent", *published.ANSWER_KINDS)
            }
        )
    )
    assert round(march_2021.mean_score or 0, 1) == 91.0  # published 91: the old mean score
    assert round(march_2021.share or 0, 1) == 94.3  # the GDS share would have said 94.3


def test_opg_string_counts_are_read_with_a_note_and_placeholders_rejected() -> None:
    reading = published.read_opg(OPG["make"].read_text(encoding="utf-8"))
    assert reading.errors == []
    assert reading.notes == [
        "Make a lasting power of attorney, digital-take-up: 5 figures written as text were "
        "read as numbers."
    ]
    placeholder = (
        '[{"_timestamp": "2026-01-01T00:00:00+00:00", "service": "make-a-lpa", '
        '"channel": "digital", "count": "TBU", "dataType": "digital-take-up", '
        '"period": "month"}, {"_timestamp": "2026-01-01T00:00:00+00:00", '
        '"service": "make-a-lpa", "channel": "digital", "count": 12.5, '
        '"dataType": "satisfied", "period": "month"}, {"_timestamp": '
        '"2026-01-01T00:00:00+00:00", "service": "make-a-lpa", "count": 104, '
        '"dataType": "uptime-percent", "period": "month"}]'
    )
    bad = published.read_opg(placeholder)
    assert [message for _, _, message in bad.errors] == [
        "Record 1 (digital-take-up, Jan 2026): 'TBU' is not a number.",
        "Record 2 (satisfied, Jan 2026): '12.5' is not a whole number.",
        "Record 3 (uptime-percent, Jan 2026): 104 is above 100%.",
    ]
    assert published.read_opg("[]").refused.startswith("The file holds no records")
    assert published.read_opg("<html>").refused.startswith("This is not JSON")


def test_a_dry_run_changes_nothing(govuk: Organisation) -> None:
    output = run(
        str(OPG["use"]), "--profile", "opg-performance", "--organisation", "govuk", "--dry-run"
    )
    assert "384 figures from 384 records would be imported" in output
    assert not PublishedFigure.objects.exists() and not Service.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(govuk: Organisation) -> None:
    outcome = published_import(
        organisation=govuk,
        profile="govuk-transactions-explorer",
        data="Department,Name of service,2017-Q4 Vol.\nD,Caf\xe9,3\n".encode("cp1252"),
    )
    assert 'save it as "CSV UTF-8"' in outcome.reading.refused
    assert outcome.batch is None and not PublishedFigure.objects.exists()


def test_the_service_page_shows_published_figures_as_themselves(
    org: Organisation, viewer_client: Client
) -> None:
    for path in (OPG["use"], VOLUMES_CSV):
        published_import(
            organisation=org,
            profile="opg-performance" if path.suffix == ".json" else "govuk-transactions-explorer",
            data=path.read_bytes(),
            only_valid=True,
        )
    use = Service.objects.get(organisation=org, name="Use a lasting power of attorney")
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/{use.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "changed definition in April 2026" in html
    assert "neither: check the published figure" in html  # Feb 2023 and Apr 2025
    renewals = Service.objects.get(organisation=org, name="Vehicle tax renewals")
    html = viewer_client.get(f"/o/{org.slug}/take-up/services/{renewals.slug}/").content.decode()
    assert "Published 12-month totals" in html and "45,778,327" in html
    assert 'id="published-only"' in html  # no counts in the ledger: the page says where to look
    csv = viewer_client.get(f"/o/{org.slug}/take-up/services/{renewals.slug}/?download=published")
    lines = csv.content.decode().splitlines()
    assert "GOV.UK transactions explorer,transactions,12,2013-03-31,45778327" in lines
    # Figures as published: no trailing zeros from storage, pence kept where published.
    assert "GOV.UK transactions explorer,cost_per_transaction,12,2013-03-31,1.43" in lines
    assert "91.00000" not in html and "£1.43" in html

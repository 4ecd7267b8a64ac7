"""The volume reader, alone: every kind of mess the issue lists, and line-numbered errors."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takeup.ledger.parsing import (
    DateReader,
    ReadResult,
    parse_count,
    read_volumes,
    records_from_csv,
)

DATA = Path(__file__).parent / "data"


def read(name: str, **kwargs: Any) -> ReadResult:
    return read_volumes(records_from_csv((DATA / name).read_bytes()), **kwargs)


def test_long_layout() -> None:
    result = read("long-clean.csv")
    assert result.layout == "long" and not result.errors
    assert result.rows_read == 4
    first = result.rows[0]
    assert (first.line, first.period_start, first.channel, first.number) == (
        2,
        date(2026, 3, 2),
        "Web",
        120,
    )


def test_wide_layout_with_bom_semicolons_thousands_blank_line_and_totals_row() -> None:
    result = read("wide-bom-semicolon-monthly.csv", default_period="month")
    assert result.layout == "wide" and not result.errors, result.errors
    assert result.skipped_totals == [5]
    assert result.rows_read == 2
    counts = {(r.period_start, r.channel): r.number for r in result.rows}
    assert counts == {
        (date(2026, 3, 1), "Web"): 1250,
        (date(2026, 3, 1), "Phone"): 800,
        (date(2026, 3, 1), "Face-to-face"): 12,
        (date(2026, 4, 1), "Web"): 1300,
        (date(2026, 4, 1), "Phone"): 750,
        (date(2026, 4, 1), "Face-to-face"): 0,
    }  # "-" in a wide file is zero, as exports write it; monthly figures are kept as months
    assert all(r.period == "month" for r in result.rows)


def test_windows_1252_and_excel_serial_dates() -> None:
    result = read("windows-1252-excel-serial.csv")
    assert not result.errors
    assert result.rows[0].period_start == date(1899, 12, 30) + timedelta(days=46082)
    assert result.rows[0].number == 1234
    assert result.rows[1].channel == "Téléphone"


def test_bad_rows_are_reported_with_line_and_column() -> None:
    result = read("bad-rows.csv")
    found = {(e.line, e.column) for e in result.errors}
    assert (3, "date") in found  # 30 February
    assert (6, "count") in found and (7, "count") in found  # negative, fraction
    messages = {e.line: e.message for e in result.errors}
    assert "negative" in messages[6] and "whole number" in messages[7]
    # Names are matched later, against the catalogue; the reader keeps those lines.
    assert {r.line for r in result.rows} == {2, 4, 5, 8}


def test_weeks_must_start_on_monday() -> None:
    result = read("weekly-wednesday.csv")
    assert "Wednesday" in result.errors[0].message and result.errors[0].line == 2


def test_missing_columns_are_named() -> None:
    result = read_volumes([(1, ["when", "service", "count"])])
    assert "date" in result.errors[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234),
        ("1 234", 1234),
        ("1.234.567", 1234567),
        ("0", 0),
        (" 42 ", 42),
        ("1\u00a0234", 1234),
    ],
)
def test_counts(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["-3", "1.5", "abc", "", "1,23"])
def test_bad_counts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_count(text)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_every_date_format_reads_back(day: date) -> None:
    reader = DateReader()
    serial = (day - date(1899, 12, 30)).days
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), str(serial)):
        assert reader(text) == day, text


@given(st.binary(max_size=300))
def test_any_bytes_give_rows_or_errors(data: bytes) -> None:
    result = read_volumes(records_from_csv(data))
    assert result.rows or result.errors or result.skipped_totals


@given(st.integers(min_value=0, max_value=10**12))
def test_formatted_counts_read_back(n: int) -> None:
    assert parse_count(f"{n:,}") == n
    assert parse_count(str(n)) == n


def test_dates_outside_1900_to_2999_are_refused() -> None:
    result = read_volumes(
        [
            (1, ["date", "service", "channel", "count"]),
            (2, ["9999-12-31", "s", "web", "1"]),
            (3, ["0001-01-01", "s", "web", "1"]),
        ]
    )
    assert [e.line for e in result.errors] == [2, 3]
    assert "between 1900 and 2999" in result.errors[0].message


def test_contacts_and_transactions_side_by_side() -> None:
    result = read("contacts-and-transactions.csv")
    assert result.layout == "measures"
    found = {(r.line, r.channel, r.measure, r.number) for r in result.rows}
    assert found == {
        (2, "Phone", "transactions", 40),
        (2, "Phone", "contacts", 95),
        (3, "Web", "transactions", 160),
    }
    # Line 4's contacts are not a number: the whole line is rejected, with one error.
    assert [(e.line, e.column) for e in result.errors] == [(4, "contacts")]


def test_a_count_too_big_to_be_true_is_an_error_not_an_overflow() -> None:
    with pytest.raises(ValueError, match="more than a count can be"):
        parse_count("99999999999999999999")
    assert parse_count("1,000,000,000,000") == 10**12


def test_every_bad_line_is_known_past_the_errors_kept() -> None:
    lines = [(1, ["date", "service", "channel", "count"])] + [
        (n, ["02/03/2026", "bins", "web", "x"]) for n in range(2, 1_503)
    ]
    result = read_volumes(lines)
    assert len(result.errors) == 1000 and len(result.bad_lines) == 1_501

"""The catalogue CSV parser, alone (no database)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from takeup.catalogue.csvimport import parse_catalogue
from takeup.core.text import slugify

DATA = Path(__file__).parent / "data"


def test_good_file_parses_every_row() -> None:
    parsed = parse_catalogue((DATA / "good.csv").read_bytes())
    assert parsed.ok, parsed.errors
    assert [r.slug for r in parsed.rows] == [
        "report-a-missed-bin",
        "book-a-bulky-waste-collection",
        "pay-council-tax",
    ]
    first, second, third = parsed.rows
    assert first.kind == "report" and first.online_since == date(2016, 5, 1)
    assert first.target_percent == Decimal(85) and first.target_date == date(2027, 3, 31)
    assert first.public and not second.public
    assert third.target_percent == Decimal(75) and third.line == 5  # the blank line is counted


def test_bad_file_reports_each_problem_with_its_line() -> None:
    parsed = parse_catalogue((DATA / "bad.csv").read_bytes())
    found = {(e.line, e.column) for e in parsed.errors}
    assert (3, "name") in found
    assert (4, "kind") in found
    assert {(5, "online_url"), (5, "online_since"), (5, "target_percent"), (5, "public")} <= found
    assert (6, "slug") in found  # the same service as line 2
    assert not any(e.line == 2 for e in parsed.errors)
    kind_error = next(e for e in parsed.errors if (e.line, e.column) == (4, "kind"))
    assert "'Pay online' is not a kind" in kind_error.message


def test_windows_1252_with_semicolons() -> None:
    parsed = parse_catalogue((DATA / "windows-1252-semicolons.csv").read_bytes())
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].name == "Café licence" and parsed.rows[0].slug == "cafe-licence"


def test_utf8_with_byte_order_mark() -> None:
    data = "\ufeffName,Area,Kind\nJoin the library,Libraries,Apply for it\n".encode()
    parsed = parse_catalogue(data)
    assert parsed.ok and parsed.rows[0].area == "Libraries"


def test_missing_and_unknown_columns_are_named() -> None:
    assert "kind" in parse_catalogue(b"name,area\nA,B\n").errors[0].message
    assert "colour" in parse_catalogue(b"name,area,kind,colour\nA,B,pay,red\n").errors[0].message


def test_empty_and_header_only_files() -> None:
    assert parse_catalogue(b"").errors[0].message == "The file is empty."
    assert "no services" in parse_catalogue(b"name,area,kind\n").errors[0].message


def test_target_needs_a_date() -> None:
    parsed = parse_catalogue(b"name,area,kind,target_percent\nA,B,pay,80\n")
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "target_date")]


@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_errors_never_an_exception(data: bytes) -> None:
    parsed = parse_catalogue(data)
    assert parsed.rows or parsed.errors


@given(st.text(max_size=60))
def test_slugify_is_idempotent_and_url_safe(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-")


def test_the_online_only_date_is_read_and_a_bad_one_named() -> None:
    text = (
        "name,area,kind,online_only_since\n"
        "Apply for a visitor parking permit,Parking,apply,2025-04-01\n"
        "Renew a permit,Parking,apply,\n"
        "Pay a fine,Parking,pay,the spring\n"
    )
    parsed = parse_catalogue(text.encode())
    assert [(e.line, e.column) for e in parsed.errors] == [(4, "online_only_since")]
    parsed = parse_catalogue(text.rsplit("Pay a fine", 1)[0].encode())
    assert [r.online_only_since for r in parsed.rows] == [date(2025, 4, 1), None]

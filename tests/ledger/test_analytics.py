"""The analytics readers (pure): each documented export shape, made by the project from the
products' public documentation, read into page visits and put under services by page rules."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takeup.ledger import analytics, parsing
from takeup.ledger.analytics import AnalyticsError, PageVisits

DATA = Path(__file__).parent / "data"
RULES = [("/bins/missed", "report-a-missed-bin"), ("/bins", "bin-collections")]


def visits(name: str) -> list[PageVisits]:
    data = (DATA / name).read_bytes()
    kind = analytics.kind_of(data)
    assert kind is not None
    return analytics.read(kind, data)


def summed(name: str) -> dict[tuple[str, str], int]:
    mapped = analytics.by_service(visits(name), RULES)
    assert mapped.records[0] == (0, analytics.HEADER)
    return {(r[0], r[2]): int(r[5]) for _, r in mapped.records[1:]}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("matomo-pages.json", "matomo"),
        ("matomo-pages.csv", "matomo"),
        ("plausible-pages.json", "plausible"),
        ("plausible-visitors.csv", "plausible"),
        ("plausible-pages.csv", "plausible"),
        ("ga4-pages.csv", "ga4"),
        ("long-clean.csv", None),
        ("ga4-events.csv", None),  # events, not pages: read as any other CSV
    ],
)
def test_exports_are_known_by_their_shape(name: str, kind: str | None) -> None:
    assert analytics.kind_of((DATA / name).read_bytes()) == kind


def test_matomo_json_counts_pages_not_their_folders() -> None:
    found = visits("matomo-pages.json")
    assert [(v.day, v.path, v.visits) for v in found] == [
        ("2026-03-02", "/bins/missed", "100"),  # the url's path, without its query string
        ("2026-03-02", "/bins/calendar", "30"),
        ("2026-03-02", "/", "400"),
        ("2026-03-02", "/parking", "25"),
        ("2026-03-03", "/bins/missed", "90"),
    ]


def test_matomo_subtables_without_urls_are_paths_from_their_labels() -> None:
    doc = {"2026-03-02": [{"label": "bins", "subtable": [{"label": "/missed", "nb_visits": 7}]}]}
    assert analytics.matomo_json(doc)[0].path == "/bins/missed"


def test_matomo_json_with_no_dates_is_refused_saying_how_to_ask() -> None:
    with pytest.raises(AnalyticsError, match="period=day"):
        analytics.matomo_json([{"label": "/bins", "nb_visits": 3}])


def test_matomo_nesting_deeper_than_any_website_is_refused() -> None:
    row: dict[str, object] = {"label": "x", "nb_visits": 1}
    for _ in range(50):
        row = {"label": "x", "subtable": [row]}
    with pytest.raises(AnalyticsError, match="nests"):
        analytics.matomo_json({"2026-03-02": [row]})


@pytest.mark.parametrize("name", ["matomo-pages.json", "matomo-pages.csv"])
def test_matomo_visits_summed_per_day_and_service(name: str) -> None:
    assert summed(name) == {
        ("2026-03-02", "report-a-missed-bin"): 100,
        ("2026-03-02", "bin-collections"): 30,
        ("2026-03-03", "report-a-missed-bin"): 90,
    }


def test_plausible_json_reads_the_query_for_which_metric_is_which() -> None:
    found = visits("plausible-pages.json")
    # metrics are [visitors, visits]: visits is taken
    assert (found[0].path, found[0].day, found[0].visits, found[0].device) == (
        "/bins/missed",
        "2026-03-02",
        "60",
        "Desktop",
    )
    assert summed("plausible-pages.json")[("2026-03-02", "report-a-missed-bin")] == 60 + 40


def test_plausible_json_without_a_day_dimension_is_refused() -> None:
    doc = {"results": [], "query": {"dimensions": ["event:page"], "metrics": ["visitors"]}}
    with pytest.raises(AnalyticsError, match="time:day"):
        analytics.plausible_json(doc)


def test_plausible_visitors_csv_is_the_whole_site_under_the_root_path() -> None:
    found = visits("plausible-visitors.csv")
    assert [(v.day, v.path, v.visits) for v in found] == [
        ("2026-03-02", "/", "555"),
        ("2026-03-03", "/", "90"),
    ]


def test_plausible_pages_csv_has_no_dates_and_is_refused_saying_why() -> None:
    with pytest.raises(AnalyticsError, match="no date column"):
        visits("plausible-pages.csv")


def test_ga4_pages_with_devices_add_up_over_devices() -> None:
    found = visits("ga4-pages.csv")
    assert {v.device for v in found} == {"desktop", "mobile"}
    assert found[0].line == 10 and found[0].visits == "60"  # Sessions, not Views
    assert summed("ga4-pages.csv") == {
        ("20260302", "report-a-missed-bin"): 100,
        ("20260302", "bin-collections"): 30,
        ("20260303", "report-a-missed-bin"): 90,
    }


def test_unmatched_pages_are_counted_once() -> None:
    mapped = analytics.by_service(visits("matomo-pages.json"), RULES)
    assert (mapped.unmatched_visits, mapped.unmatched_pages, mapped.pages) == (425, 2, 4)


def test_a_count_that_is_not_a_number_reaches_the_reader_with_its_line() -> None:
    rows = [PageVisits(4, "2026-03-02", "/bins", "lots"), PageVisits(5, "2026-03-02", "/bins", "3")]
    mapped = analytics.by_service(rows, RULES)
    read = parsing.read_volumes(mapped.records)
    assert [(e.line, e.column) for e in read.errors] == [(4, "count")]
    assert [r.number for r in read.rows] == [3]


def test_the_records_read_as_daily_web_visits() -> None:
    read = parsing.read_volumes(analytics.by_service(visits("ga4-pages.csv"), RULES).records)
    assert not read.errors
    assert {(r.period, r.channel, r.measure) for r in read.rows} == {("day", "Web", "visits")}
    assert sum(r.number for r in read.rows) == 220


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["/bins/missed", "/bins/x", "/parking", "/"]),
            st.integers(0, 10_000),
        ),
        max_size=30,
    )
)
def test_nothing_lost_nothing_doubled(pages: list[tuple[str, int]]) -> None:
    rows = [PageVisits(n, "2026-03-02", p, str(v)) for n, (p, v) in enumerate(pages, start=1)]
    mapped = analytics.by_service(rows, RULES)
    matched = sum(int(r[5]) for _, r in mapped.records[1:])
    assert matched + mapped.unmatched_visits == sum(v for _, v in pages)


def test_plausible_results_missing_their_metrics_are_refused() -> None:
    doc = json.loads((DATA / "plausible-pages.json").read_text())
    doc["results"][1] = {"dimensions": ["/bins"]}
    with pytest.raises(AnalyticsError, match="Result 2"):
        analytics.plausible_json(doc)


def test_a_big_csv_is_known_by_its_first_lines() -> None:
    data = (DATA / "ga4-pages.csv").read_bytes()
    body = data.split(b"\n", 8)[8]  # the header and rows, without the comments
    big = body + b"20260304,/bins/missed,desktop,1,1\n" * 20_000
    assert len(big) > analytics.DETECT_BYTES and analytics.kind_of(big) == "ga4"


def test_totals_rows_are_not_pages() -> None:
    data = (DATA / "ga4-pages.csv").read_bytes() + b",,,245,293\nGrand total,,,245,293\n"
    assert sum(int(v.visits) for v in analytics.read("ga4", data)) == 245

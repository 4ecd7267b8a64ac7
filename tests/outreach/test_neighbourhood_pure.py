"""The pure parts of neighbourhood targeting, with answers worked by hand: the priority score,
the boundary file's checks and winding, and the council's CSV figures."""

import json
from datetime import date

import pytest

from takeup.outreach import areacsv, maps, priority
from takeup.outreach.priority import Area, criteria, needs, score


def test_needs_go_by_place_in_order_ties_sharing_the_average() -> None:
    assert needs({"a": 10, "b": 30, "c": 20}, True) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert needs({"a": 10, "b": 30, "c": 20}, False) == {"a": 1.0, "b": 0.0, "c": 0.5}
    # a and b tie for places 0 and 1 of 0–3: 0.5 / 3 each; d is last.
    assert needs({"a": 1, "b": 1, "c": 5, "d": 9}, True) == {
        "a": pytest.approx(1 / 6),
        "b": pytest.approx(1 / 6),
        "c": pytest.approx(2 / 3),
        "d": 1.0,
    }
    assert needs({"a": 4, "b": None}, True) == {"a": 0.5}  # alone: no comparison
    assert needs({"a": 4, "b": 4}, True) == {"a": 0.5, "b": 0.5}
    assert needs({"a": None}, True) == {}
    # A long tail counts by order, not size.
    assert needs({"a": 1, "b": 2, "c": 1000}, True)["b"] == 0.5


def test_the_score_is_the_weighted_average_of_the_needs() -> None:
    areas = [
        Area("A", imd_rank=100, older_share=0.10, own={"broadband": 70.0}),
        Area("B", imd_rank=200, older_share=0.30, own={"broadband": 90.0}),
        Area("C", imd_rank=300, older_share=0.20, own={"broadband": 80.0}),
    ]
    # Deprivation: A 1, B 0.5, C 0. Older: A 0, B 1, C 0.5. Less broadband is more need:
    # A 1, B 0, C 0.5. Weights 2, 1, 1 → A (2 + 0 + 1) / 4 = 75; B (1 + 1 + 0) / 4 = 50;
    # C (0 + 0.5 + 0.5) / 4 = 25.
    found = score(areas, criteria(2, 1, [("broadband", 1, False)]))
    assert [(s.code, s.score, s.rank) for s in found] == [
        ("A", 75.0, 1),
        ("B", 50.0, 2),
        ("C", 25.0, 3),
    ]
    assert found[0].needs == {"deprivation": 1.0, "older": 0.0, "broadband": 1.0}
    assert found[0].left_out == ()


def test_a_missing_value_is_left_out_and_said_and_no_value_is_no_score() -> None:
    areas = [
        Area("A", imd_rank=100, older_share=None),
        Area("B", imd_rank=200, older_share=0.30),
        Area("C", imd_rank=300, older_share=0.20),
        Area("D"),
    ]
    found = {s.code: s for s in score(areas, criteria(1, 1))}
    # A: deprivation only (1.0) → 100, with the share aged 60+ said to be left out.
    assert (found["A"].score, found["A"].left_out) == (100.0, ("older",))
    assert found["A"].needs["older"] is None
    # B: deprivation 0.5, older 1 → 75; C: 0 and 0 → 0.
    assert (found["B"].score, found["C"].score) == (75.0, 0.0)
    assert (found["D"].score, found["D"].rank, found["D"].left_out) == (
        None,
        None,
        ("deprivation", "older"),
    )
    ranked = score(areas, criteria(1, 1))
    assert [s.code for s in ranked] == ["A", "B", "C", "D"]
    # A weight of 0 leaves its part out of the score, and not "left out" for want of a value.
    only_age = {s.code: s for s in score(areas, criteria(0, 1))}
    assert (only_age["A"].score, only_age["A"].left_out) == (None, ("older",))
    assert only_age["B"].score == 100.0


def test_the_weights_all_zero_give_no_score() -> None:
    found = score([Area("A", imd_rank=5, older_share=0.1)], criteria(0, 0))
    assert found[0].score is None and found[0].left_out == ()
    assert priority.value_of(Area("A", own={"x": 2.0}), "x") == 2.0


def _feature(code: str, rings: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"LSOA11CD": code, "other": "E01000001x"},
        "geometry": {"type": "Polygon", "coordinates": rings},
    }


def test_rings_are_wound_for_the_map_holes_the_other_way() -> None:
    outer_anticlockwise = [[0, 50], [1, 50], [1, 51], [0, 51], [0, 50]]
    hole_clockwise = [[0.2, 50.2], [0.2, 50.8], [0.8, 50.8], [0.8, 50.2], [0.2, 50.2]]
    assert maps.signed_area(outer_anticlockwise) > 0
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [_feature("E01000001", [outer_anticlockwise, hole_clockwise])],
        }
    ).encode()
    found = maps.read_boundary(data, {"E01000001", "E01000002"})
    assert found.key == "LSOA11CD"  # found from the codes
    rings = found.geojson["features"][0]["geometry"]["coordinates"]
    assert maps.signed_area(rings[0]) < 0  # outer clockwise
    assert maps.signed_area(rings[1]) > 0  # hole anticlockwise
    assert found.geojson["features"][0]["properties"] == {"code": "E01000001"}
    assert (found.matched, found.missing, found.unmatched) == (1, ("E01000002",), ())
    # Already clockwise: kept as it is.
    again = maps.read_boundary(json.dumps(found.geojson).encode(), {"E01000001"}, key="code")
    assert again.geojson["features"][0]["geometry"]["coordinates"] == rings


def test_coordinates_are_rounded_and_limits_hold() -> None:
    ring = [[0.123456789, 50.0], [1, 50], [1, 51], [0.123456789, 50.0]]
    data = json.dumps({"type": "FeatureCollection", "features": [_feature("E1", [ring])]}).encode()
    found = maps.read_boundary(data, {"E1"})
    assert [0.12346, 50.0] in found.geojson["features"][0]["geometry"]["coordinates"][0]
    with pytest.raises(maps.BoundaryError, match="larger than 5 MB"):
        maps.read_boundary(b" " * (maps.MAX_BYTES + 1), {"E1"})
    with pytest.raises(maps.BoundaryError, match="no property of any feature holds"):
        maps.read_boundary(data, {"E2"})
    with pytest.raises(maps.BoundaryError, match="no features"):
        maps.read_boundary(b'{"type": "FeatureCollection", "features": []}', {"E1"})


def test_the_map_chart_lists_its_areas_in_rank_order() -> None:
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": c}, "geometry": {"type": "Polygon"}}
            for c in ("B", "A", "X")
        ],
    }
    chart = maps.priority_map(
        geojson,
        [
            maps.MapArea("A", "Aye", 20.0, 2),
            maps.MapArea("B", "Bee", 80.0, 1),
            maps.MapArea("C", "Sea", 5.0, 3),
        ],
        title="Map",
        description="",
        labels=("Rank", "Neighbourhood", "Code", "Score"),
        no_score="no score",
    )
    assert chart.rows == ((1, "Bee", "B", "80.0"), (2, "Aye", "A", "20.0"))  # C has no shape
    shown = {
        f["properties"]["code"]: f["properties"]["shown"] for f in chart.spec["data"]["values"]
    }
    assert shown == {"B": "80.0", "A": "20.0", "X": "no score"}


def test_months_and_numbers_as_councils_write_them() -> None:
    assert areacsv.month_of("2026-03") == date(2026, 3, 1)
    assert areacsv.month_of("2026-03-01") == date(2026, 3, 1)
    assert areacsv.month_of("01/03/2026") == date(2026, 3, 1)
    for bad, why in (
        ("2026-03-15", "not the first"),
        ("2026-13", "not a month"),
        ("March", "not a month"),
    ):
        with pytest.raises(ValueError, match=why):
            areacsv.month_of(bad)
    assert areacsv.number("1,234.5") == 1234.5 and areacsv.number("85%") == 85.0
    with pytest.raises(ValueError, match="not a number"):
        areacsv.number("n/a")

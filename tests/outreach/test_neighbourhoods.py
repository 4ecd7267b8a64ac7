"""The neighbourhoods page: the ranked list with its table and CSV, the weights, the council's own
indicators, the boundary file and its map, the API, and another organisation's areas never shown.
data/neighbourhoods.geojson is the project's own small fixture: three squares near Peterborough
in GeoJSON's winding (outer rings anticlockwise), one of them in two parts, and one area that is
not the organisation's."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from takeup.organisations.models import AuditEvent, Organisation
from takeup.outreach.models import (
    Boundary,
    Indicator,
    IndicatorValue,
    Neighbourhood,
    Place,
    PriorityWeights,
    Session,
)
from tests.conftest import MemberClient
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GEOJSON = (Path(__file__).parent / "data" / "neighbourhoods.geojson").read_bytes()


def url(org: Organisation) -> str:
    return f"/o/{org.slug}/outreach/neighbourhoods/"


def make_areas(org: Organisation) -> dict[str, Neighbourhood]:
    """Three neighbourhoods: North is the most deprived, South the oldest, East neither."""
    rows = [
        ("E01000001", "North", 1_000, 1_500, 150),
        ("E01000002", "South", 20_000, 1_000, 400),
        ("E01000003", "East", 30_000, 2_000, 200),
    ]
    return {
        code: Neighbourhood.objects.create(
            organisation=org,
            code=code,
            name=name,
            official_name=f"Testtown {code[-3:]}",
            district_name="Testtown",
            imd_rank=rank,
            imd_decile=1 + rank * 10 // 32_845,
            population=people,
            aged_60_plus=older,
        )
        for code, name, rank, people, older in rows
    }


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def table_rows(page: str) -> list[str]:
    body = page.split('id="neighbourhoods"')[1].split("</table>")[0]
    return body.split("<tr")[2:]


def test_the_ranked_list_with_places_and_sessions(
    viewer_client: MemberClient, org: Organisation
) -> None:
    areas = make_areas(org)
    place = Place.objects.create(
        organisation=org, name="North library", kind="library", neighbourhood=areas["E01000001"]
    )
    Session.objects.create(
        organisation=org,
        place=place,
        held_on="2026-03-03",
        duration_minutes=60,
        kind="group",
        people=7,
    )
    page = viewer_client.get(url(org)).content.decode()
    rows = table_rows(page)
    # Equal weights. Deprivation: North 1, South 0.5, East 0 (lower rank, more need). Aged 60+:
    # South 40% is 1; North and East, both 10%, share places 1 and 2 of 3: 0.25 each.
    assert "South" in rows[0] and "75.0" in rows[0] and "40.0%" in rows[0]
    assert "North" in rows[1] and "62.5" in rows[1] and "7</td>" in rows[1]
    assert "North library</span>" in rows[1]
    assert "East" in rows[2] and "12.5" in rows[2]
    assert "Open Government Licence" in page and "mid 2015" in page
    assert "Save the weights" not in page  # a viewer cannot change them


def test_the_csv_download(viewer_client: MemberClient, org: Organisation) -> None:
    make_areas(org)
    response = viewer_client.get(url(org) + "?download=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["rank", "code", "neighbourhood", "official name", "priority score"]
    assert [r[:5] for r in rows[1:]] == [
        ["1", "E01000002", "South", "Testtown 002", "75.0"],
        ["2", "E01000001", "North", "Testtown 001", "62.5"],
        ["3", "E01000003", "East", "Testtown 003", "12.5"],
    ]


def test_weights_change_the_order_and_only_importers_may_set_them(
    admin_client: MemberClient, viewer_client: MemberClient, org: Organisation
) -> None:
    make_areas(org)
    form = {"form": "weights", "w-deprivation": "0", "w-older": "1"}
    assert viewer_client.post(url(org), form).status_code == 403
    assert not PriorityWeights.objects.exists()
    bad = admin_client.post(url(org), {**form, "w-older": "-1"}).content.decode()
    assert "There is a problem" in bad
    assert not PriorityWeights.objects.exists()
    admin_client.post(url(org), form)
    rows = list(
        csv.reader(io.StringIO(admin_client.get(url(org) + "?download=csv").content.decode()))
    )
    # Only the share aged 60 and over: South 40%, East 10%, North 10% (a tie, by code).
    assert [(r[2], r[4]) for r in rows[1:]] == [
        ("South", "100.0"),
        ("North", "25.0"),
        ("East", "25.0"),
    ]
    assert AuditEvent.objects.filter(action="outreach.weights.update").count() == 1


def test_own_indicators_from_csv_and_their_direction(
    admin_client: MemberClient, org: Organisation
) -> None:
    make_areas(org)
    data = (
        b"code,Broadband coverage (%),Blue Badge holders\r\n"
        b"E01000001,99.5%,\r\n"
        b'E01000002,80,"1,200"\r\n'
        b"E01000003,90,15\r\n"
    )
    admin_client.post(url(org), {"form": "indicators", "i-file": upload("own.csv", data)})
    broadband = Indicator.objects.get(organisation=org, slug="broadband-coverage")
    assert broadband.name == "Broadband coverage (%)"
    values = dict(
        IndicatorValue.objects.filter(indicator=broadband).values_list(
            "neighbourhood__code", "value"
        )
    )
    assert values == {"E01000001": 99.5, "E01000002": 80.0, "E01000003": 90.0}
    badges = Indicator.objects.get(organisation=org, slug="blue-badge-holders")
    assert IndicatorValue.objects.filter(indicator=badges).count() == 2  # the empty cell is missing
    # Less broadband is more need: say so, and weigh only it.
    admin_client.post(
        url(org),
        {
            "form": "weights",
            "w-deprivation": "0",
            "w-older": "0",
            f"w-w{broadband.pk}": "2",
            f"w-d{broadband.pk}": "0",
            f"w-w{badges.pk}": "0",
            f"w-d{badges.pk}": "1",
        },
    )
    broadband.refresh_from_db()
    assert not broadband.higher_means_more_need
    page = admin_client.get(url(org)).content.decode()
    rows = table_rows(page)
    assert "South" in rows[0] and "100.0" in rows[0]
    assert "North" in rows[2] and "0.0" in rows[2]
    assert "Broadband coverage (%)" in page and "1200" in page


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"code,Broadband\r\nE01000001,90\r\nE09999999,80\r\n", "E09999999 is not one of your"),
        (b"code,Broadband\r\nE01000001,90\r\nE01000002,lots\r\n", "“lots” is not a number."),
        (b"code,Broadband\r\nE01000001,90\r\nE01000001,80\r\n", "E01000001 is also on line 2."),
        (b"area,Broadband\r\nE01000001,90\r\n", "no column called code"),
        (b"code\r\nE01000001\r\n", "no indicator columns"),
        (b"\r\n", "The file is empty."),
    ],
)
def test_a_bad_indicators_file_saves_nothing_and_says_where(
    admin_client: MemberClient, org: Organisation, data: bytes, problem: str
) -> None:
    make_areas(org)
    page = admin_client.post(
        url(org), {"form": "indicators", "i-file": upload("own.csv", data)}
    ).content.decode()
    assert "Nothing was saved" in page
    assert problem in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()


def test_the_boundary_file_draws_the_map_beside_its_table(
    admin_client: MemberClient, viewer_client: MemberClient, org: Organisation
) -> None:
    make_areas(org)
    response = admin_client.post(
        url(org),
        {
            "form": "boundary",
            "b-name": "Testtown LSOAs",
            "b-key": "",
            "b-file": upload("b.geojson", GEOJSON),
        },
        follow=True,
    )
    assert "3 of 4 shapes are your neighbourhoods" in response.content.decode()
    boundary = Boundary.objects.get(organisation=org)
    assert (boundary.key, boundary.features, boundary.matched) == ("LSOA11CD", 4, 3)
    page = viewer_client.get(url(org)).content.decode()
    spec = json.loads(
        page.split('id="priority-map-spec" type="application/json">')[1].split("</script>")[0]
    )
    assert spec["mark"]["type"] == "geoshape" and spec["projection"]["type"] == "mercator"
    shapes = {f["properties"]["code"]: f for f in spec["data"]["values"]}
    assert shapes["E01000001"]["properties"]["score"] == 62.5
    assert shapes["E01099999"]["properties"]["score"] is None  # drawn grey: not ours
    # Outer rings are wound clockwise for the map (the file has them anticlockwise).
    ring = shapes["E01000001"]["geometry"]["coordinates"][0]
    assert ring[1] == [-0.25, 52.58]
    assert "http" not in json.dumps(spec).replace(spec["$schema"], "")  # nothing fetched
    table = page.split('id="priority-map-title"')[1].split("</figure>")[0]
    assert "<table" in table and "North" in table and "62.5" in table
    assert "schematic" not in page


def _posted(client: Client, org: Organisation, data: bytes, key: str = "") -> str:
    page: str = client.post(
        url(org),
        {"form": "boundary", "b-name": "Wards", "b-key": key, "b-file": upload("b.geojson", data)},
    ).content.decode()
    return page


def _collection(geometry: dict[str, Any], code: str = "E01000001") -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": code}, "geometry": geometry}],
        }
    ).encode()


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        (
            b'{"type": "FeatureCollection", "features": [',
            "",
            "line 1, column 44: the file is not JSON: Expecting value.",
        ),
        (b'{"type": "Feature"}', "", "not a GeoJSON FeatureCollection"),
        (_collection({"type": "Point", "coordinates": [0, 52]}), "", "the geometry is a Point"),
        (
            _collection(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[519000, 298000], [520000, 298000], [520000, 299000], [519000, 298000]]
                    ],
                }
            ),
            "",
            "British National Grid",
        ),
        (
            _collection({"type": "Polygon", "coordinates": [[[0, 52], [1, 52], [1, 53], [0, 53]]]}),
            "",
            "does not end where it starts",
        ),
        (GEOJSON, "LSOA11NM", "no feature’s “LSOA11NM” is one of your neighbourhoods’ codes"),
        (GEOJSON, "WD22CD", "feature 1: the feature has no “WD22CD” property"),
        (
            GEOJSON.replace(b"E01000002", b"E01000001"),
            "",
            "feature 2: the code E01000001 is also on feature 1",
        ),
    ],
)
def test_a_bad_boundary_file_saves_nothing_and_says_why(
    admin_client: MemberClient, org: Organisation, data: bytes, key: str, problem: str
) -> None:
    make_areas(org)
    page = _posted(admin_client, org, data, key)
    assert "The boundary file was not saved" in page
    assert problem.replace("’", "&#x27;") in page or problem in page
    assert not Boundary.objects.exists()


def test_another_organisations_neighbourhoods_never_appear(
    admin_client: MemberClient, org: Organisation, other_org: Organisation, api_client: Client
) -> None:
    make_areas(org)
    Neighbourhood.objects.create(
        organisation=other_org, code="E01000001", name="Elsewhere North", imd_rank=5
    )
    Neighbourhood.objects.create(
        organisation=other_org, code="E01000009", name="Elsewhere Only", imd_rank=6
    )
    page = admin_client.get(url(org)).content.decode()
    assert "Elsewhere" not in page
    found = api_client.get("/api/outreach/neighbourhoods").json()
    assert [n["name"] for n in found] == ["South", "North", "East"]
    # The other organisation's staff see only theirs; ours is a 404 to them.
    outsider = Client()
    user = UserFactory.create()
    MembershipFactory.create(organisation=other_org, user=user, role="admin")
    outsider.force_login(user)
    assert outsider.get(url(org)).status_code == 404
    theirs = outsider.get(url(other_org)).content.decode()
    assert "Elsewhere Only" in theirs and ">North<" not in theirs
    # A code from another organisation is not one of ours in a file either.
    page = admin_client.post(
        url(org), {"form": "indicators", "i-file": upload("x.csv", b"code,x\r\nE01000009,1\r\n")}
    ).content.decode()
    assert "E01000009 is not one of your" in page


def test_the_api_gives_the_score_and_its_parts(org: Organisation, api_client: Client) -> None:
    make_areas(org)
    found = api_client.get("/api/outreach/neighbourhoods").json()
    south = found[0]
    assert (south["code"], south["priority_score"], south["priority_rank"]) == (
        "E01000002",
        75.0,
        1,
    )
    parts = {p["key"]: p for p in south["priority_parts"]}
    assert parts["deprivation"] == {"key": "deprivation", "weight": 1.0, "need": 0.5}
    assert parts["older"]["need"] == 1.0
    assert south["imd_rank"] == 20000 and south["population"] == 1000
    assert Client().get("/api/outreach/neighbourhoods").status_code == 401


def test_the_district_is_imported_from_the_page(
    admin_client: MemberClient, org: Organisation
) -> None:
    bad = admin_client.post(
        url(org), {"form": "district", "d-district": "Nowhere"}
    ).content.decode()
    assert "no neighbourhood has the local authority district" in bad
    admin_client.post(url(org), {"form": "district", "d-district": "Peterborough"})
    assert Neighbourhood.objects.filter(organisation=org).count() == 112

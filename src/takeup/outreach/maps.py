"""A council's boundary file and the priority map drawn from it. Pure.

`read_boundary` checks an uploaded GeoJSON FeatureCollection: its size, that every feature is a
Polygon or MultiPolygon in longitude and latitude (WGS 84, as GeoJSON requires), which property
holds the neighbourhood code, and which features match the organisation's neighbourhoods. It keeps
only the code and the shapes, rounded to about a metre, with the rings wound the way the map's
drawing library expects (d3-geo: outer rings clockwise), since GeoJSON's own rule is the opposite
and a ring the wrong way round fills the whole world instead of the neighbourhood.

`priority_map` is a Vega-Lite geoshape chart of the scores, the data inline: no tile server and no
request leaves the installation.
"""

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from takeup.charts import VEGA_LITE_SCHEMA, Cell, Chart

MAX_BYTES = 5_000_000
MAX_FEATURES = 5_000
MAX_POINTS = 400_000
PLACES = 5  # decimal places kept: about a metre
SHAPES = ("Polygon", "MultiPolygon")
# Properties that usually hold an area's code, tried first when none is named.
LIKELY_KEYS = ("LSOA11CD", "LSOA21CD", "lsoa11cd", "code", "CODE", "WD22CD", "WD23CD", "WD24CD")
NO_SCORE = "#b1b4b6"


class BoundaryError(ValueError):
    """What is wrong with the file; `where` says which feature or line."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message, self.where = message, where
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Boundary:
    key: str
    geojson: dict[str, Any]  # a FeatureCollection: each feature's properties are {"code": …}
    features: int
    matched: int
    unmatched: tuple[str, ...]  # codes in the file that are not a neighbourhood's
    missing: tuple[str, ...]  # neighbourhoods with no shape in the file


def _position(p: Any, where: str) -> list[float]:
    if (
        not isinstance(p, list)
        or len(p) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p[:2])
    ):
        raise BoundaryError("a position is not a pair of numbers [longitude, latitude].", where)
    lon, lat = float(p[0]), float(p[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BoundaryError(
            f"the position [{p[0]}, {p[1]}] is not a longitude and latitude. The file may be in "
            "metres (such as British National Grid, EPSG:27700): save it as GeoJSON in WGS 84 "
            "(EPSG:4326).",
            where,
        )
    return [round(lon, PLACES), round(lat, PLACES)]


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the ring's area on the flat lon/lat plane: above 0 when it runs anticlockwise."""
    return sum(
        ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
    )


def _ring(raw: Any, outer: bool, where: str) -> list[list[float]]:
    if not isinstance(raw, list) or len(raw) < 4:
        raise BoundaryError("a ring needs at least four positions.", where)
    ring = [_position(p, where) for p in raw]
    if ring[0] != ring[-1]:
        raise BoundaryError("a ring does not end where it starts.", where)
    # d3-geo (Vega's maps): outer rings clockwise, holes anticlockwise.
    if (signed_area(ring) > 0) == outer:
        ring.reverse()
    return ring


def _polygon(raw: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(raw, list) or not raw:
        raise BoundaryError("a polygon has no rings.", where)
    return [_ring(r, i == 0, where) for i, r in enumerate(raw)]


def geometry(raw: Any, where: str) -> dict[str, Any]:
    """A Polygon or MultiPolygon, checked and rewound."""
    if not isinstance(raw, dict):
        raise BoundaryError("the feature has no geometry.", where)
    kind = raw.get("type")
    if kind not in SHAPES:
        raise BoundaryError(
            f"the geometry is a {kind or 'shape with no type'}; only Polygon and MultiPolygon "
            "are drawn (neighbourhoods are areas, not points or lines).",
            where,
        )
    coords = raw.get("coordinates")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(coords, where)}
    if not isinstance(coords, list) or not coords:
        raise BoundaryError("the MultiPolygon has no polygons.", where)
    return {"type": kind, "coordinates": [_polygon(p, where) for p in coords]}


def _points(geom: dict[str, Any]) -> int:
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return sum(len(ring) for polygon in polygons for ring in polygon)


def _choose_key(features: list[dict[str, Any]], codes: set[str]) -> str:
    """The property whose values match the most neighbourhood codes."""
    counts: Counter[str] = Counter()
    for f in features:
        for name, value in (f.get("properties") or {}).items():
            if isinstance(value, str) and value.strip() in codes:
                counts[name] += 1
    if not counts:
        names = sorted({n for f in features for n in (f.get("properties") or {})})
        raise BoundaryError(
            "no property of any feature holds one of your neighbourhoods' codes (such as "
            f"{min(codes) if codes else 'E01015589'}). The properties are: "
            f"{', '.join(names) or 'none'}."
        )
    best = max(counts.values())
    return next(k for k in (*LIKELY_KEYS, *sorted(counts)) if counts.get(k) == best)


def read_boundary(data: bytes, codes: Iterable[str], key: str = "") -> Boundary:
    """Check an uploaded GeoJSON of the organisation's neighbourhoods; `key` is the property with
    the neighbourhood code, found from the codes when not given."""
    known = set(codes)
    if len(data) > MAX_BYTES:
        raise BoundaryError(
            f"the file is larger than {MAX_BYTES // 1_000_000} MB. Simplify the shapes (for "
            "example with mapshaper) and upload it again."
        )
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BoundaryError(f"the file is not UTF-8 text (byte {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"the file is not JSON: {exc.msg}.", f"line {exc.lineno}, column {exc.colno}"
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryError("the file is not a GeoJSON FeatureCollection.")
    raw_features = doc.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        raise BoundaryError("the FeatureCollection has no features.")
    if len(raw_features) > MAX_FEATURES:
        raise BoundaryError(f"the file has more than {MAX_FEATURES:,} features.")
    if not all(isinstance(f, dict) and f.get("type") == "Feature" for f in raw_features):
        n = next(
            i
            for i, f in enumerate(raw_features, 1)
            if not (isinstance(f, dict) and f.get("type") == "Feature")
        )
        raise BoundaryError("it is not a GeoJSON Feature.", f"feature {n}")
    key = key.strip() or _choose_key(raw_features, known)
    features = []
    seen: dict[str, int] = {}
    points = 0
    for n, raw in enumerate(raw_features, 1):
        where = f"feature {n}"
        value = (raw.get("properties") or {}).get(key)
        if value is None or not str(value).strip():
            raise BoundaryError(f"the feature has no “{key}” property.", where)
        code = str(value).strip()
        if code in seen:
            raise BoundaryError(
                f"the code {code} is also on feature {seen[code]}: give each area one feature "
                "(a MultiPolygon for an area in parts).",
                where,
            )
        seen[code] = n
        geom = geometry(raw.get("geometry"), f"{where} ({code})")
        points += _points(geom)
        if points > MAX_POINTS:
            raise BoundaryError(
                f"the shapes have more than {MAX_POINTS:,} points. Simplify them (for example "
                "with mapshaper) and upload the file again."
            )
        features.append({"type": "Feature", "properties": {"code": code}, "geometry": geom})
    matched = [c for c in seen if c in known]
    if not matched:
        raise BoundaryError(
            f"no feature's “{key}” is one of your neighbourhoods' codes (the file has "
            f"{', '.join(sorted(seen)[:3])}…). Import the neighbourhoods first, or choose the "
            "property that holds their codes."
        )
    return Boundary(
        key=key,
        geojson={"type": "FeatureCollection", "features": features},
        features=len(features),
        matched=len(matched),
        unmatched=tuple(sorted(set(seen) - known)),
        missing=tuple(sorted(known - set(seen))),
    )


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    score: float | None
    rank: int | None


def priority_map(
    geojson: Mapping[str, Any],
    areas: Sequence[MapArea],
    *,
    title: str,
    description: str,
    labels: tuple[str, str, str, str],  # rank, neighbourhood, code, score
    no_score: str,
) -> Chart:
    """A choropleth of the priority score (darker is more need), with its table: one row per
    neighbourhood that has a shape, in rank order."""
    by_code = {a.code: a for a in areas}
    rank_label, name_label, code_label, score_label = labels
    values = []
    for feature in geojson.get("features", []):
        code = feature["properties"]["code"]
        area = by_code.get(code)
        values.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": code,
                    "name": area.name if area else code,
                    "score": area.score if area else None,
                    "rank": area.rank if area else None,
                    "shown": (f"{area.score:.1f}" if area and area.score is not None else no_score),
                },
            }
        )
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description or title,
        "width": "container",
        "height": 420,
        "data": {"values": values},
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "color": {
                "condition": {"test": "datum.properties.score === null", "value": NO_SCORE},
                "field": "properties.score",
                "type": "quantitative",
                "title": score_label,
                "scale": {"scheme": "blues", "zero": False},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "properties.name", "title": name_label},
                {"field": "properties.code", "title": code_label},
                {"field": "properties.shown", "title": score_label},
                {"field": "properties.rank", "title": rank_label},
            ],
        },
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    shown = {f["properties"]["code"] for f in values}
    rows: list[tuple[Cell, ...]] = [
        (a.rank, a.name, a.code, None if a.score is None else f"{a.score:.1f}")
        for a in sorted(areas, key=lambda a: (a.rank is None, a.rank or 0, a.code))
        if a.code in shown
    ]
    return Chart(
        id="priority-map",
        title=title,
        spec=spec,
        columns=(rank_label, name_label, code_label, score_label),
        rows=tuple(rows),
        description=description,
        numeric_columns=frozenset({0, 3}),
    )

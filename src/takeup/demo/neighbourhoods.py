"""Millbrook's neighbourhoods: the real figures of Peterborough's 112 LSOAs from the English
indices of deprivation 2019 (IMD rank and decile; population and people aged 60 and over, mid
2015), relabelled as Millbrook's ("Peterborough 004A" becomes "Millbrook 004A"; the code and the
official name are kept). Contains public sector information licensed under the Open Government
Licence v3.0.

Made up on top of them: two of the council's own indicators, a schematic boundary file (a grid
of tiles, one per neighbourhood, grouped as the LSOA names group them; not their real shapes),
and monthly transactions by neighbourhood for three services, split from the ledger's own
monthly totals, so "Did it work?" has figures. Take-up there is lower where deprivation and age
are higher, and rises by about four points from the month of a neighbourhood's first session.

`demo_neighbourhoods_create` runs before the places and sessions are made;
`demo_area_volumes_create` after them, since it reads where the sessions were.
"""

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from takeup.catalogue.models import Service
from takeup.ledger.queries import monthly_take_up_counts
from takeup.organisations.models import Organisation
from takeup.outreach import areacsv, imd, maps
from takeup.outreach import queries as outreach_queries
from takeup.outreach.models import AreaVolume, Neighbourhood, Session
from takeup.outreach.reports import SCHEMATIC_BOUNDARY
from takeup.outreach.services import (
    boundary_set,
    indicators_import,
    neighbourhoods_import,
    weights_set,
)

DISTRICT = "Peterborough"
ATTRIBUTION = (
    "Neighbourhood figures: English indices of deprivation 2019 for Peterborough's LSOAs, "
    "relabelled; contains public sector information licensed under the Open Government Licence "
    "v3.0"
)
AREA_SERVICES = ("report-a-missed-bin", "pay-council-tax", "apply-for-a-blue-badge")
EFFECT = 0.04  # the extra share of transactions online from a neighbourhood's first session
COLUMNS = 14
TILE_LON, TILE_LAT = 0.02, 0.012  # about 1.3 km each way at 52.5° N
WEST, NORTH = -0.40, 52.66


def demo_neighbourhoods_create(org: Organisation, *, end: date) -> int:
    """Peterborough's LSOAs as Millbrook's neighbourhoods, with two indicators of the council's
    own and the schematic boundary file. Returns the number of neighbourhoods."""
    district = imd.read_district(
        imd.BUNDLED_FILE1.read_bytes(), imd.BUNDLED_FILE6.read_bytes(), DISTRICT
    )
    names = {lsoa.code: lsoa.name.replace(DISTRICT, "Millbrook") for lsoa in district.lsoas}
    neighbourhoods_import(org, district, names=names)
    rng = random.Random(16)
    lines = ["code,Broadband coverage (%),Contacts by phone (%)"]
    for lsoa in district.lsoas:
        deprived = 1 - lsoa.imd_rank / imd.LSOAS_IN_ENGLAND  # 0 least … 1 most deprived
        broadband = min(99.9, max(60.0, 97 - 20 * deprived + rng.gauss(0, 3)))
        phone = min(90.0, max(5.0, 25 + 30 * deprived + rng.gauss(0, 5)))
        lines.append(f"{lsoa.code},{broadband:.1f},{phone:.1f}")
    codes = {lsoa.code for lsoa in district.lsoas}
    indicators_import(org, areacsv.parse_indicators("\n".join(lines).encode(), codes))
    # Less broadband is more need; more contacts by phone is more need (the default).
    weights_set(
        org,
        deprivation=Decimal(1),
        older=Decimal(1),
        own={
            i.pk: (Decimal(1), i.slug != "broadband-coverage")
            for i in outreach_queries.indicators_of(org)
        },
    )
    tiles = schematic_tiles(sorted(district.lsoas, key=lambda lsoa: lsoa.name))
    boundary_set(org, SCHEMATIC_BOUNDARY, maps.read_boundary(tiles, codes, key="code"))
    return len(district.lsoas)


def schematic_tiles(lsoas: list[imd.Lsoa]) -> bytes:
    """A GeoJSON grid of square tiles, one per neighbourhood in the order given, west to east
    and north to south (outer rings anticlockwise, as GeoJSON has them)."""
    features = []
    for i, lsoa in enumerate(lsoas):
        row, column = divmod(i, COLUMNS)
        west, north = WEST + column * TILE_LON, NORTH - row * TILE_LAT
        south, east = north - TILE_LAT, west + TILE_LON
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": lsoa.code, "name": lsoa.name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def demo_area_volumes_create(org: Organisation, *, end: date, months: int = 24) -> int:
    """Monthly transactions by neighbourhood for three services over the last `months` whole
    months: each month's ledger total split by population, so they never exceed it. Returns the
    number of rows."""
    neighbourhoods = list(Neighbourhood.objects.filter(organisation=org).order_by("code"))
    people = sum(n.population or 0 for n in neighbourhoods)
    if not neighbourhoods or not people:
        return 0
    first_session: dict[int, date] = {}
    for neighbourhood_id, held_on in Session.objects.filter(
        organisation=org, place__neighbourhood__isnull=False
    ).values_list("place__neighbourhood_id", "held_on"):
        month = held_on.replace(day=1)
        if neighbourhood_id not in first_session or month < first_session[neighbourhood_id]:
            first_session[neighbourhood_id] = month
    last = (end + timedelta(days=1)).replace(day=1)  # the first month not yet over
    wanted = []
    month = last
    for _i in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
        wanted.append(month)
    services = {s.slug: s for s in Service.objects.filter(organisation=org, slug__in=AREA_SERVICES)}
    ledger = monthly_take_up_counts(org.pk, end)
    rng = random.Random(17)
    offsets = {
        n.pk: -0.10 * (1 - (n.imd_rank or 16_000) / imd.LSOAS_IN_ENGLAND)
        - 0.25 * ((n.older_share or 0.2) - 0.2)
        + rng.gauss(0, 0.02)
        for n in neighbourhoods
    }
    rows = []
    for slug in AREA_SERVICES:
        service = services.get(slug)
        if service is None:
            continue
        for month in wanted:
            digital, total = ledger.get(service.pk, {}).get(month, (0, 0))
            if not total:
                continue
            rate = digital / total
            for n in neighbourhoods:
                share = (n.population or 0) / people
                here = int(total * share * rng.uniform(0.9, 1.0))
                if not here:
                    continue
                treated = n.pk in first_session and month >= first_session[n.pk]
                p = min(0.98, max(0.02, rate + offsets[n.pk] + (EFFECT if treated else 0.0)))
                online = sum(1 for _ in range(here) if rng.random() < p)
                rows.append(
                    AreaVolume(
                        organisation=org,
                        service=service,
                        neighbourhood=n,
                        month=month,
                        online=online,
                        total=here,
                    )
                )
    AreaVolume.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)

"""Did it work? The difference-in-differences on constructed panels with a known effect (and none),
the reasons it is not given, each neighbourhood's change worked by hand, and the page: the
transactions-by-neighbourhood import (all or nothing), the result in words, the check against
the ledger, and another organisation's figures never shown."""

import random
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from takeup.catalogue.models import Service
from takeup.demo.neighbourhoods import ATTRIBUTION, demo_neighbourhoods_create
from takeup.organisations.models import Organisation
from takeup.outreach import didit
from takeup.outreach.models import AreaVolume, Boundary, Indicator, Neighbourhood, Place, Session
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

MONTHS = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]


def panel(
    effect: float, *, treated: int = 12, areas: int = 36, trend_gap: float = 0.0, seed: int = 3
) -> tuple[dict[str, dict[date, tuple[int, int]]], dict[str, date]]:
    """Areas with their own level, a common rise of half a point a month and noise; the first
    `treated` get sessions from month 12 and `effect` more take-up from then."""
    rng = random.Random(seed)
    out: dict[str, dict[date, tuple[int, int]]] = {}
    first = {}
    for a in range(areas):
        code = f"E{a:03d}"
        level = rng.uniform(0.35, 0.65)
        out[code] = {}
        for i, month in enumerate(MONTHS):
            p = level + 0.005 * i + rng.gauss(0, 0.01)
            if a < treated:
                p += trend_gap * i + (effect if i >= 12 else 0.0)
            total = rng.randint(150, 250)
            out[code][month] = (round(total * min(max(p, 0.0), 1.0)), total)
        if a < treated:
            first[code] = MONTHS[12]
    return out, first


def test_a_known_effect_is_found_within_its_interval() -> None:
    data, first = panel(0.05)
    found = didit.did(data, first)
    assert isinstance(found, didit.DiD)
    assert found.effect.lower < 5.0 < found.effect.upper
    assert found.effect.points == pytest.approx(5.0, abs=1.0)
    assert found.effect.p_value < 0.001
    assert (found.treated, found.control, found.months_before, found.months_after) == (
        12,
        24,
        12,
        12,
    )
    assert not found.pre_trend_gap


def test_no_effect_gives_an_interval_around_nothing() -> None:
    covered = 0
    for seed in range(20):
        data, first = panel(0.0, seed=seed)
        found = didit.did(data, first)
        assert isinstance(found, didit.DiD)
        covered += found.effect.lower < 0 < found.effect.upper
        assert abs(found.effect.points) < 1.5
    assert covered >= 17  # a 95% interval misses about 1 in 20


def test_take_up_already_moving_apart_before_the_sessions_is_flagged() -> None:
    data, first = panel(0.0, trend_gap=0.004)
    found = didit.did(data, first)
    assert isinstance(found, didit.DiD)
    assert found.pre_trend is not None and found.pre_trend_gap
    assert found.pre_trend.points == pytest.approx(0.4, abs=0.15)


@pytest.mark.parametrize(
    ("treated", "areas", "months", "reason"),
    [
        (0, 10, 24, "no-sessions"),
        (2, 10, 24, "few-treated"),
        (8, 10, 24, "few-control"),
        (5, 10, 14, "few-months"),
    ],
)
def test_not_given_where_it_would_mean_nothing(
    treated: int, areas: int, months: int, reason: str
) -> None:
    data, first = panel(0.05, treated=treated, areas=areas)
    cut = {
        code: {m: v for m, v in series.items() if m in MONTHS[:months]}
        for code, series in data.items()
    }
    found = didit.did(cut, first)
    assert isinstance(found, didit.NotEnough) and found.reason == reason


def test_each_neighbourhoods_change_worked_by_hand() -> None:
    data = {
        "A": {
            date(2026, 1, 1): (20, 100),
            date(2026, 2, 1): (30, 100),
            date(2026, 3, 1): (45, 100),
        },
        "B": {
            date(2026, 1, 1): (50, 100),
            date(2026, 2, 1): (50, 100),
            date(2026, 3, 1): (60, 100),
        },
    }
    found = {c.area: c for c in didit.changes(data, {"A": date(2026, 2, 1)}, {"A": 12})}
    # A: before 20/100 = 20%; from February 75/200 = 37.5%; +17.5 points.
    assert (found["A"].before, found["A"].after, found["A"].change) == (20.0, 37.5, 17.5)
    # B has no session: split at the first session anywhere (February): 50% → 55%.
    assert (found["B"].split, found["B"].people, found["B"].change) == (date(2026, 2, 1), 0, 5.0)


# --- the page ------------------------------------------------------------------------------


def url(org: Organisation) -> str:
    return f"/o/{org.slug}/outreach/did-it-work/"


def areas_with_figures(org: Organisation, service: Service, effect: float = 0.05) -> None:
    """12 neighbourhoods with 24 months of figures; the first four have a place and sessions
    from month 12."""
    data, first = panel(effect, treated=4, areas=12)
    rows = []
    for code, series in data.items():
        n = Neighbourhood.objects.create(organisation=org, code=code, name=f"Area {code}")
        if code in first:
            place = Place.objects.create(
                organisation=org, name=f"Library {code}", kind="library", neighbourhood=n
            )
            Session.objects.create(
                organisation=org,
                place=place,
                held_on=first[code].replace(day=9),
                duration_minutes=60,
                kind="group",
                people=5,
            )
        for month, (online, total) in series.items():
            rows.append(
                AreaVolume(
                    organisation=org,
                    service=service,
                    neighbourhood=n,
                    month=month,
                    online=online,
                    total=total,
                )
            )
    AreaVolume.objects.bulk_create(rows)


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("areas.csv", data)


@pytest.mark.django_db
def test_the_page_says_what_the_sessions_did(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    areas_with_figures(org, service)
    page = viewer_client.get(url(org)).content.decode()
    assert "In the 4 neighbourhoods with sessions, digital take-up rose about" in page
    assert "more than in the 8 without" in page
    assert 'id="people-and-change-title"' in page and 'id="changes"' in page
    assert "Area E000" in page and "Report a missed bin: 24 months" in page
    assert "Import the figures" not in page  # a viewer cannot
    csv = viewer_client.get(url(org) + "?download=csv").content.decode().splitlines()
    assert csv[0].startswith("code,neighbourhood,people helped,first session")
    assert len(csv) == 5 and csv[1].startswith("E000,Area E000,5,2026-01-01")


@pytest.mark.django_db
def test_too_few_neighbourhoods_say_so_instead(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    areas_with_figures(org, service)
    Session.objects.filter(place__neighbourhood__code__in=["E001", "E002"]).delete()
    page = viewer_client.get(url(org)).content.decode()
    assert "Only 2 neighbourhoods with these figures have had sessions" in page
    assert "digital take-up rose about" not in page


@pytest.mark.django_db
def test_area_figures_import_all_or_nothing(
    admin_client: MemberClient, viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    Neighbourhood.objects.create(organisation=org, code="E01000001", name="North")
    good = (
        b"service,neighbourhood,month,online,total\r\n"
        b"report-a-missed-bin,E01000001,2026-01,40,100\r\n"
        b'report-a-missed-bin,E01000001,2026-02-01,"1,050","2,000"\r\n'
    )
    assert viewer_client.post(url(org), {"v-file": upload(good)}).status_code == 403
    admin_client.post(url(org), {"v-file": upload(good)})
    assert sorted(AreaVolume.objects.values_list("month", "online", "total")) == [
        (date(2026, 1, 1), 40, 100),
        (date(2026, 2, 1), 1050, 2000),
    ]
    # The same month again replaces it, and is never added to it.
    admin_client.post(url(org), {"v-file": upload(good.replace(b"40,100", b"45,100"))})
    assert AreaVolume.objects.get(month=date(2026, 1, 1)).online == 45
    bad = (
        b"service,neighbourhood,month,online,total\r\n"
        b"report-a-missed-bin,E01000001,2026-03,10,100\r\n"
        b"report-a-missed-bin,E01000001,2026-04,120,100\r\n"
        b"no-such-service,E01000001,2026-04,1,2\r\n"
        b"report-a-missed-bin,E09999999,2026-04,1,2\r\n"
        b"report-a-missed-bin,E01000001,April,1,2\r\n"
        b"report-a-missed-bin,E01000001,2026-03,1,2\r\n"
        b"report-a-missed-bin,E01000001,2026-05,-1,2\r\n"
    )
    page = admin_client.post(url(org), {"v-file": upload(bad)}).content.decode()
    assert "Nothing was saved" in page
    for problem in (
        "120 online is more than the 100 in all.",
        "“no-such-service” is not the short name of a service.",
        "“E09999999” is not one of your neighbourhoods.",
        "“April” is not a month",
        "The same service, area and month is on line 2.",
        "“-1” is not a whole number of 0 or more.",
    ):
        assert problem in page, problem
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page  # line 3
    assert AreaVolume.objects.count() == 2 and not AreaVolume.objects.filter(month=date(2026, 3, 1))


@pytest.mark.django_db
def test_area_figures_above_the_ledgers_total_are_flagged(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    n = Neighbourhood.objects.create(organisation=org, code="E01000001", name="North")
    AreaVolume.objects.create(
        organisation=org,
        service=service,
        neighbourhood=n,
        month=date(2026, 1, 1),
        online=1,
        total=5,
    )
    page = viewer_client.get(url(org)).content.decode()
    assert "Report a missed bin, January 2026: 5 by neighbourhood, 0 in the ledger" in page
    assert "No neighbourhood with these figures has had a session yet" in page


@pytest.mark.django_db
def test_another_organisations_figures_never_appear(
    admin_client: MemberClient, org: Organisation, other_org: Organisation, service: Service
) -> None:
    theirs = ServiceFactory.create(
        organisation=other_org, slug="report-a-missed-bin", name="Their bins"
    )
    areas_with_figures(other_org, theirs)
    page = admin_client.get(url(org)).content.decode()
    assert "No transactions by neighbourhood yet" in page and "Their bins" not in page
    # Their neighbourhood codes are not ours to import against.
    page = admin_client.post(
        url(org),
        {
            "v-file": upload(
                b"service,neighbourhood,month,online,total\r\nreport-a-missed-bin,E000,2026-01,1,2\r\n"
            )
        },
    ).content.decode()
    assert "“E000” is not one of your neighbourhoods." in page
    assert AreaVolume.objects.filter(organisation=org).count() == 0


@pytest.mark.django_db
def test_the_demo_relabels_peterboroughs_neighbourhoods_on_a_schematic_map(
    viewer_client: MemberClient, org: Organisation
) -> None:
    assert demo_neighbourhoods_create(org, end=date(2026, 10, 31)) == 112
    n = Neighbourhood.objects.get(organisation=org, code="E01015589")
    assert (n.name, n.official_name, n.imd_rank) == ("Millbrook 004A", "Peterborough 004A", 23577)
    boundary = Boundary.objects.get(organisation=org)
    assert (boundary.features, boundary.matched) == (112, 112)
    broadband = Indicator.objects.get(organisation=org, slug="broadband-coverage")
    assert not broadband.higher_means_more_need  # less broadband, more need
    page = viewer_client.get(f"/o/{org.slug}/outreach/neighbourhoods/").content.decode()
    assert "shapes are schematic: a grid of tiles" in page
    assert "Broadband coverage (%)" in page and 'id="priority-map-title"' in page
    assert "Peterborough" in ATTRIBUTION and "Open Government Licence v3.0" in ATTRIBUTION

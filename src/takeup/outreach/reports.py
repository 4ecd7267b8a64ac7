"""What the outreach pages show, built from queries: the inclusion lead's summary, the honour
roll, and each service's assisted-digital estimate."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from takeup.catalogue.models import Service
from takeup.charts import PALETTE, VEGA_LITE_SCHEMA, Cell, Chart, bar_chart
from takeup.insight.stats import Share, share, wilson
from takeup.ledger import periods
from takeup.organisations.models import Organisation

from . import assisted, didit, maps, priority, queries
from .models import AgeBand, Boundary, Helped, Indicator, Motivation, Neighbourhood, PriorityWeights

PART_LABELS = {
    "recorded": gettext_lazy("Helped already: the assisted-digital channel"),
    "someone_else": gettext_lazy("Online with someone else's help"),
    "older": gettext_lazy("Older than the online users suggest"),
}
MISSING_LABELS = {
    "no assisted-digital channel in the ledger": gettext_lazy(
        "no assisted-digital channel in the ledger"
    ),
    f"fewer than {assisted.MIN_ANSWERS} survey answers": gettext_lazy(
        "fewer than 30 survey answers"
    ),
    "no neighbourhood figures loaded": gettext_lazy("no neighbourhood figures loaded"),
}


def _month(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Row:
    label: str
    pledged: Decimal
    delivered: Decimal
    sessions: int
    people: int


@dataclass(frozen=True)
class Summary:
    places: int
    champions: int
    sessions: int
    people: int
    pledged: Decimal
    delivered: Decimal
    confident: Share  # agree or strongly agree, of those asked
    completed: Share  # completed the task, of those asked
    referred: int
    recorded: int  # people recorded one by one (a group may record fewer than came)
    by_month: list[Row]
    by_team: list[Row]
    honour_roll: list[tuple[str, str, Decimal]]
    charts: list[Chart]
    trainings: int
    trained: int
    since: date | None  # the first session recorded: the totals run from it

    @property
    def confident_interval(self) -> tuple[float, float] | None:
        return wilson(self.confident.k, self.confident.n)


def summary(organisation: Organisation, months: int = 12) -> Summary:
    """Hours pledged, hours delivered and people helped, by month and by team, with the honour
    roll and what the people helped said."""
    today = timezone.localdate()
    first = _month(today)
    for _step in range(months - 1):
        first = _month(first - timedelta(days=1))
    champions = {c.pk: c for c in queries.champions_of(organisation)}
    sessions = list(queries.sessions_of(organisation))
    pledged_month: dict[date, Decimal] = defaultdict(Decimal)
    pledged_team: dict[str, Decimal] = defaultdict(Decimal)
    pledged_by: dict[int, Decimal] = defaultdict(Decimal)
    for pledge in queries.pledges_of(organisation):
        pledged_month[_month(pledge.made_on)] += pledge.hours
        pledged_team[pledge.champion.team or ""] += pledge.hours
        pledged_by[pledge.champion_id] += pledge.hours
    delivered_month: dict[date, Decimal] = defaultdict(Decimal)
    delivered_team: dict[str, Decimal] = defaultdict(Decimal)
    delivered_by: dict[int, Decimal] = defaultdict(Decimal)
    sessions_month: dict[date, int] = defaultdict(int)
    people_month: dict[date, int] = defaultdict(int)
    sessions_team: dict[str, int] = defaultdict(int)
    people_team: dict[str, int] = defaultdict(int)
    helped: list[Helped] = []
    for session in sessions:
        month = _month(session.held_on)
        sessions_month[month] += 1
        people_month[month] += session.people
        hours = Decimal(session.duration_minutes) / 60
        teams = set()
        for champion in session.champions.all():
            delivered_month[month] += hours
            delivered_team[champion.team or ""] += hours
            delivered_by[champion.pk] += hours
            teams.add(champion.team or "")
        for team in teams:  # a session with two teams' champions counts once for each team
            sessions_team[team] += 1
            people_team[team] += session.people
        helped.extend(session.helped.all())
    asked = [h for h in helped if h.confidence is not None]
    finished = [h for h in helped if h.completed != "not-asked"]
    month_keys = []
    day = first
    while day <= today:
        month_keys.append(day)
        day = _month(day + timedelta(days=32))
    by_month = [
        Row(
            f"{m:%Y-%m}",
            pledged_month.get(m, Decimal(0)),
            delivered_month.get(m, Decimal(0)),
            sessions_month.get(m, 0),
            people_month.get(m, 0),
        )
        for m in month_keys
    ]
    team_names = sorted(set(pledged_team) | set(delivered_team), key=lambda t: (t == "", t))
    no_team = _("No team given")
    by_team = [
        Row(
            t or no_team,
            pledged_team.get(t, Decimal(0)),
            delivered_team.get(t, Decimal(0)),
            sessions_team.get(t, 0),
            people_team.get(t, 0),
        )
        for t in team_names
    ]
    roll = sorted(
        (
            (c.name, c.team, delivered_by[c.pk])
            for c in champions.values()
            if c.on_honour_roll and c.active and delivered_by.get(c.pk)
        ),
        key=lambda r: (-r[2], r[0]),
    )
    trainings = list(queries.trainings_of(organisation))
    return Summary(
        places=sum(
            1
            for p in queries.places_of(organisation)
            if (p.opened_on is None or p.opened_on <= today)
            and (p.closed_on is None or p.closed_on >= today)
        ),
        champions=sum(1 for c in champions.values() if c.active),
        sessions=len(sessions),
        people=sum(s.people for s in sessions),
        pledged=sum(pledged_by.values(), Decimal(0)),
        delivered=sum(delivered_by.values(), Decimal(0)),
        confident=Share(sum(1 for h in asked if h.confidence and h.confidence >= 4), len(asked)),
        completed=Share(sum(1 for h in finished if h.completed == "yes"), len(finished)),
        referred=sum(1 for h in helped if h.referred_to),
        recorded=len(helped),
        by_month=by_month,
        by_team=by_team,
        honour_roll=roll,
        charts=_summary_charts(by_month, helped),
        trainings=len(trainings),
        trained=sum((t.attendees for t in trainings), 0),
        since=min((s.held_on for s in sessions), default=None),
    )


def _summary_charts(by_month: list[Row], helped: list[Helped]) -> list[Chart]:
    hours: list[dict[str, Cell]] = [
        {"month": r.label, "what": str(what), "hours": float(value)}
        for r in by_month
        for what, value in ((_("Pledged"), r.pledged), (_("Delivered"), r.delivered))
    ]
    motivations: dict[str, int] = defaultdict(int)
    ages: dict[str, int] = defaultdict(int)
    for h in helped:
        motivations[h.motivation] += 1
        ages[h.age_band] += 1
    charts = [
        bar_chart(
            id="outreach-hours",
            title=_("Hours pledged and delivered, by month"),
            description=_(
                "Hours delivered are each session's length for each champion at it. Hours "
                "pledged are counted in the month the pledge was made."
            ),
            records=hours,
            category="month",
            value="hours",
            colour="what",
            category_label=_("Month"),
            value_label=_("Hours"),
            colour_label=_("Hours"),
            whole_numbers=False,
            grouped=True,
        )
    ]
    if helped:
        charts.append(
            bar_chart(
                id="outreach-motivations",
                title=_("What brought people"),
                description=_("Each person recorded, by what brought them (Croydon's groups)."),
                records=[
                    {"motivation": str(label), "people": motivations.get(value, 0)}
                    for value, label in Motivation.choices
                ],
                category="motivation",
                value="people",
                category_label=_("What brought them"),
                value_label=_("People"),
            )
        )
        charts.append(
            bar_chart(
                id="outreach-ages",
                title=_("Age of the people helped"),
                records=[
                    {"age": str(label), "people": ages.get(value, 0)}
                    for value, label in AgeBand.choices
                ],
                category="age",
                value="people",
                category_label=_("Age band"),
                value_label=_("People"),
            )
        )
    return charts


def champion_rows(organisation: Organisation) -> list[dict[str, Any]]:
    """Each champion with hours pledged and delivered, sessions, and training attended."""
    pledged: dict[int, Decimal] = defaultdict(Decimal)
    for pledge in queries.pledges_of(organisation):
        pledged[pledge.champion_id] += pledge.hours
    delivered: dict[int, Decimal] = defaultdict(Decimal)
    sessions: dict[int, int] = defaultdict(int)
    for row in queries.session_hours(organisation):
        delivered[row["champion_id"]] += Decimal(row["session__duration_minutes"]) / 60
        sessions[row["champion_id"]] += 1
    trained = queries.trainings_by_champion(organisation)
    rows = []
    for champion in queries.champions_of(organisation):
        rows.append(
            {
                "champion": champion,
                "pledged": pledged.get(champion.pk, Decimal(0)),
                "delivered": delivered.get(champion.pk, Decimal(0)),
                "sessions": sessions.get(champion.pk, 0),
                "trainings": trained.get(champion.pk, []),
            }
        )
    return rows


# --- assisted digital -------------------------------------------------------------------------


@dataclass(frozen=True)
class AssistedRow:
    service: Service
    estimate: assisted.Estimate
    period: periods.Range

    @property
    def parts(self) -> list[dict[str, Any]]:
        return [
            {
                "key": p.key,
                "label": str(PART_LABELS[p.key]),
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "missing": str(MISSING_LABELS.get(p.why_missing, p.why_missing)),
            }
            for p in self.estimate.parts
        ]


def assisted_period(organisation: Organisation) -> periods.Range | None:
    """The twelve whole months up to the latest the ledger covers."""
    covered = queries.latest_covered_day(organisation)
    if covered is None:
        return None
    end = periods.last_complete("month", covered).end
    start = end.replace(day=1)
    for _step in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return periods.Range(start, end)


def assisted_rows(
    organisation: Organisation, services: list[Service] | None = None
) -> list[AssistedRow]:
    """Each service's assisted-digital estimate (all active services, or those given)."""
    period = assisted_period(organisation)
    if period is None:
        return []
    chosen = services if services is not None else list(queries.active_services(organisation))
    ids = [s.pk for s in chosen]
    counts = queries.counts_by_service(organisation, period, ids)
    answers = queries.survey_answers(organisation, period, ids)
    older_area = queries.older_share_of_area(organisation)
    flags = queries.channel_flags(organisation)
    rows = []
    for service in chosen:
        by_channel = counts.get(service.pk, {})
        total = sum(by_channel.values())
        if not total:
            continue
        assisted_ids = [c for c in by_channel if c in flags.assisted_digital]
        said = answers.get(service.pk, [])
        rows.append(
            AssistedRow(
                service=service,
                estimate=assisted.estimate(
                    total=total,
                    digital=sum(n for c, n in by_channel.items() if c in flags.digital),
                    assisted=sum(by_channel[c] for c in assisted_ids) if assisted_ids else None,
                    someone_else=_share(said, "for_whom", {"intermediary"}, set()),
                    older_online=_share(said, "age", {"60-74", "75-plus"}, {"not-say"}),
                    older_area=older_area,
                ),
                period=period,
            )
        )
    return rows


def _share(said: list[Any], key: str, values: set[str], exclude: set[str]) -> Share | None:
    found = share(said, key, values, exclude)
    return found if found.n else None


def assisted_beside_take_up(service: Service) -> dict[str, Any] | None:
    """The service page's line beside digital take-up (the ledger calls it through the setting
    TAKEUP_SERVICE_BESIDE_TAKE_UP: it cannot import this app)."""
    rows = assisted_rows(service.organisation, [service])
    url = reverse(
        "outreach:assisted-service", kwargs={"org": service.organisation.slug, "slug": service.slug}
    )
    if not rows or rows[0].estimate.share is None:
        return {
            "id": "assisted-estimate",
            "label": _("Will need help online"),
            "value": None,
            "text": _("Not known yet"),
            "url": url,
            "link": _("What it needs"),
        }
    e = rows[0].estimate
    text = _("about %(n)s transactions in the 12 months to %(end)s") % {
        "n": f"{round(e.people or 0):,}",
        "end": date_format(rows[0].period.end, "j M Y"),
    }
    if e.left_out:
        text = _("%(text)s, at least: part of it is not known") % {"text": text}
    return {
        "id": "assisted-estimate",
        "label": _("Will need help online"),
        "value": e.share,
        "low": e.low,
        "high": e.high,
        "text": text,
        "url": url,
        "link": _("How this is estimated"),
    }


# Neighbourhoods


# The data's age, said wherever the figures are shown.
IMD_SOURCE = gettext_lazy(
    "English indices of deprivation 2019 (MHCLG): IMD rank and decile per neighbourhood (LSOA); "
    "population and people aged 60 and over, mid 2015. Contains public sector information "
    "licensed under the Open Government Licence v3.0."
)
SCHEMATIC_BOUNDARY = "Schematic tiles (demo)"


@dataclass(frozen=True)
class NeighbourhoodRow:
    neighbourhood: Neighbourhood
    scored: priority.Scored
    own: dict[str, float]  # indicator slug → value
    here: queries.OutreachHere
    indicator_names: dict[str, str] = field(default_factory=dict)
    own_list: tuple[float | None, ...] = ()  # the values in the order of the indicators

    @property
    def older_percent(self) -> float | None:
        share = self.neighbourhood.older_share
        return None if share is None else 100 * share

    @property
    def left_out(self) -> str:
        return ", ".join(str(criterion_name(k, self.indicator_names)) for k in self.scored.left_out)


def criterion_name(key: str, names: dict[str, str]) -> Any:
    if key == priority.DEPRIVATION:
        return _("deprivation")
    if key == priority.OLDER:
        return _("share aged 60 and over")
    return names.get(key, key)


@dataclass(frozen=True)
class NeighbourhoodsPage:
    rows: list[NeighbourhoodRow]
    indicators: list[Indicator]
    weights: PriorityWeights
    boundary: Boundary | None
    chart: Chart | None
    schematic: bool
    has_imd: bool
    districts: list[str]


def neighbourhood_rows(
    organisation: Organisation,
) -> tuple[list[NeighbourhoodRow], list[Indicator], PriorityWeights]:
    """Every neighbourhood with its priority score and its parts, highest score first."""
    areas = queries.neighbourhoods_of(organisation)
    indicators = queries.indicators_of(organisation)
    weights = queries.weights_of(organisation)
    own = queries.indicator_values_of(organisation)
    here = queries.outreach_by_neighbourhood(organisation)
    scored = priority.score(
        [
            priority.Area(
                code=n.code, imd_rank=n.imd_rank, older_share=n.older_share, own=own.get(n.pk, {})
            )
            for n in areas
        ],
        priority.criteria(
            float(weights.deprivation),
            float(weights.older),
            [(i.slug, float(i.weight), i.higher_means_more_need) for i in indicators],
        ),
    )
    by_code = {n.code: n for n in areas}
    names = {i.slug: i.name for i in indicators}
    rows = [
        NeighbourhoodRow(
            neighbourhood=by_code[s.code],
            scored=s,
            own=own.get(by_code[s.code].pk, {}),
            here=here.get(by_code[s.code].pk, queries.OutreachHere()),
            indicator_names=names,
            own_list=tuple(own.get(by_code[s.code].pk, {}).get(i.slug) for i in indicators),
        )
        for s in scored
    ]
    return rows, indicators, weights


def neighbourhoods_page(organisation: Organisation) -> NeighbourhoodsPage:
    rows, indicators, weights = neighbourhood_rows(organisation)
    boundary = queries.boundary_of(organisation)
    chart = None
    if boundary is not None and rows:
        chart = maps.priority_map(
            boundary.geojson,
            [
                maps.MapArea(
                    r.neighbourhood.code, r.neighbourhood.name, r.scored.score, r.scored.rank
                )
                for r in rows
            ],
            title=_("Priority score on the map"),
            description=_(
                "Darker neighbourhoods have a higher priority score; grey ones have no score. "
                "The table lists the same figures."
            ),
            labels=(_("Rank"), _("Neighbourhood"), _("Code"), _("Priority score")),
            no_score=_("no score"),
        )
    return NeighbourhoodsPage(
        rows=rows,
        indicators=indicators,
        weights=weights,
        boundary=boundary,
        chart=chart,
        schematic=boundary is not None and boundary.name == SCHEMATIC_BOUNDARY,
        has_imd=any(r.neighbourhood.imd_rank is not None for r in rows),
        districts=sorted(
            {r.neighbourhood.district_name for r in rows if r.neighbourhood.district_name}
        ),
    )


@dataclass(frozen=True)
class ChangeRow:
    neighbourhood: Neighbourhood
    change: didit.AreaChange


@dataclass(frozen=True)
class LedgerCheck:
    """A service's month where the neighbourhoods' transactions add up to more than the
    ledger's own total: one of the two is wrong."""

    service: str
    month: date
    areas_total: int
    ledger_total: int


@dataclass(frozen=True)
class DidItPage:
    rows: list[ChangeRow]  # neighbourhoods with sessions and area figures, most people first
    without: didit.AreaChange | None  # all neighbourhoods without sessions, together
    result: didit.DiD | didit.NotEnough | None  # None: no area figures at all
    chart: Chart | None
    services: list[dict[str, Any]]  # service name, months, first and last month, rows
    checks: list[LedgerCheck]
    start: date | None  # the first session anywhere

    @property
    def sentence(self) -> str:
        """The result in words, for the page and the briefing."""
        if not isinstance(self.result, didit.DiD):
            return ""
        e = self.result.effect
        values = {
            "points": f"{abs(e.points):.1f}",
            "lower": f"{e.lower:.1f}",
            "upper": f"{e.upper:.1f}",
            "treated": self.result.treated,
            "control": self.result.control,
        }
        if e.lower > 0:
            text = _(
                "In the %(treated)d neighbourhoods with sessions, digital take-up rose about "
                "%(points)s points more than in the %(control)d without (interval at 95%%: "
                "%(lower)s to %(upper)s points)."
            )
        elif e.upper < 0:
            text = _(
                "In the %(treated)d neighbourhoods with sessions, digital take-up rose about "
                "%(points)s points less than in the %(control)d without (interval at 95%%: "
                "%(lower)s to %(upper)s points)."
            )
        else:
            text = _(
                "No clear difference: the change in digital take-up in the %(treated)d "
                "neighbourhoods with sessions is within %(lower)s to %(upper)s points of that "
                "in the %(control)d without (interval at 95%%), so the sessions' effect on "
                "take-up, if any, is too small to tell from these figures."
            )
        return text % values


def didit_page(organisation: Organisation) -> DidItPage:
    areas = {n.pk: n for n in queries.neighbourhoods_of(organisation)}
    volumes = queries.area_volumes_by_neighbourhood(organisation)
    here = queries.outreach_by_neighbourhood(organisation)
    summary = queries.area_volume_summary(organisation)
    by_service: dict[str, dict[str, Any]] = {}
    for r in summary:
        s = by_service.setdefault(
            r["service__name"],
            {"name": r["service__name"], "months": 0, "first": r["month"], "last": r["month"]},
        )
        s["months"] += 1
        s["first"], s["last"] = min(s["first"], r["month"]), max(s["last"], r["month"])
    checks = []
    if summary:
        ledger = queries.ledger_monthly_totals(organisation, max(r["month"] for r in summary))
        for r in summary:
            _digital, total = ledger.get(r["service_id"], {}).get(r["month"], (0, 0))
            if (r["total_sum"] or 0) > total:
                checks.append(LedgerCheck(r["service__name"], r["month"], r["total_sum"], total))
    panel = {areas[pk].code: months for pk, months in volumes.items() if pk in areas}
    first = {
        areas[pk].code: h.first_session.replace(day=1)
        for pk, h in here.items()
        if h.first_session is not None and pk in areas and pk in volumes
    }
    people = {areas[pk].code: h.people for pk, h in here.items() if pk in areas}
    by_code = {n.code: n for n in areas.values()}
    found = didit.changes(panel, first, people)
    rows = [ChangeRow(by_code[c.area], c) for c in found if c.first_session is not None]
    others = [c for c in found if c.first_session is None]
    without = None
    if others:
        without = didit.AreaChange(
            area="",
            people=0,
            first_session=None,
            split=others[0].split,
            online_before=sum(c.online_before for c in others),
            total_before=sum(c.total_before for c in others),
            online_after=sum(c.online_after for c in others),
            total_after=sum(c.total_after for c in others),
        )
    result = didit.did(panel, first) if panel else None
    chart = None
    points = [c for c in found if c.change is not None]
    if rows:
        chart = _people_chart(points, by_code)
    return DidItPage(
        rows=rows,
        without=without,
        result=result,
        chart=chart,
        services=list(by_service.values()),
        checks=checks,
        start=min(first.values(), default=None),
    )


def _people_chart(points: list[didit.AreaChange], by_code: dict[str, Neighbourhood]) -> Chart:
    name, helped, change, group = (
        _("Neighbourhood"),
        _("People helped"),
        _("Change in digital take-up (points)"),
        _("Sessions"),
    )
    with_sessions, without_sessions = _("with sessions"), _("without sessions")
    records: list[dict[str, Any]] = [
        {
            "name": by_code[c.area].name,
            "people": c.people,
            "change": round(c.change or 0.0, 1),
            "group": with_sessions if c.first_session else without_sessions,
        }
        for c in points
    ]
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": _("People helped in each neighbourhood against its change in take-up."),
        "width": "container",
        "height": 260,
        "data": {"values": records},
        "layer": [
            {
                "mark": {
                    "type": "rule",
                    "color": PALETTE[8],
                    "strokeDash": [4, 4],
                    "aria": False,  # the zero line: decoration, read from the table
                },
                "encoding": {"y": {"datum": 0}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 60},
                "encoding": {
                    "x": {"field": "people", "type": "quantitative", "title": helped},
                    "y": {"field": "change", "type": "quantitative", "title": change},
                    "color": {
                        "field": "group",
                        "type": "nominal",
                        "title": group,
                        "scale": {"range": [PALETTE[0], PALETTE[8]]},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [
                        {"field": "name", "title": name},
                        {"field": "people", "title": helped},
                        {"field": "change", "title": change},
                    ],
                },
            },
        ],
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    shown = [r for r in records if r["group"] == with_sessions]
    return Chart(
        id="people-and-change",
        title=_("People helped and the change in digital take-up"),
        spec=spec,
        columns=(name, helped, change),
        rows=tuple((str(r["name"]), int(r["people"]), f"{float(r['change']):+.1f}") for r in shown),
        description=_(
            "Each dot is a neighbourhood: people helped there, and its change in digital "
            "take-up from before its first session to after. Neighbourhoods without sessions "
            "are grey, split at the first session anywhere. The table lists those with sessions."
        ),
        numeric_columns=frozenset({1, 2}),
    )

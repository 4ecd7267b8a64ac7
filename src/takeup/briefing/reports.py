"""The organisation's summary: the landing page and the monthly briefing for the top management
team read the same sections, built here from the figures the staff pages show. Nothing here
computes a figure of its own: take-up, saving and cost come from ledger.reports, forecasts from
the stored ServiceForecast, effects from campaigns.reports, survey shares from insight.stats."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from takeup.campaigns import queries as campaign_queries
from takeup.campaigns.reports import judgeable, summary
from takeup.catalogue.queries import services_of
from takeup.charts import Cell, Chart, bar_chart, range_chart, time_chart
from takeup.insight import stats
from takeup.insight.queries import surveys_of
from takeup.insight.reports import answers_by_survey
from takeup.ledger import periods
from takeup.ledger.models import ServiceForecast
from takeup.ledger.periods import Range
from takeup.ledger.queries import (
    ChannelFlags,
    forecasts_of,
    monthly_take_up_counts,
    sources_of,
)
from takeup.ledger.reports import OrganisationTotals, organisation_totals, service_figures
from takeup.organisations.models import Organisation
from takeup.templatetags.takeup import money_text, percent

# Months of take-up the headline chart shows, ending with the briefing's month.
HISTORY_MONTHS = 13


@dataclass(frozen=True)
class Figure:
    """A headline figure as printed, with the id the staff page gives the same figure."""

    id: str
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    chart: Chart | None = None
    source_url: str = ""  # the staff page these figures come from
    source_label: str = ""


@dataclass(frozen=True)
class Briefing:
    organisation: Organisation
    period: Range
    baseline: Range
    totals: OrganisationTotals
    sections: list[Section]
    built_at: Any  # datetime

    @property
    def month_label(self) -> str:
        return date_format(self.period.start, "F Y")

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _points(change: float | None) -> str:
    if change is None:
        return "–"
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{abs(change):.1f}"


def _overview_url(org: Organisation, period: Range) -> str:
    query = urlencode({"period": "custom", "from": period.start, "to": period.end})
    return reverse("ledger:overview", kwargs={"org": org.slug}) + "?" + query


def take_up_section(
    org: Organisation, period: Range, totals: OrganisationTotals, months: list[dict[str, Any]]
) -> Section:
    figures = [
        Figure(
            "total-take-up", _("Digital take-up, all services"), _percent(totals.take_up.percent)
        ),
        Figure(
            "total-transactions",
            _("Transactions"),
            _("%(part)s online of %(whole)s")
            % {"part": f"{totals.take_up.part:,}", "whole": f"{totals.take_up.whole:,}"},
        ),
        Figure(
            "total-change",
            _("Change from a year before (points)"),
            _points(totals.change_points),
            note=_("%(was)s a year before") % {"was": _percent(totals.baseline_take_up.percent)},
        ),
    ]
    chart = (
        time_chart(
            id="briefing-take-up",
            title=_("Digital take-up each month, all services"),
            description=_(
                "The share of all transactions made online in each of the %(n)d months to "
                "%(month)s."
            )
            % {"n": len(months), "month": date_format(period.start, "F Y")},
            records=months,
            time="month",
            value="take_up",
            time_label=_("Month"),
            value_label=_("Digital take-up (%)"),
            percent=True,
        )
        if months
        else None
    )
    return Section(
        "take-up",
        _("Digital take-up"),
        figures=figures,
        lines=[] if months else [_("There are no transactions for this month yet.")],
        chart=chart,
        source_url=_overview_url(org, period),
        source_label=_("Take-up for the month"),
    )


def saving_section(
    org: Organisation, period: Range, baseline: Range, totals: OrganisationTotals, rows: list[Any]
) -> Section:
    s = totals.saving
    lines = [
        _(
            "A saving counts the phone calls, visits and letters avoided against %(baseline)s, "
            "at each channel's unit cost, less the cost of the online transactions that "
            "replaced them."
        )
        % {"baseline": date_format(baseline.start, "F Y")}
    ]
    if totals.saving_no_unit_cost:
        lines.append(
            _("It leaves out %(names)s: no unit cost.")
            % {"names": ", ".join(totals.saving_no_unit_cost)}
        )
    if totals.saving_no_figures:
        lines.append(
            _("It leaves out %(names)s: figures in only one of the two periods.")
            % {"names": ", ".join(totals.saving_no_figures)}
        )
    if s is None:
        return Section(
            "saving",
            _("Savings from contacts avoided"),
            lines=[*lines, _("No service has the figures for a saving this month.")],
            source_url=_overview_url(org, period),
            source_label=_("Take-up for the month"),
        )
    figures = [
        Figure(
            "total-saving",
            _("Saving from contacts avoided"),
            money_text(s.pence, whole=True),
            note=_("95%% interval %(low)s to %(high)s")
            % {"low": money_text(s.lower, whole=True), "high": money_text(s.upper, whole=True)},
        ),
        Figure("total-cashable", _("Cashable"), money_text(totals.cashable_pence, whole=True)),
        Figure(
            "total-capacity", _("Capacity freed"), money_text(totals.capacity_pence, whole=True)
        ),
    ]
    top = sorted((r for r in rows if r.saving), key=lambda r: -r.saving.total.pence)[:8]
    chart = bar_chart(
        id="briefing-saving",
        title=_("The services saving most"),
        description=_("Saving from contacts avoided in %(month)s, by service, in pounds.")
        % {"month": date_format(period.start, "F Y")},
        records=[
            {"service": r.service.name, "pounds": round(r.saving.total.pence / 100)} for r in top
        ],
        category="service",
        value="pounds",
        category_label=_("Service"),
        value_label=_("Saving (£)"),
    )
    return Section(
        "saving",
        _("Savings from contacts avoided"),
        figures=figures,
        lines=lines,
        chart=chart if top else None,
        source_url=_overview_url(org, period),
        source_label=_("Take-up for the month"),
    )


def targets_section(org: Organisation, forecasts: dict[int, ServiceForecast]) -> Section:
    names = {s.pk: s.name for s in services_of(org)}
    with_status = [f for f in forecasts.values() if f.status and f.service_id in names]
    counts = Counter(f.status for f in with_status)
    labels = dict(ServiceForecast.Status.choices)
    figures = [
        Figure(f"targets-{value.replace(' ', '-')}", str(label), str(counts.get(value, 0)))
        for value, label in ServiceForecast.Status.choices
    ]
    lines = [
        _(
            "%(service)s is %(status)s: take-up must rise %(gain)s points a month to reach "
            "its target."
        )
        % {
            "service": names[f.service_id],
            "status": str(labels[f.status]).lower(),
            "gain": f"{f.gain_needed:.1f}",
        }
        for f in sorted(with_status, key=lambda f: names[f.service_id])
        if f.status != ServiceForecast.Status.ON_TRACK and f.gain_needed is not None
    ]
    if not with_status:
        lines = [_("No service has a take-up target with a forecast.")]
    chart = bar_chart(
        id="briefing-targets",
        title=_("Services by where their forecast is heading"),
        description=_("Services with a take-up target, by whether the forecast reaches it."),
        records=[
            {"status": str(label), "services": counts.get(value, 0)}
            for value, label in ServiceForecast.Status.choices
        ],
        category="status",
        value="services",
        category_label=_("Status"),
        value_label=_("Services"),
    )
    return Section(
        "targets",
        _("Services against their targets"),
        figures=figures,
        lines=lines,
        chart=chart if with_status else None,
        source_url=reverse("ledger:overview", kwargs={"org": org.slug}),
        source_label=_("Take-up"),
    )


def campaigns_section(org: Organisation, period: Range) -> Section:
    finished = list(
        campaign_queries.campaigns_for(org).filter(
            ends_on__gte=period.start, ends_on__lte=period.end
        )
    )
    rows = campaign_queries.campaign_rows(finished)
    lines: list[str] = []
    records: list[dict[str, Cell]] = []
    for row in rows:
        lines.append(
            _("%(name)s (%(start)s to %(end)s) cost %(cost)s.")
            % {
                "name": row.campaign.name,
                "start": date_format(row.campaign.starts_on, "j M"),
                "end": date_format(row.campaign.ends_on, "j M Y"),
                "cost": money_text(row.cost_pence, whole=True),
            }
        )
        for e in row.estimates:
            lines.append(summary(e))
            if judgeable(e):
                records.append(
                    {
                        "category": f"{row.campaign.name}: {e.service.name}",
                        "value": round(e.effect),
                        "lower": round(e.effect_lower),
                        "upper": round(e.effect_upper),
                    }
                )
        if not row.estimates:
            lines.append(_("Its effect has not been estimated yet."))
    if not rows:
        lines = [_("No campaign finished this month.")]
    chart = (
        range_chart(
            id="briefing-campaigns",
            title=_("Extra online transactions from the campaigns that finished"),
            description=_(
                "Each campaign's estimated extra online transactions for each service, with its "
                "interval (95%)."
            ),
            records=records,
            category_label=_("Campaign and service"),
            value_label=_("Extra online transactions"),
            lower_label=_("Lower end (95%)"),
            upper_label=_("Upper end (95%)"),
        )
        if records
        else None
    )
    return Section(
        "campaigns",
        _("Campaigns that finished"),
        figures=[Figure("campaigns-finished", _("Campaigns finished"), str(len(rows)))],
        lines=lines,
        chart=chart,
        source_url=reverse("campaigns:list", kwargs={"org": org.slug}),
        source_label=_("Campaigns"),
    )


def _share_words(share: stats.Share) -> str:
    if share.value is None or share.interval is None:
        return "–"
    low, high = share.interval
    return _("%(value)s (95%% interval %(low)s to %(high)s)") % {
        "value": percent(share.value),
        "low": percent(low),
        "high": percent(high),
    }


def survey_section(org: Organisation, period: Range) -> Section:
    figures: list[Figure] = []
    records: list[dict[str, Cell]] = []
    lines: list[str] = []
    url = ""
    by_survey = answers_by_survey(org.pk, period.start, period.end)
    for survey in surveys_of(org):
        answers = by_survey.get(survey.pk, [])
        satisfied, completed = stats.satisfaction(answers), stats.completion(answers)
        url = url or (
            reverse("insight:results", kwargs={"org": org.slug, "pk": survey.pk})
            + "?"
            + urlencode({"from": period.start, "to": period.end})
        )
        figures += [
            Figure(f"survey-{survey.pk}-responses", _("Responses"), f"{len(answers):,}"),
            Figure(f"survey-{survey.pk}-satisfaction", _("Satisfied"), _share_words(satisfied)),
            Figure(
                f"survey-{survey.pk}-completion",
                _("Did what they came to do"),
                _share_words(completed),
            ),
        ]
        for label, share in (
            (_("Satisfied"), satisfied),
            (_("Did what they came to do"), completed),
        ):
            if share.value is not None and share.interval is not None:
                records.append(
                    {
                        "category": f"{survey.name}: {label}",
                        "value": round(100 * share.value, 1),
                        "lower": round(100 * share.interval[0], 1),
                        "upper": round(100 * share.interval[1], 1),
                    }
                )
        if len(answers) < 30:
            lines.append(
                _("%(survey)s had %(n)d responses: too few to read much into.")
                % {"survey": survey.name, "n": len(answers)}
            )
    if not figures:
        lines = [_("There is no exit survey.")]
    chart = (
        range_chart(
            id="briefing-survey",
            title=_("What visitors said"),
            description=_("Shares of the visitors who answered, with their intervals (95%)."),
            records=records,
            category_label=_("Survey and question"),
            value_label=_("Per cent"),
            lower_label=_("Lower end (95%)"),
            upper_label=_("Upper end (95%)"),
            percent=True,
        )
        if records
        else None
    )
    return Section(
        "survey",
        _("The exit survey"),
        figures=figures,
        lines=lines,
        chart=chart,
        source_url=url,
        source_label=_("Survey results for the month"),
    )


def overdue_section(org: Organisation, now: Any) -> Section:
    late = [(s, s.overdue_since(now)) for s in sources_of(org)]
    late = [(s, since) for s, since in late if since is not None]
    today = timezone.localdate(now)
    records: list[dict[str, Cell]] = [
        {"source": s.name, "days": (today - timezone.localdate(since)).days} for s, since in late
    ]
    return Section(
        "overdue",
        _("Data that is overdue"),
        figures=[Figure("overdue-sources", _("Data sources overdue"), str(len(late)))],
        lines=[
            _("%(source)s was due by %(day)s; the last delivery came on %(last)s.")
            % {
                "source": s.name,
                "day": date_format(timezone.localdate(since), "j F Y"),
                "last": date_format(timezone.localdate(s.last_received_at), "j F Y"),
            }
            for s, since in late
            if s.last_received_at
        ]
        or [_("Every data source has sent its figures on time.")],
        chart=bar_chart(
            id="briefing-overdue",
            title=_("Days overdue, by data source"),
            description=_("How many days late each overdue data source is."),
            records=records,
            category="source",
            value="days",
            category_label=_("Data source"),
            value_label=_("Days overdue"),
        )
        if records
        else None,
        source_url=reverse("ledger:sources", kwargs={"org": org.slug}),
        source_label=_("Data sources"),
    )


def monthly_take_up(org: Organisation, period: Range) -> list[dict[str, Any]]:
    """All services' take-up each month, to the period's end."""
    first = period.start
    for _i in range(HISTORY_MONTHS - 1):
        first = periods.month(first - timedelta(days=1)).start
    totals: dict[date, list[int]] = {}
    for by_month in monthly_take_up_counts(org.pk, period.end).values():
        for month, (digital, whole) in by_month.items():
            if month >= first:
                t = totals.setdefault(month, [0, 0])
                t[0] += digital
                t[1] += whole
    return [
        {"month": m.isoformat(), "take_up": round(100 * d / w, 1)}
        for m, (d, w) in sorted(totals.items())
        if w
    ]


def briefing(org: Organisation, month: date, *, now: Any = None) -> Briefing:
    """The monthly briefing for `month` (any day in it), in the active language."""
    now = now or timezone.now()
    period = periods.month(month)
    baseline = period.year_earlier()
    flags = ChannelFlags.of(org)
    rows = service_figures(org, list(services_of(org)), period, baseline, flags=flags)
    totals = organisation_totals(rows, flags)
    return Briefing(
        organisation=org,
        period=period,
        baseline=baseline,
        totals=totals,
        sections=[
            take_up_section(org, period, totals, monthly_take_up(org, period)),
            saving_section(org, period, baseline, totals, rows),
            targets_section(org, forecasts_of(org)),
            campaigns_section(org, period),
            survey_section(org, period),
            overdue_section(org, now),
        ],
        built_at=now,
    )


@dataclass(frozen=True)
class ServiceLink:
    name: str
    url: str
    words: str


@dataclass(frozen=True)
class Landing:
    """The organisation's front page: the briefing's figures for the last whole month, with the
    services off track, and the campaigns running now or finished in the last 60 days."""

    briefing: Briefing
    off_track: list[ServiceLink]
    running: list[Any]  # campaigns.queries.CampaignRow
    recent: list[Any]


# A campaign that finished within this many days counts as recent on the front page.
RECENT_DAYS = 60


def landing(org: Organisation, month: date, *, today: date | None = None) -> Landing:
    today = today or timezone.localdate()
    report = briefing(org, month)
    forecasts = forecasts_of(org)
    off = [
        (s, forecasts[s.pk])
        for s in services_of(org)
        if s.pk in forecasts and forecasts[s.pk].status == ServiceForecast.Status.OFF_TRACK
    ]
    campaigns = list(
        campaign_queries.campaigns_for(org).filter(
            starts_on__lte=today, ends_on__gte=today - timedelta(days=RECENT_DAYS)
        )
    )
    rows = campaign_queries.campaign_rows(campaigns)
    return Landing(
        briefing=report,
        off_track=[
            ServiceLink(
                s.name,
                reverse("ledger:service", kwargs={"org": org.slug, "slug": s.slug}),
                _("needs %(gain)s points of take-up a month") % {"gain": f"{f.gain_needed:.1f}"}
                if f.gain_needed is not None
                else "",
            )
            for s, f in off
        ],
        running=[r for r in rows if r.campaign.ends_on >= today],
        recent=[r for r in rows if r.campaign.ends_on < today],
    )

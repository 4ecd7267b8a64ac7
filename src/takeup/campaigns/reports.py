"""Estimates in words and charts: the summary, the checks and the seen-against-expected chart."""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from takeup.charts import Chart, bar_chart, interval_chart, time_chart
from takeup.organisations.models import Organisation

from . import queries
from .models import Campaign, EffectEstimate, EstimateRun
from .queries import CampaignRow


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


def _n(value: float) -> str:
    return f"{round(value):,}"


def _d(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return date_format(day, "j F Y")


def judgeable(estimate: EffectEstimate) -> bool:
    """Whether the fit could judge an effect. Estimates stored before the check existed say
    nothing, and are treated as judgeable only if their expected band stayed above zero."""
    c = estimate.result["checks"]
    if "fit_ok" in c:
        return bool(c["fit_ok"])
    return all(p["expected_lower"] >= 0 for p in estimate.result["points"])


def summary(estimate: EffectEstimate) -> str:
    """The estimate in one or two plain sentences, with its interval and how sure we are."""
    r = estimate.result
    return summary_text(
        start=estimate.post_start,
        end=estimate.post_end,
        subject=_("digital transactions for “%(service)s”") % {"service": estimate.service.name},
        effect=estimate.effect,
        lower=estimate.effect_lower,
        upper=estimate.effect_upper,
        relative=r["relative"][0] if r.get("relative_shown") else None,
        cost_per=r.get("cost_per"),
        judgeable=judgeable(estimate),
    )


def summary_text(
    *,
    start: date,
    end: date,
    subject: str,
    effect: float,
    lower: float,
    upper: float,
    relative: float | None,
    cost_per: list[float] | None = None,
    judgeable: bool = True,
) -> str:
    """The words follow the interval: "could be no effect" exactly when it holds zero, and
    "cannot tell" whenever the fit could not judge an effect at all."""
    span = _("Between %(start)s and %(end)s") % {"start": _d(start), "end": _d(end)}
    interval = _("95%% interval %(low)s to %(high)s") % {"low": _n(lower), "high": _n(upper)}
    if not judgeable:
        return _(
            "%(span)s we cannot tell what the campaign did to %(subject)s: the figures before "
            "it do not forecast what would have happened without it closely enough to judge an "
            "effect (see the checks)."
        ) % {"span": span, "subject": subject}
    if lower > 0:
        text = _(
            "%(span)s about %(n)s more %(subject)s were made than expected without the "
            "campaign (%(interval)s)."
        ) % {"span": span, "n": _n(effect), "subject": subject, "interval": interval}
        if relative is not None:
            text += " " + _("That is %(rel)s%% more than expected.") % {
                "rel": f"{100 * relative:.0f}"
            }
        if cost_per:
            text += " " + _(
                "Each extra online transaction cost about £%(cost)s (between £%(low)s and "
                "£%(high)s)."
            ) % {
                "cost": f"{cost_per[0] / 100:,.2f}",
                "low": f"{cost_per[1] / 100:,.2f}",
                "high": f"{cost_per[2] / 100:,.2f}",
            }
        return text
    if upper < 0:
        return _(
            "%(span)s about %(n)s fewer %(subject)s were made than expected (%(interval)s). "
            "Look for something else that happened at the time."
        ) % {"span": span, "n": _n(-effect), "subject": subject, "interval": interval}
    return _(
        "%(span)s %(subject)s were within what was expected without the campaign: the "
        "estimate is %(n)s (%(interval)s), which could be no effect at all."
    ) % {"span": span, "n": _n(effect), "subject": subject, "interval": interval}


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def relative_text(estimate: EffectEstimate) -> tuple[bool, str]:
    """The effect as a share of what was expected, or why it is not shown: a percentage of a
    total near zero, or one whose interval reaches zero, means nothing."""
    r = estimate.result
    if r.get("relative_shown") and judgeable(estimate):
        low, mid, high = r["relative"][1], r["relative"][0], r["relative"][2]
        return True, _("%(mid)s (%(low)s to %(high)s)") % {
            "mid": _pct(mid),
            "low": _pct(low),
            "high": _pct(high),
        }
    low, high = r.get("expected_interval") or [math.nan, math.nan]
    if math.isnan(low):
        return False, _("Not shown: estimate again to see it.")
    return False, _(
        "Not shown: without the campaign about %(n)s were expected (95%% interval %(low)s to "
        "%(high)s), too few or too uncertain for a percentage to mean anything."
    ) % {"n": _n(r["expected_total"]), "low": _n(low), "high": _n(high)}


def chance(share: float) -> str:
    """A posterior probability in words a reader can check: never 0% or 100%."""
    if share > 0.999:
        return _("more than 99.9%")
    if share < 0.001:
        return _("less than 0.1%")
    return f"{100 * share:.1f}%"


def p_phrase(p: float) -> str:
    """ "p = 0.043", or "p < 0.001" below that: draws cannot show a p of zero."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def uncertainty_text(estimate: EffectEstimate) -> str:
    """Pr(effect > 0) and the two-sided p, one measure read two ways, both from the same draws
    as the interval: p < 0.05 exactly when the interval leaves out zero. An estimate stored
    before then kept the probability of whichever sign its point took: only its p is shown."""
    if "verdict" not in estimate.result:
        return _("Two-sided %(p)s; estimate again for the probability of an increase.") % {
            "p": p_phrase(estimate.p_value)
        }
    return _("%(chance)s that the campaign increased them (two-sided %(p)s)") % {
        "chance": chance(estimate.result["prob_effect"]),
        "p": p_phrase(estimate.p_value),
    }


def _fit_check(c: dict[str, Any], r: dict[str, Any], ok: bool) -> Check:
    text = _(
        "Fit before the campaign: one-day-ahead forecasts were %(mape)s%% out on average, and "
        "%(cover)s%% of days fell inside their 95%% band."
    ) % {"mape": f"{100 * c['fit_mape']:.0f}", "cover": f"{100 * c['fit_coverage']:.0f}"}
    if ok:
        return Check(True, text)
    low, high = r.get("expected_interval") or [0.0, 0.0]
    text += " " + _(
        "That is not good enough to judge an effect: without the campaign about %(n)s were "
        "expected (95%% interval %(low)s to %(high)s). We cannot tell what the campaign did."
    ) % {"n": _n(r["expected_total"]), "low": _n(low), "high": _n(high)}
    return Check(False, text)


def _data_checks(c: dict[str, Any]) -> list[Check]:
    out = []
    if c.get("outage_days"):
        out.append(
            Check(
                False,
                ngettext(
                    "%(n)s day with no transactions, where the days around it had many, was "
                    "taken for an outage and left out.",
                    "%(n)s days with no transactions, where the days around them had many, "
                    "were taken for an outage and left out.",
                    c["outage_days"],
                )
                % {"n": c["outage_days"]},
            )
        )
    if c.get("controls_dropped"):
        out.append(
            Check(
                False,
                _(
                    "Left out of the comparison because their own figures changed during the "
                    "campaign: %(names)s."
                )
                % {"names": ", ".join(c["controls_dropped"])},
            )
        )
    return out


def checks(estimate: EffectEstimate) -> list[Check]:
    """Everything a reader should know before trusting the figure."""
    c: dict[str, Any] = estimate.result["checks"]
    out = [_fit_check(c, estimate.result, judgeable(estimate))]
    if c["placebo_p_value"] is None:
        out.append(Check(False, _("No placebo test: the time before the campaign is too short.")))
    elif c["placebo_p_value"] < 0.05:
        out.append(
            Check(
                False,
                _(
                    "Placebo test failed: pretending the campaign started on %(day)s finds an "
                    "“effect” where there was none (%(p)s). Treat this estimate with care."
                )
                % {"day": _d(c["placebo_start"]), "p": p_phrase(c["placebo_p_value"])},
            )
        )
    else:
        out.append(
            Check(
                True,
                _("Placebo test passed: a pretend start on %(day)s finds no effect (%(p)s).")
                % {"day": _d(c["placebo_start"]), "p": p_phrase(c["placebo_p_value"])},
            )
        )
    if c["short_pre_period"]:
        out.append(
            Check(
                False,
                _(
                    "Only %(days)s days of figures before the campaign: eight weeks or more "
                    "give a more trustworthy estimate."
                )
                % {"days": c["pre_days"]},
            )
        )
    if c["grain"] == "week":
        out.append(
            Check(
                True,
                _("Estimated by week, because daily counts are low (%(reason)s).")
                % {"reason": c["grain_reason"]},
            )
        )
    out += _data_checks(c)
    overlapping = estimate.result.get("overlapping") or []
    if overlapping:
        out.append(
            Check(
                False,
                ngettext(
                    "Another campaign promoted this service at the same time (%(names)s): the "
                    "joint estimate shows their combined effect.",
                    "Other campaigns promoted this service at the same time (%(names)s): the "
                    "joint estimate shows their combined effect.",
                    len(overlapping),
                )
                % {"names": ", ".join(overlapping)},
            )
        )
    used = c["controls_used"]
    out.append(
        Check(
            True,
            _("Compared with: %(names)s.") % {"names": ", ".join(used)}
            if used
            else _("No other service's figures helped the forecast; it uses this service alone."),
        )
    )
    return out


def estimate_chart(estimate: EffectEstimate, csv_url: str) -> Chart:
    points = estimate.result["points"]
    records = [
        {
            "time": p["start"],
            "observed": p["observed"],
            "expected": round(p["expected"], 1),
            "lower": round(p["expected_lower"], 1),
            "upper": round(p["expected_upper"], 1),
        }
        for p in points
    ]
    columns = (
        _("Date"),
        _("Seen"),
        _("Expected without the campaign"),
        _("Expected, low"),
        _("Expected, high"),
        _("Extra, cumulative"),
    )
    rows = tuple(
        (
            p["start"],
            _n(p["observed"]),
            _n(p["expected"]),
            _n(p["expected_lower"]),
            _n(p["expected_upper"]),
            _n(p["cumulative"]),
        )
        for p in points
    )
    grain = _("week") if estimate.result["checks"]["grain"] == "week" else _("day")
    return interval_chart(
        id=f"estimate-{estimate.pk}",
        title=_("%(service)s: seen against expected") % {"service": estimate.service.name},
        description=_(
            "Digital transactions each %(grain)s, and what the model expected without the "
            "campaign, with its 95%% interval shaded."
        )
        % {"grain": grain},
        records=records,
        time_label=_("Date"),
        observed_label=_("Seen"),
        expected_label=_("Expected"),
        interval_label=_("Digital transactions"),
        csv_url=csv_url,
        table=(columns, rows),
    )


def estimate_csv_rows(estimate: EffectEstimate) -> tuple[list[str], list[tuple[object, ...]]]:
    columns = [
        "date",
        "observed",
        "expected",
        "expected_lower",
        "expected_upper",
        "effect",
        "effect_lower",
        "effect_upper",
        "cumulative",
        "cumulative_lower",
        "cumulative_upper",
    ]
    rows = [
        tuple([p["start"], *(round(p[c], 2) for c in columns[1:])])
        for p in estimate.result["points"]
    ]
    return columns, rows


# --- the campaign page -----------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignPage:
    """Everything a campaign's page shows: its row of the comparison, arrivals by day, device
    and referrer, the effect estimates with their checks, and its phases."""

    campaign: Campaign
    row: CampaignRow
    spent_pence: int  # what the activities cost, never the budget: that has its own row
    charts: list[Chart]
    daily: list[dict[str, Any]]
    referrers: list[tuple[str, int]]
    phases: list[CampaignRow]
    bots: int
    estimates: list[dict[str, Any]]
    run: EstimateRun | None

    def download(self, name: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        """The CSV called `name`: "arrivals", or "estimate-<id>"."""
        if name == "arrivals":
            return (
                ["date", "activity", "arrivals"],
                [(r["day"], r["activity"], r["n"]) for r in self.daily],
            )
        for shown in self.estimates:
            if name == f"estimate-{shown['estimate'].pk}":
                columns, rows = estimate_csv_rows(shown["estimate"])
                return list(columns), list(rows)
        return None


def campaign_page(organisation: Organisation, campaign: Campaign, *, csv_url: str) -> CampaignPage:
    row = queries.campaign_rows(list(queries.campaigns_for(organisation).filter(pk=campaign.pk)))[0]
    daily = queries.arrivals_daily(campaign)
    arrivals_chart = time_chart(
        id="arrivals",
        title=_("Arrivals through the tracked links"),
        description=_("People who arrived through each activity's link or QR code, each day."),
        records=daily,
        time="day",
        value="n",
        colour="activity",
        colour_label=_("Activity"),
        time_label=_("Date"),
        value_label=_("Arrivals"),
        csv_url=f"{csv_url}?download=arrivals" if csv_url else "",
    )
    shown = []
    for e in row.estimates + [a.estimate for a in row.activities if a.estimate]:
        relative_shown, relative = relative_text(e)
        shown.append(
            {
                "estimate": e,
                "judgeable": judgeable(e),
                "summary": summary(e),
                "relative_shown": relative_shown,
                "relative": relative,
                "uncertainty": uncertainty_text(e),
                "checks": checks(e),
                "chart": estimate_chart(
                    e, f"{csv_url}?download=estimate-{e.pk}" if csv_url else ""
                ),
            }
        )
    breakdown = queries.arrivals_breakdown(campaign)
    device_chart = bar_chart(
        id="devices",
        title=_("Arrivals by device"),
        records=[{"device": d, "n": n} for d, n in breakdown["device"]],
        category="device",
        value="n",
        category_label=_("Device"),
        value_label=_("Arrivals"),
    )
    family = [c for c in [campaign.parent, campaign, *campaign.next_phases.all()] if c is not None]
    phases = (
        queries.campaign_rows(
            list(queries.campaigns_for(organisation).filter(pk__in=[c.pk for c in family]))
        )
        if len(family) > 1
        else []
    )
    return CampaignPage(
        campaign=campaign,
        row=row,
        spent_pence=sum(a.activity.cost_pence for a in row.activities),
        charts=[arrivals_chart, device_chart] if daily else [],
        daily=daily,
        referrers=breakdown["referrer"],
        phases=sorted(phases, key=lambda r: r.campaign.starts_on),
        bots=breakdown["bots"][0][1],
        estimates=shown,
        run=campaign.runs.first(),
    )


@dataclass(frozen=True)
class EvaluationReport:
    """A campaign's (or phase's) evaluation report, in the order Kirklees reported its own:
    what was done, where and at what cost; reach; the effect; against the phase before; what
    we learnt. The figures are the campaign page's."""

    page: CampaignPage
    previous: CampaignRow | None  # the phase before, if this campaign follows one

    @property
    def compared(self) -> list[CampaignRow]:
        """The phase before, then this one."""
        return [self.previous, self.page.row] if self.previous else []


def evaluation_report(
    organisation: Organisation, campaign: Campaign, *, csv_url: str = ""
) -> EvaluationReport:
    """`csv_url`: the campaign page, which serves the charts' CSVs; none on a shared link."""
    page = campaign_page(organisation, campaign, csv_url=csv_url)
    previous = None
    if campaign.parent_id is not None:
        previous = next((p for p in page.phases if p.campaign.pk == campaign.parent_id), None)
        if previous is None:
            previous = queries.campaign_rows(
                list(queries.campaigns_for(organisation).filter(pk=campaign.parent_id))
            )[0]
    return EvaluationReport(page=page, previous=previous)

"""Estimates in words and charts: the summary, the checks and the seen-against-expected chart."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from takeup.charts import Chart, interval_chart

from .models import EffectEstimate


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


def _n(value: float) -> str:
    return f"{round(value):,}"


def _d(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return date_format(day, "j F Y")


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
        p_value=estimate.p_value,
        relative=r["relative"][0],
        cost_per=r.get("cost_per"),
    )


def summary_text(
    *,
    start: date,
    end: date,
    subject: str,
    effect: float,
    lower: float,
    upper: float,
    p_value: float,
    relative: float,
    cost_per: list[float] | None = None,
) -> str:
    span = _("Between %(start)s and %(end)s") % {"start": _d(start), "end": _d(end)}
    interval = _("95%% interval %(low)s to %(high)s") % {"low": _n(lower), "high": _n(upper)}
    if p_value < 0.05 and effect > 0:
        text = _(
            "%(span)s about %(n)s more %(subject)s were made than expected without the "
            "campaign (%(interval)s). That is %(rel)s%% more than expected."
        ) % {
            "span": span,
            "n": _n(effect),
            "subject": subject,
            "interval": interval,
            "rel": f"{100 * relative:.0f}",
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
    if p_value < 0.05:
        return _(
            "%(span)s about %(n)s fewer %(subject)s were made than expected (%(interval)s). "
            "Look for something else that happened at the time."
        ) % {"span": span, "n": _n(-effect), "subject": subject, "interval": interval}
    return _(
        "%(span)s %(subject)s were within what was expected without the campaign: the "
        "estimate is %(n)s (%(interval)s), which could be no effect at all."
    ) % {"span": span, "n": _n(effect), "subject": subject, "interval": interval}


def checks(estimate: EffectEstimate) -> list[Check]:
    """Everything a reader should know before trusting the figure."""
    c: dict[str, Any] = estimate.result["checks"]
    out = [
        Check(
            not c["fit_coverage"] < 0.8,
            _(
                "Fit before the campaign: one-day-ahead forecasts were %(mape)s%% out on "
                "average, and %(cover)s%% of days fell inside their 95%% band."
            )
            % {"mape": f"{100 * c['fit_mape']:.0f}", "cover": f"{100 * c['fit_coverage']:.0f}"},
        )
    ]
    if c["placebo_p_value"] is None:
        out.append(Check(False, _("No placebo test: the time before the campaign is too short.")))
    elif c["placebo_p_value"] < 0.05:
        out.append(
            Check(
                False,
                _(
                    "Placebo test failed: pretending the campaign started on %(day)s finds an "
                    "“effect” where there was none (p = %(p)s). Treat this estimate with care."
                )
                % {"day": _d(c["placebo_start"]), "p": f"{c['placebo_p_value']:.2f}"},
            )
        )
    else:
        out.append(
            Check(
                True,
                _("Placebo test passed: a pretend start on %(day)s finds no effect (p = %(p)s).")
                % {"day": _d(c["placebo_start"]), "p": f"{c['placebo_p_value']:.2f}"},
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

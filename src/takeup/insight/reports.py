"""The results dashboard's figures, from the responses in scope and the pure maths in stats.py."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from takeup.catalogue.models import Service, ServiceArea, UnitCost
from takeup.charts import Chart, bar_chart, time_chart
from takeup.ledger.queries import Scope, visits_in

from . import stats
from .models import Question, Response, Survey
from .questions import DEFAULT_QUESTIONS

SEGMENT_LABELS = {
    "women": gettext_lazy("women"),
    "aged 60 or over": gettext_lazy("aged 60 or over"),
    "intermediaries": gettext_lazy("intermediaries"),
    "professionals": gettext_lazy("professionals"),
    "looking for themselves": gettext_lazy("looking for themselves"),
}
OTHERWISE_CHANNELS = {
    "phone": "phone",
    "in-person": "face-to-face",
    "email": "email",
    "letter": "post",
}


@dataclass(frozen=True)
class Row:
    """One answer set, as the analysis reads it."""

    answers: dict[str, Any]
    area_id: int | None
    received_at: datetime


def rows_for(survey: Survey, start: date, end: date, area_id: int | None = None) -> list[Row]:
    query = Response.objects.filter(
        organisation_id=survey.organisation_id,
        survey=survey,
        received_at__date__gte=start,
        received_at__date__lte=end,
    )
    if area_id:
        query = query.filter(area_id=area_id)
    return [Row(a, ar, at) for a, ar, at in query.values_list("answers", "area_id", "received_at")]


def first_time(r: stats.Answers) -> bool:
    return r.get("visits") == "first"


@dataclass(frozen=True)
class SegmentRow:
    label: str
    a: stats.Share
    b: stats.Share
    difference: stats.Difference


def default_comparison_area(rows: list[Row], areas: list[ServiceArea]) -> ServiceArea | None:
    """The area with the most first-time visitors in the period (the first area on a tie, or
    with no answers yet): the comparison that has the most answers behind it."""
    firsts: dict[int, int] = {}
    for r in rows:
        if r.area_id is not None and first_time(r.answers):
            firsts[r.area_id] = firsts.get(r.area_id, 0) + 1
    return max(areas, key=lambda a: firsts.get(a.pk, 0), default=None)


def first_time_by_segment(
    rows: list[Row], area: ServiceArea
) -> tuple[stats.Share, stats.Share, list[SegmentRow]]:
    """First-time visitors to one service area against those to all others: who they are, and
    for whom they came."""
    in_area = [r.answers for r in rows if r.area_id == area.pk]
    others = [r.answers for r in rows if r.area_id != area.pk]
    share_a = stats.share(in_area, "visits", {"first"})
    share_b = stats.share(others, "visits", {"first"})
    comparisons = stats.compare_segments(
        [a for a in in_area if first_time(a)], [a for a in others if first_time(a)]
    )
    return (
        share_a,
        share_b,
        [SegmentRow(c.label, c.difference.a, c.difference.b, c.difference) for c in comparisons],
    )


def other_comparisons(
    rows: list[Row], earlier: list[Row]
) -> list[tuple[str, str, str, list[SegmentRow]]]:
    """The other two comparisons: first-time against returning visitors, and this period
    against the one before it. (title, name of A, name of B, rows)"""
    answers = [r.answers for r in rows]
    first = [a for a in answers if first_time(a)]
    returning = [a for a in answers if a.get("visits") in ("occasional", "regular")]

    def segment_rows(a: Sequence[stats.Answers], b: Sequence[stats.Answers]) -> list[SegmentRow]:
        return [
            SegmentRow(c.label, c.difference.a, c.difference.b, c.difference)
            for c in stats.compare_segments(a, b)
        ]

    return [
        (
            _("First-time against returning visitors"),
            _("First-time"),
            _("Returning"),
            segment_rows(first, returning),
        ),
        (
            _("This period against the one before"),
            _("This period"),
            _("The period before"),
            segment_rows(answers, [r.answers for r in earlier]),
        ),
    ]


def monthly(rows: list[Row], start: date, end: date) -> list[dict[str, Any]]:
    """Responses and satisfaction per calendar month. A month the period covers only in part
    is left out: one day of answers plotted beside whole months reads as a collapse."""
    by_month: dict[date, list[stats.Answers]] = defaultdict(list)
    for r in rows:
        by_month[r.received_at.date().replace(day=1)].append(r.answers)
    out = []
    for month, answers in sorted(by_month.items()):
        if month < start or month_end(month) > end:
            continue
        sat = stats.satisfaction(answers)
        out.append(
            {
                "month": month.isoformat(),
                "responses": len(answers),
                "satisfaction": round(100 * sat.value, 1) if sat.value is not None else None,
            }
        )
    return out


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def visits(survey: Survey, start: date, end: date, area_id: int | None) -> int | None:
    """The period's web visits (from the ledger) to the services the survey's page rules name,
    directly or through their service area; None when the ledger has no visits for them."""
    rules = survey.rules.all()
    services = Service.objects.filter(organisation_id=survey.organisation_id).filter(
        Q(pk__in=rules.values("service")) | Q(area__in=rules.values("area"))
    )
    if area_id is not None:
        services = services.filter(area_id=area_id)
    ids = tuple(services.values_list("pk", flat=True))
    if not ids:
        return None
    return visits_in(Scope(survey.organisation_id, start, end, ids, use_month_totals=False))


def unit_costs(survey: Survey) -> dict[str, int]:
    """The latest unit cost (per contact, else per transaction) of each channel a visitor might
    otherwise have used, in one query."""
    latest: dict[str, int] = {}
    rows = (
        UnitCost.objects.filter(
            channel__organisation_id=survey.organisation_id,
            channel__slug__in=OTHERWISE_CHANNELS.values(),
        )
        .order_by("channel__slug", "-effective_from")
        .values_list("channel__slug", "pence_per_contact", "pence_per_transaction")
    )
    for slug, per_contact, per_transaction in rows:
        cost = per_contact if per_contact is not None else per_transaction
        if slug not in latest and cost is not None:
            latest[slug] = cost
    return {answer: latest[slug] for answer, slug in OTHERWISE_CHANNELS.items() if slug in latest}


def segment_words(row: SegmentRow, area_name: str) -> str:
    """A plain-words flag, only where the difference is significant."""
    d = row.difference
    a, b = d.a.value, d.b.value
    if not d.significant or a is None or b is None:
        return ""
    what = {"area": area_name, "what": SEGMENT_LABELS[row.label]}
    if a < b:
        return _("First-time visitors to %(area)s are less likely to be %(what)s.") % what
    if d.ratio is None:
        return _("First-time visitors to %(area)s are more likely to be %(what)s.") % what
    text = _("First-time visitors to %(area)s are %(times)s times as likely to be %(what)s.")
    return text % {**what, "times": f"{d.ratio:.1f}"}


# --- the results page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsPage:
    """Everything the survey's results page shows for a period (and an area, if chosen)."""

    compare: ServiceArea | None
    count: int
    satisfaction: stats.Share
    completion: stats.Share
    comparison: dict[str, Any]  # first_a, first_b, segments, flags: the area against the rest
    charts: list[Chart]
    found: list[tuple[str, stats.Share]]
    others: list[tuple[str, str, str, list[SegmentRow]]]
    avoided: list[stats.Avoided]
    avoided_visits: int | None
    comments: list[tuple[datetime, str, str]]
    comment_count: int
    q: str
    changed: list[Question]  # questions asked now in a newer wording than some answers had


def results_page(
    survey: Survey,
    areas: list[ServiceArea],
    start: date,
    end: date,
    *,
    area: ServiceArea | None,
    compare_slug: str,
    query: str,
    welsh: bool,
) -> ResultsPage:
    rows = rows_for(survey, start, end, area.pk if area else None)
    compare = next(
        (a for a in areas if a.slug == compare_slug), default_comparison_area(rows, areas)
    )
    answers = [r.answers for r in rows]
    comparison: dict[str, Any] = {}
    charts = []
    if compare is not None and rows:
        first_a, first_b, segments = first_time_by_segment(rows, compare)
        comparison = {
            "first_a": first_a,
            "first_b": first_b,
            "segments": segments,
            "flags": [w for w in (segment_words(s, compare.name) for s in segments) if w],
        }
        charts.append(
            bar_chart(
                id="segments",
                title=_("First-time visitors: %(area)s against all other areas")
                % {"area": compare.name},
                records=[
                    {"measure": str(SEGMENT_LABELS[s.label]), "segment": name, "percent": value}
                    for s in segments
                    for name, value in (
                        (compare.name, _pct(s.a.value)),
                        (_("All other areas"), _pct(s.b.value)),
                    )
                ],
                category="measure",
                value="percent",
                colour="segment",
                category_label=_("Share of first-time visitors who are"),
                value_label=_("Per cent"),
                colour_label=_("Visitors to"),
                grouped=True,
                whole_numbers=False,
            )
        )
    found_by = next(q for q in DEFAULT_QUESTIONS if q.key == "found_by")
    found = stats.counts(answers, "found_by", [c.value for c in found_by.choices])
    labels = {c.value: (c.cy if welsh else c.en) for c in found_by.choices}
    if answers:
        charts.append(
            bar_chart(
                id="found-by",
                title=_("How visitors found the site"),
                description=_(
                    "Visitors could tick more than one way, so the shares add up to more than 100%."
                ),
                records=[{"how": labels[v], "percent": _pct(s.value)} for v, s in found.items()],
                category="how",
                value="percent",
                category_label=_("How"),
                value_label=_("Per cent of those who answered"),
                whole_numbers=False,
            )
        )
    months = monthly(rows, start, end) if answers else []
    if months:  # none when the period covers no whole month: an empty chart says nothing
        charts.append(
            time_chart(
                id="monthly",
                title=_("Responses and satisfaction each month"),
                description=_(
                    "Satisfaction each whole month of the period; a month it covers only in "
                    "part is left out."
                ),
                records=months,
                time="month",
                value="satisfaction",
                time_label=_("Month"),
                value_label=_("Satisfied or very satisfied (%)"),
                percent=True,
            )
        )
    earlier = rows_for(
        survey,
        start - (end - start) - timedelta(days=1),
        start - timedelta(days=1),
        area.pk if area else None,
    )
    # The period's real visits when the ledger has them, else per 1,000 visits (and it says so)
    period_visits = visits(survey, start, end, area.pk if area else None)
    # What each visitor came to do and what they wrote, newest first, searched together.
    comments = [
        (r.received_at, r.answers.get("reason", ""), r.answers.get("comments", ""))
        for r in sorted(rows, key=lambda r: r.received_at, reverse=True)
        if (r.answers.get("comments") or r.answers.get("reason"))
        and query.casefold()
        in f"{r.answers.get('reason', '')} {r.answers.get('comments', '')}".casefold()
    ]
    return ResultsPage(
        compare=compare,
        count=len(rows),
        satisfaction=stats.satisfaction(answers),
        completion=stats.completion(answers),
        comparison=comparison,
        charts=charts,
        found=[(labels[v], s) for v, s in found.items()],
        others=other_comparisons(rows, earlier) if rows else [],
        avoided=stats.avoided_contacts(
            answers, 1000 if period_visits is None else period_visits, unit_costs(survey)
        ),
        avoided_visits=period_visits,
        comments=comments[:100],
        comment_count=len(comments),
        q=query,
        changed=list(survey.questions.filter(active=True, version__gt=1)),
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


# --- for the public performance pages ------------------------------------------------------

# Fewer answers than this in a quarter, and a service's satisfaction is not published: the
# interval would be wider than anything it could tell.
PUBLIC_MIN_ANSWERS = 30


def survey_by_service_quarter(
    organisation_id: int, service_ids: Sequence[int], start: date, end: date
) -> dict[int, dict[date, dict[str, stats.Share]]]:
    """Satisfaction and task completion from the exit survey, per service and calendar quarter,
    for the public pages (called through the setting TAKEUP_PUBLIC_SURVEY: the ledger cannot
    import this app). A share from fewer than PUBLIC_MIN_ANSWERS answers is left out."""
    by: dict[tuple[int, date], list[stats.Answers]] = {}
    for service_id, answers, received in Response.objects.filter(
        organisation_id=organisation_id,
        service_id__in=service_ids,
        received_at__date__gte=start,
        received_at__date__lte=end,
    ).values_list("service_id", "answers", "received_at"):
        day = timezone.localdate(received)
        quarter = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        by.setdefault((service_id, quarter), []).append(answers)
    out: dict[int, dict[date, dict[str, stats.Share]]] = {}
    for (service_id, quarter), answers in by.items():
        shares = {
            "satisfaction": stats.satisfaction(answers),
            "completion": stats.completion(answers),
        }
        kept = {k: s for k, s in shares.items() if s.n >= PUBLIC_MIN_ANSWERS}
        if kept:
            out.setdefault(service_id, {})[quarter] = kept
    return out


def answers_by_survey(
    organisation_id: int, start: date, end: date
) -> dict[int, list[stats.Answers]]:
    """Every survey's answers received from `start` to `end`, in one query."""
    found: dict[int, list[stats.Answers]] = defaultdict(list)
    for survey_id, answers in Response.objects.filter(
        organisation_id=organisation_id, received_at__date__gte=start, received_at__date__lte=end
    ).values_list("survey_id", "answers"):
        found[survey_id].append(answers)
    return found

"""Staff screens for exit surveys: set-up with the embed snippet, and the results dashboard."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.catalogue.models import ServiceArea
from takeup.catalogue.queries import areas_of
from takeup.charts import bar_chart, time_chart
from takeup.core.downloads import csv_response
from takeup.forms import apply_errors
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import queries, reports, services, stats
from .forms import RuleForm, SurveyForm
from .models import Survey
from .questions import DEFAULT_QUESTIONS

EDIT = Permission.EDIT_SURVEYS


def _url(request: OrganisationRequest, name: str, **kw: Any) -> str:
    return reverse(f"insight:{name}", kwargs={"org": request.organisation.slug, **kw})


def _survey(request: OrganisationRequest, pk: int) -> Survey:
    return get_object_or_404(Survey, organisation=request.organisation, pk=pk)


@organisation_view()
def survey_list(request: OrganisationRequest) -> HttpResponse:
    surveys = queries.surveys_of(request.organisation)
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        require(request, EDIT)
        if form.is_valid():
            try:
                survey = services.survey_save(
                    organisation=request.organisation, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The survey was made. Copy its snippet to your site."))
                return redirect(_url(request, "survey", pk=survey.pk))
    return render(
        request,
        "insight/list.html",
        {"surveys": surveys, "form": form, "can_edit": can(request, EDIT)},
    )


@organisation_view()
def survey_detail(request: OrganisationRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    org = request.organisation
    form = SurveyForm(
        request.POST if request.POST.get("form") == "survey" else None,
        initial={
            "name": survey.name,
            "sampling_percent": survey.sampling_percent,
            "allowed_origins": "\n".join(survey.allowed_origins),
            "active": survey.active,
        },
    )
    rule_form = RuleForm(
        request.POST if request.POST.get("form") == "rule" else None, organisation=org
    )
    if request.method == "POST":
        require(request, EDIT)
        try:
            if form.is_bound and form.is_valid():
                services.survey_save(
                    organisation=org, survey=survey, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("The survey was saved."))
                return redirect(_url(request, "survey", pk=pk))
            if rule_form.is_bound and rule_form.is_valid():
                data = rule_form.cleaned_data
                services.rule_add(
                    survey=survey,
                    prefix=data["starts_with"],
                    service=data["service"],
                    area=data["area"],
                )
                messages.success(request, _("The pages were mapped."))
                return redirect(_url(request, "survey", pk=pk))
        except ValidationError as exc:
            apply_errors(form if form.is_bound else rule_form, exc)
    script = request.build_absolute_uri(static("insight/widget.js"))
    snippet = (
        f'<script src="{script}" data-survey="{survey.key}" '
        f'data-rate="{survey.sampling_percent}" data-lang="en" defer></script>'
    )
    return render(
        request,
        "insight/detail.html",
        {
            "survey": survey,
            "form": form,
            "rule_form": rule_form,
            "snippet": snippet,
            "hosted_url": request.build_absolute_uri(
                reverse("survey-page", kwargs={"key": survey.key})
            ),
            "can_edit": can(request, EDIT),
            "responses": survey.responses.count(),
        },
    )


def _period(request: OrganisationRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        return today - timedelta(days=91), today
    if not date(1900, 1, 1) <= start <= end <= date(2999, 12, 31):
        return today - timedelta(days=91), today
    return start, end


@organisation_view()
def results(request: OrganisationRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    areas = list(areas_of(request.organisation))
    start, end = _period(request)
    area_filter = next((a for a in areas if a.slug == request.GET.get("area")), None)
    rows = reports.rows_for(survey, start, end, area_filter.pk if area_filter else None)
    if request.GET.get("download") == "responses":
        return _responses_csv(survey, start, end, area_filter)
    compare = next(
        (a for a in areas if a.slug == request.GET.get("compare")),
        reports.default_comparison_area(rows, areas),
    )
    answers = [r.answers for r in rows]
    context: dict[str, Any] = {
        "survey": survey,
        "areas": areas,
        "area": area_filter,
        "compare": compare,
        "start": start,
        "end": end,
        "count": len(rows),
        "satisfaction": stats.satisfaction(answers),
        "completion": stats.completion(answers),
    }
    charts = []
    if compare is not None and rows:
        first_a, first_b, segments = reports.first_time_by_segment(rows, compare)
        context.update(first_a=first_a, first_b=first_b, segments=segments)
        context["flags"] = [
            w for w in (reports.segment_words(s, compare.name) for s in segments) if w
        ]
        records = [
            {"measure": str(reports.SEGMENT_LABELS[s.label]), "segment": name, "percent": value}
            for s in segments
            for name, value in (
                (compare.name, _pct(s.a.value)),
                (_("All other areas"), _pct(s.b.value)),
            )
        ]
        charts.append(
            bar_chart(
                id="segments",
                title=_("First-time visitors: %(area)s against all other areas")
                % {"area": compare.name},
                records=records,
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
    labels = {c.value: (c.cy if request.LANGUAGE_CODE == "cy" else c.en) for c in found_by.choices}
    context["found"] = [(labels[v], s) for v, s in found.items()]
    if answers:
        charts.append(
            bar_chart(
                id="found-by",
                title=_("How visitors found the site"),
                records=[{"how": labels[v], "percent": _pct(s.value)} for v, s in found.items()],
                category="how",
                value="percent",
                category_label=_("How"),
                value_label=_("Per cent of those who answered"),
                whole_numbers=False,
            )
        )
        charts.append(
            time_chart(
                id="monthly",
                title=_("Responses and satisfaction each month"),
                description=_(
                    "Satisfaction each whole month of the period; a month it covers only in "
                    "part is left out."
                ),
                records=reports.monthly(rows, start, end),
                time="month",
                value="satisfaction",
                time_label=_("Month"),
                value_label=_("Satisfied or very satisfied (%)"),
                percent=True,
            )
        )
    length = end - start
    earlier = reports.rows_for(
        survey,
        start - length - timedelta(days=1),
        start - timedelta(days=1),
        area_filter.pk if area_filter else None,
    )
    context["others"] = reports.other_comparisons(rows, earlier) if rows else []
    costs = reports.unit_costs(survey)
    # The period's real visits when the ledger has them, else per 1,000 visits (and it says so)
    visits = reports.visits(survey, start, end, area_filter.pk if area_filter else None)
    context["avoided"] = stats.avoided_contacts(answers, 1000 if visits is None else visits, costs)
    context["avoided_visits"] = visits
    query = request.GET.get("q", "").strip()[:100]
    # What each visitor came to do and what they wrote, newest first, searched together.
    comments = [
        (r.received_at, r.answers.get("reason", ""), r.answers.get("comments", ""))
        for r in sorted(rows, key=lambda r: r.received_at, reverse=True)
        if (r.answers.get("comments") or r.answers.get("reason"))
        and query.casefold()
        in f"{r.answers.get('reason', '')} {r.answers.get('comments', '')}".casefold()
    ]
    context.update(charts=charts, comments=comments[:100], comment_count=len(comments), q=query)
    return render(request, "insight/results.html", context)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _responses_csv(
    survey: Survey, start: date, end: date, area: ServiceArea | None
) -> HttpResponse:
    """The anonymised answers: the day (not the time), where, and what was answered."""
    keys = list(survey.questions.values_list("key", flat=True))
    rows = []
    for r in queries.responses_in(survey, start, end, area):
        values = [
            ";".join(v) if isinstance(v, list) else v for v in (r.answers.get(k, "") for k in keys)
        ]
        rows.append(
            (
                r.received_at.date().isoformat(),
                r.area.name if r.area else "",
                r.service.name if r.service else "",
                r.path,
                r.arrived_by,
                r.device,
                r.language,
                *values,
            )
        )
    columns = [
        "date",
        "service_area",
        "service",
        "path",
        "arrived_by",
        "device",
        "language",
        *keys,
    ]
    return csv_response(f"survey-{survey.pk}-responses", columns, rows)

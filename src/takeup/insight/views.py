"""Staff screens for exit surveys: set-up with the embed snippet, and the results dashboard."""

from dataclasses import fields
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
from django.views.decorators.http import require_POST

from takeup.catalogue.models import ServiceArea
from takeup.catalogue.queries import areas_of
from takeup.core.downloads import csv_response
from takeup.forms import apply_errors
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import queries, reports, services
from .forms import QuestionForm, RuleForm, SurveyForm
from .models import Survey

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
            "responses": queries.response_count(survey),
            "questions": queries.questions_of(survey),
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
    if request.GET.get("download") == "responses":
        return _responses_csv(survey, start, end, area_filter)
    page = reports.results_page(
        survey,
        areas,
        start,
        end,
        area=area_filter,
        compare_slug=request.GET.get("compare", ""),
        query=request.GET.get("q", "").strip()[:100],
        welsh=request.LANGUAGE_CODE == "cy",
    )
    return render(
        request,
        "insight/results.html",
        {
            **{f.name: getattr(page, f.name) for f in fields(page)},
            **page.comparison,
            "survey": survey,
            "areas": areas,
            "area": area_filter,
            "start": start,
            "end": end,
        },
    )


def _responses_csv(
    survey: Survey, start: date, end: date, area: ServiceArea | None
) -> HttpResponse:
    """The anonymised answers: the day (not the time), where, and what was answered."""
    keys = list(queries.questions_of(survey).values_list("key", flat=True))
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
                ";".join(f"{k}:{v}" for k, v in sorted(r.versions.items())),
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
        "question_versions",
        *keys,
    ]
    return csv_response(f"survey-{survey.pk}-responses", columns, rows)


@organisation_view(EDIT)
def question_edit(request: OrganisationRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = queries.question_of(survey, question_pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_change(
                question=question,
                actor=request.user,
                required=data["required"],
                choice_labels=form.labels(),
                **{name: data[name] for name in services.QUESTION_TEXTS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The question was saved. Answers already given keep the wording they had."),
            )
            return redirect(_url(request, "survey", pk=pk))
    return render(
        request,
        "forms/page.html",
        {
            "form": form,
            "title": _("Change a question"),
            "caption": survey.name,
            "cancel_url": _url(request, "survey", pk=pk),
        },
    )


@require_POST
@organisation_view(EDIT)
def question_move(request: OrganisationRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    services.question_move(
        question=queries.question_of(survey, question_pk),
        up=request.POST.get("direction") == "up",
        actor=request.user,
    )
    return redirect(_url(request, "survey", pk=pk) + "#questions")

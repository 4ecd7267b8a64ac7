"""Staff screens for campaigns: the register, tracked links and QR codes, arrivals, estimates,
planning and notes."""

import io
from dataclasses import fields
from html import escape
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.catalogue.models import Service
from takeup.catalogue.queries import services_by_slug
from takeup.core.downloads import csv_response
from takeup.forms import apply_errors, form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import effect, estimates, queries, reports, services
from .csvimport import parse_campaigns
from .forms import (
    ActivityForm,
    AnnotationForm,
    CampaignForm,
    CampaignUploadForm,
    EstimateForm,
    LearntForm,
    PlanForm,
)
from .models import Activity, Annotation, Campaign, EffectEstimate, EstimateRun, Medium
from .qrprint import png_with_caption
from .sharing import report_pdf_response

EDIT = Permission.EDIT_CAMPAIGNS
SENT_TO_A_LIST = (Medium.TEXT, Medium.LETTER, Medium.NEWSLETTER)


def _url(request: OrganisationRequest, name: str, **kwargs: Any) -> str:
    return reverse(f"campaigns:{name}", kwargs={"org": request.organisation.slug, **kwargs})


def _campaign(request: OrganisationRequest, pk: int) -> Campaign:
    return queries.campaign_of(request.organisation, pk)


def _activity(request: OrganisationRequest, pk: int) -> Activity:
    return queries.activity_of(request.organisation, pk)


def short_url(request: OrganisationRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("go", kwargs={"code": code}))


def _pounds(pence: int | float | None) -> str:
    return "" if pence is None else f"{pence / 100:.2f}"


@organisation_view()
def campaign_list(request: OrganisationRequest) -> HttpResponse:
    rows = queries.campaign_rows(list(queries.campaigns_for(request.organisation)))
    if request.GET.get("download") == "comparison":
        return _comparison_csv(rows)
    return render(
        request,
        "campaigns/list.html",
        {"rows": rows, "can_edit": can(request, EDIT)},
    )


def _comparison_csv(rows: list[queries.CampaignRow]) -> HttpResponse:
    columns = [
        "campaign",
        "phase",
        "follows",
        "activity",
        "service",
        "start",
        "end",
        "cost_pounds",
        "arrivals",
        "uplift",
        "uplift_lower",
        "uplift_upper",
        "p_value",
        "cost_per_extra_transaction_pounds",
    ]
    out: list[tuple[object, ...]] = []

    def line(row: queries.CampaignRow, what: str, e: EffectEstimate | None, **kw: Any) -> None:
        cost = (e.result.get("cost_per") or [None])[0] if e else None
        out.append(
            (
                row.campaign.name,
                row.campaign.phase,
                row.campaign.parent.name if row.campaign.parent else "",
                what,
                e.service.name if e else "",
                kw["start"],
                kw["end"],
                _pounds(kw["cost"]),
                kw["arrivals"],
                round(e.effect) if e else "",
                round(e.effect_lower) if e else "",
                round(e.effect_upper) if e else "",
                round(e.p_value, 4) if e else "",
                _pounds(cost),
            )
        )

    for row in rows:
        c = row.campaign
        shown: list[EffectEstimate | None] = [*row.estimates] or [None]
        for e in shown:
            line(
                row,
                "",
                e,
                start=c.starts_on,
                end=c.ends_on,
                cost=row.cost_pence,
                arrivals=row.arrivals,
            )
        for a in row.activities:
            act = a.activity
            line(
                row,
                str(act),
                a.estimate,
                start=act.starts_on,
                end=act.ends_on,
                cost=act.cost_pence,
                arrivals=a.arrivals,
            )
    return csv_response("campaign-comparison", columns, out)


@organisation_view(EDIT)
def campaign_add(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    return form_page(
        request,
        CampaignForm(request.POST or None, organisation=org),
        title=_("Add a campaign"),
        save=lambda services, **data: services_save(request, None, services, data),
        next_url=lambda c: _url(request, "campaign", pk=c.pk),
        done=_("“%(name)s” was added. Now add its activities."),
        cancel_url=_url(request, "list"),
    )


def services_save(
    request: OrganisationRequest, campaign: Campaign | None, chosen: Any, data: dict[str, Any]
) -> Campaign:
    return services.campaign_save(
        organisation=request.organisation,
        campaign=campaign,
        services=list(chosen),
        actor=request.user,
        **data,
    )


@organisation_view(EDIT)
def campaign_edit(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return form_page(
        request,
        CampaignForm(request.POST or None, organisation=request.organisation, campaign=campaign),
        title=_("Change a campaign"),
        caption=campaign.name,
        save=lambda services, **data: services_save(request, campaign, services, data),
        next_url=lambda c: _url(request, "campaign", pk=c.pk),
        done=_("“%(name)s” was saved."),
        cancel_url=_url(request, "campaign", pk=pk),
    )


@organisation_view()
def campaign_detail(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    page = reports.campaign_page(request.organisation, campaign, csv_url=request.path)
    download = request.GET.get("download", "")
    if download:
        table = page.download(download)
        if table is not None:
            return csv_response(f"{download}-{campaign.pk}", *table)
    run = page.run
    return render(
        request,
        "campaigns/detail.html",
        {
            **{f.name: getattr(page, f.name) for f in fields(page)},
            "run_active": run is not None
            and run.status in (EstimateRun.Status.QUEUED, EstimateRun.Status.RUNNING),
            "estimate_form": EstimateForm(),
            "can_edit": can(request, EDIT),
            "short_urls": {
                a.activity.pk: short_url(request, a.activity.link.vanity or a.activity.link.code)
                for a in page.row.activities
                if hasattr(a.activity, "link")
            },
            "beside": _beside(request, [a.activity for a in page.row.activities]),
        },
    )


def _beside(request: OrganisationRequest, activities: list[Activity]) -> list[dict[str, Any]]:
    """What later apps show for the activities they act for (TAKEUP_ACTIVITY_BESIDE): alerts'
    sends to a list, for texts, letters and email newsletters."""
    sendable = [a for a in activities if a.medium in SENT_TO_A_LIST]
    if not sendable:
        return []
    found: dict[int, list[dict[str, Any]]] = {}
    for name in settings.TAKEUP_ACTIVITY_BESIDE:
        for pk, shown in import_string(name)(request.organisation, sendable).items():
            found.setdefault(pk, []).append(shown)
    return [shown for a in sendable for shown in found.get(a.pk, [])]


@organisation_view(EDIT)
def activity_add(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return form_page(
        request,
        ActivityForm(request.POST or None, campaign=campaign),
        title=_("Add an activity"),
        caption=campaign.name,
        save=lambda link_service, vanity, to_sign_up, **data: services.activity_save(
            organisation=request.organisation,
            campaign=campaign,
            link_service=link_service,
            vanity=vanity or None,
            to_sign_up=to_sign_up,
            actor=request.user,
            **data,
        ),
        next_url=lambda a: _url(request, "campaign", pk=pk),
        done=_("“%(name)s” was added, with its tracked link and QR code."),
        cancel_url=_url(request, "campaign", pk=pk),
    )


@organisation_view(EDIT)
def activity_edit(request: OrganisationRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    link = getattr(activity, "link", None)
    initial = {f: getattr(activity, f) for f in services.ACTIVITY_FIELDS}
    if link is not None:
        initial.update(
            link_service=link.service,
            vanity=link.vanity or "",
            to_sign_up=services.own_page(link.destination),
        )
    return form_page(
        request,
        ActivityForm(request.POST or None, campaign=activity.campaign, initial=initial),
        title=_("Change an activity"),
        caption=activity.campaign.name,
        save=lambda link_service, vanity, to_sign_up, **data: services.activity_save(
            organisation=request.organisation,
            campaign=activity.campaign,
            activity=activity,
            link_service=link_service,
            vanity=vanity,
            to_sign_up=to_sign_up,
            actor=request.user,
            **data,
        ),
        next_url=lambda a: _url(request, "campaign", pk=activity.campaign_id),
        done=_("“%(name)s” was saved."),
        cancel_url=_url(request, "campaign", pk=activity.campaign_id),
    )


QR_KINDS = ("svg", "png")


@organisation_view()
def activity_qr(request: OrganisationRequest, pk: int, kind: str) -> HttpResponse:
    """The activity's QR code, with the short address printed under it for people to type."""
    if kind not in QR_KINDS:
        raise Http404
    activity = _activity(request, pk)
    link = getattr(activity, "link", None)
    if link is None:
        raise Http404
    address = short_url(request, link.vanity or link.code)
    qr = segno.make(f"{address}?qr", error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=4, title=address)
        svg = buffer.getvalue().decode()
        width, height = qr.symbol_size(scale=8, border=4)
        caption = (
            f'<text x="{width / 2}" y="{height + 18}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="16">{escape(address)}</text></svg>'
        )
        svg = svg.replace(f'height="{height}"', f'height="{height + 28}"', 1)
        svg = svg.replace(
            f'viewBox="0 0 {width} {height}"', f'viewBox="0 0 {width} {height + 28}"', 1
        ).replace("</svg>", caption)
        response = HttpResponse(svg, content_type="image/svg+xml")
    else:
        response = HttpResponse(png_with_caption(qr, address), content_type="image/png")
    filename = f"qr-{link.vanity or link.code}.{kind}"
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_POST
@organisation_view(EDIT)
def estimate_start(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = EstimateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_url(request, "campaign", pk=pk))
    estimates.run_start(
        campaign=campaign, after_days=form.cleaned_data["after_days"], actor=request.user
    )
    messages.success(request, _("The estimate has started. This page shows its progress."))
    return redirect(_url(request, "campaign", pk=pk) + "#estimate")


@organisation_view()
def run_status(request: OrganisationRequest, pk: int) -> HttpResponse:
    """The progress of the latest run, for htmx to poll."""
    campaign = _campaign(request, pk)
    run = campaign.runs.first()
    active = run is not None and run.status in (
        EstimateRun.Status.QUEUED,
        EstimateRun.Status.RUNNING,
    )
    response = render(
        request, "campaigns/_run.html", {"campaign": campaign, "run": run, "run_active": active}
    )
    if run is not None and not active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the estimates are ready: show them
    return response


@organisation_view()
def plan(request: OrganisationRequest) -> HttpResponse:
    """How small an effect could a campaign of this length show, from the service's history?"""
    form = PlanForm(request.GET or None, organisation=request.organisation)
    result = None
    if request.GET and form.is_valid():
        service: Service = form.cleaned_data["service"]
        length = form.cleaned_data["length_days"]
        try:
            result = estimates.plan(service, length)
        except effect.EffectError as exc:
            form.add_error(None, str(exc))
    return render(request, "campaigns/plan.html", {"form": form, "result": result})


@organisation_view(EDIT)
def campaign_import(request: OrganisationRequest) -> HttpResponse:
    form = CampaignUploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        media = {v.casefold(): v for v in Medium.values}
        media |= {str(label).casefold(): v for v, label in Medium.choices}
        parsed = parse_campaigns(form.cleaned_data["file"].read(), media)
        row_errors = list(parsed.errors)
        if parsed.ok:
            try:
                made, acts = services.campaigns_import(
                    organisation=request.organisation, parsed=parsed, actor=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(c)s campaigns and %(a)s activities were loaded.") % {"c": made, "a": acts},
                )
                return redirect(_url(request, "list"))
        else:
            form.add_error(
                "file", _("The file has errors. Nothing was loaded: fix them and try again.")
            )
    return render(request, "campaigns/import.html", {"form": form, "row_errors": row_errors})


@organisation_view()
def notes(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    initial: dict[str, Any] = {k: v for k, v in request.GET.items() if k in ("starts_on", "text")}
    if request.GET.get("service"):
        initial["services"] = services_by_slug(org, [request.GET["service"]])
    form = AnnotationForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST":
        require(request, EDIT)
        if form.is_valid():
            try:
                services.annotation_save(
                    organisation=org,
                    services=list(form.cleaned_data["services"]),
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    text=form.cleaned_data["text"],
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The note was added to the charts."))
                return redirect(_url(request, "notes"))
    return render(
        request,
        "campaigns/notes.html",
        {
            "form": form,
            "notes": queries.notes_of(org),
            "can_edit": can(request, EDIT),
        },
    )


@require_POST
@organisation_view(EDIT)
def note_delete(request: OrganisationRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Annotation, organisation=request.organisation, pk=pk)
    services.annotation_delete(annotation=note, actor=request.user)
    messages.success(request, _("The note was removed."))
    return redirect(_url(request, "notes"))


# --- the evaluation report -------------------------------------------------------------------


@organisation_view()
def report(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    can_edit = can(request, EDIT)
    shares = [
        {
            "pk": s.pk,
            "created_at": s.created_at,
            "revoked_at": s.revoked_at,
            "url": request.build_absolute_uri(
                reverse("campaign-report-shared", kwargs={"token": services.share_token(s)})
            ),
        }
        for s in (queries.shares_of(campaign) if can_edit else [])
    ]
    return render(
        request,
        "campaigns/report.html",
        {
            "report": reports.evaluation_report(
                request.organisation,
                campaign,
                csv_url=reverse(
                    "campaigns:campaign", kwargs={"org": request.organisation.slug, "pk": pk}
                ),
            ),
            "report_organisation": request.organisation,
            "staff": True,
            "can_edit": can_edit,
            "learnt_form": LearntForm(initial={"learnt": campaign.learnt}),
            "shares": shares,
            "pdf_url": reverse(
                "campaigns:report-pdf", kwargs={"org": request.organisation.slug, "pk": pk}
            ),
        },
    )


@organisation_view()
def report_pdf(request: OrganisationRequest, pk: int) -> HttpResponse:
    return report_pdf_response(request.organisation, _campaign(request, pk))


@require_POST
@organisation_view(EDIT)
def learnt(request: OrganisationRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = LearntForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["learnt"]))
    else:
        services.learnt_save(campaign, form.cleaned_data["learnt"], request.user)
        messages.success(request, _("What we learnt is saved."))
    return redirect("campaigns:report", org=request.organisation.slug, pk=pk)


@require_POST
@organisation_view(EDIT)
def report_share(request: OrganisationRequest, pk: int) -> HttpResponse:
    services.share_create(_campaign(request, pk), request.user)
    messages.success(request, _("The link is made. Anyone who has it can read the report."))
    return redirect("campaigns:report", org=request.organisation.slug, pk=pk)


@require_POST
@organisation_view(EDIT)
def report_revoke(request: OrganisationRequest, pk: int, share: int) -> HttpResponse:
    found = queries.share_of(_campaign(request, pk), share)
    services.share_revoke(found, request.user)
    messages.success(request, _("The link is withdrawn: it no longer opens the report."))
    return redirect("campaigns:report", org=request.organisation.slug, pk=pk)

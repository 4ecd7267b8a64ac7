"""Take-up dashboard pages and the upload screens."""

from dataclasses import dataclass, fields, replace
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.catalogue.models import Service
from takeup.catalogue.queries import areas_of, service_of, services_of
from takeup.core.dbrouting import reads_from_primary
from takeup.core.downloads import csv_response
from takeup.forms import apply_errors
from takeup.organisations.access import OrganisationRequest, can, organisation_view
from takeup.organisations.roles import Permission
from takeup.templatetags.takeup import MINUS, money_text

from . import batches, periods, services
from .forms import DataSourceForm, MappingForm, SourceProfileForm, UploadForm
from .matching import group_errors
from .models import ImportBatch, ServiceForecast
from .profile import Profile
from .queries import (
    ChannelFlags,
    batch_of,
    forecasts_of,
    latest_date,
    recent_batches,
    source_of,
    sources_of,
)
from .reports import (
    ServiceFigures,
    organisation_totals,
    percent_text,
    service_figures,
    service_page_report,
    sparkline_label,
    sparkline_svg_points,
    target_gap_of,
)
from .saving import TargetGap


def _date(text: str | None) -> date | None:
    """A date from the address, if it is one in a sensible range; else None (the default)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and periods.EARLIEST <= day <= periods.LATEST else None


def _period(request: HttpRequest, latest: date) -> tuple[str, periods.Range, periods.Range]:
    kind = request.GET.get("period", "quarter")
    kind = kind if kind in periods.KINDS else "quarter"
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if kind == "custom" and start and end:
        period = periods.resolve("custom", latest, start, end)
    else:
        kind = "quarter" if kind == "custom" else kind
        period = periods.last_complete(kind, latest)
    b_start, b_end = _date(request.GET.get("baseline_from")), _date(request.GET.get("baseline_to"))
    baseline = (
        periods.Range(min(b_start, b_end), max(b_start, b_end))
        if b_start and b_end
        else period.year_earlier()
    )
    return kind, period, baseline


def _saving_cells(r: ServiceFigures) -> tuple[str, ...]:
    """The saving, its interval, cashable and capacity freed, in pounds, for the CSV."""
    if r.saving is None:
        return ("", "", "", "", "")
    s = r.saving
    money_figures = (s.total.pence, s.total.lower, s.total.upper, s.cashable.pence)
    return (*(f"{p / 100:.2f}" for p in money_figures), f"{s.capacity.pence / 100:.2f}")


@dataclass(frozen=True)
class OverviewRow:
    """One service's line of the overview, its figures already written out: a council may have
    hundreds of services, and formatting in the template is the slow part of the page."""

    figures: ServiceFigures
    url: str
    transactions: str
    online: str
    take_up: str
    change: str
    saving: str
    saving_interval: str
    phone_change: str
    points: str
    label: str
    forecast: ServiceForecast | None = None
    target_gap: TargetGap | None = None


def _phone_change(r: ServiceFigures, flags: ChannelFlags) -> float | None:
    """The change in phone contacts (or phone transactions, where no contacts are reported)
    against the baseline, scaled to the period's length."""
    phone = next((c for c, slug in flags.slugs.items() if slug == "phone"), None)
    found = r.saving.channel(phone) if r.saving and phone is not None else None
    return found.change if found else None


def _overview_row(
    r: ServiceFigures, service_url: str, query: str, flags: ChannelFlags
) -> OverviewRow:
    percent, change = r.take_up.percent, r.change_points
    phone = _phone_change(r, flags)
    return OverviewRow(
        figures=r,
        url=service_url.replace("__slug__", r.service.slug) + (f"?{query}" if query else ""),
        transactions=f"{r.take_up.whole:,}",
        online=f"{r.take_up.part:,}",
        take_up="" if percent is None else f"{percent:.1f}%",
        change="" if change is None else f"{change:+.1f}".replace("-", MINUS),
        saving="" if r.saving is None else money_text(r.saving.total.pence, whole=True),
        saving_interval=""
        if r.saving is None
        else f"{money_text(r.saving.total.lower, whole=True)} {_('to')} "
        f"{money_text(r.saving.total.upper, whole=True)}",
        phone_change="" if phone is None else f"{phone * 100:+.1f}%".replace("-", MINUS),
        points=sparkline_svg_points(r.sparkline),
        label=sparkline_label(r.sparkline),
    )


@organisation_view()
def overview(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    last_figure = latest_date(org)
    kind, period, baseline = _period(request, last_figure or timezone.localdate())
    area, service_kind = request.GET.get("area", ""), request.GET.get("kind", "")
    service_list = list(services_of(org, area=area, kind=service_kind))
    flags = ChannelFlags.of(org)
    rows = service_figures(org, service_list, period, baseline, flags=flags)
    sort = request.GET.get("sort", "area")
    keys = {
        "name": lambda r: r.service.name.lower(),
        "take-up": lambda r: -(r.take_up.percent if r.take_up.percent is not None else -1),
        "change": lambda r: -(r.change_points if r.change_points is not None else -1000),
        "saving": lambda r: -(r.saving.total.pence if r.saving else 0),
        "transactions": lambda r: -r.take_up.whole,
    }
    if sort in keys:
        rows.sort(key=keys[sort])
    totals = organisation_totals(rows, flags)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"{org.slug}-take-up-{period.start}-{period.end}",
            [
                _("service"),
                _("service area"),
                _("transactions"),
                _("digital"),
                _("digital take-up %"),
                _("baseline take-up %"),
                _("change (points)"),
                _("cost (£)"),
                _("cost leaves out"),
                _("saving (£)"),
                _("saving lower (£)"),
                _("saving upper (£)"),
                _("cashable (£)"),
                _("capacity freed (£)"),
                _("saving leaves out"),
                _("phone contacts change %"),
            ],
            [
                (
                    r.service.name,
                    r.service.area.name,
                    r.take_up.whole,
                    r.take_up.part,
                    percent_text(r.take_up.percent),
                    percent_text(r.baseline_take_up.percent),
                    percent_text(r.change_points),
                    f"{r.cost.pence / 100:.2f}",
                    "; ".join(flags.named(r.cost.uncosted_channels)),
                    *_saving_cells(r),
                    "; ".join(flags.named(r.saving.left_out)) if r.saving else "",
                    percent_text(None if (p := _phone_change(r, flags)) is None else p * 100),
                )
                for r in rows
            ],
        )
    service_url = reverse("ledger:service", kwargs={"org": org.slug, "slug": "__slug__"})
    query = request.GET.urlencode()
    forecasts = forecasts_of(org)
    shown = [forecasts[r.service.pk].status for r in rows if r.service.pk in forecasts]
    return render(
        request,
        "ledger/overview.html",
        {
            "targets": [
                (label, shown.count(value))
                for value, label in ServiceForecast.Status.choices
                if value in shown
            ],
            "rows": [
                replace(
                    _overview_row(r, service_url, query, flags),
                    forecast=forecasts.get(r.service.pk),
                    target_gap=target_gap_of(r.service, forecasts.get(r.service.pk), r, period),
                )
                for r in rows
            ],
            "period": period,
            "baseline": baseline,
            "kind": kind,
            "sort": sort,
            "areas": areas_of(org, include_archived=False),
            "kinds": Service.Kind.choices,
            "filters": {"area": area, "kind": service_kind},
            "totals": totals,
            "any_public": any(s.public for s in service_list),
            "query": query,
            "has_data": last_figure is not None,
            "can_import": can(request, Permission.IMPORT_DATA),
            "engagement": [
                found
                for name in settings.TAKEUP_ENGAGEMENT
                if (found := import_string(name)(org, period.start, period.end, baseline.end))
                is not None
            ],
        },
    )


@organisation_view()
def service_page(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    service = service_of(org, slug)
    latest = latest_date(org) or timezone.localdate()
    kind, period, baseline = _period(request, latest)
    grain = "week" if request.GET.get("grain") == "week" else "month"
    base_url = request.path + "?" + request.GET.urlencode()
    page = service_page_report(
        org,
        service,
        period,
        baseline,
        grain=grain,
        csv_url=f"{base_url}{'&' if request.GET else ''}download=",
    )
    download = request.GET.get("download")
    if download:
        table = page.download(download)
        if table is not None:
            return csv_response(f"{service.slug}-{download}", *table)
    return render(
        request,
        "ledger/service.html",
        {
            **{f.name: getattr(page, f.name) for f in fields(page)},
            "service": service,
            "period": period,
            "baseline": baseline,
            "kind": kind,
            "grain": grain,
            "can_edit_costs": can(request, Permission.EDIT_CATALOGUE),
            "can_add_notes": can(request, Permission.EDIT_CAMPAIGNS),
            "beside_take_up": [
                found
                for name in settings.TAKEUP_SERVICE_BESIDE_TAKE_UP
                if (found := import_string(name)(service)) is not None
            ],
        },
    )


@organisation_view(Permission.IMPORT_DATA)
def upload(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    form = UploadForm(request.POST or None, request.FILES or None, organisation=org)
    # How the source's files are laid out, given with the file when it cannot be read otherwise.
    profile_form = SourceProfileForm(request.POST or None, prefix="profile")
    if getattr(request, "upload_too_large", False):
        form.add_error("file", form.too_large_message())
    profile_given = profile_form.is_bound and profile_form.has_changed()
    if (
        request.method == "POST"
        and form.is_valid()
        and (not profile_given or profile_form.is_valid())
    ):
        upload_file = form.cleaned_data["file"]
        profile = (
            {k: v for k, v in profile_form.cleaned_data["profile"].items() if v}
            if profile_given
            else None
        )
        try:
            batch = batches.batch_upload(
                organisation=org,
                source=form.cleaned_data["source"],
                new_source=form.cleaned_data["new_source"],
                data=upload_file.read(),
                file_name=upload_file.name,
                default_period=form.cleaned_data["period"],
                actor=request.user,
                profile=profile,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("ledger:batch", org=org.slug, pk=batch.pk)
    return render(
        request,
        "ledger/upload.html",
        {
            "form": form,
            "profile_form": profile_form,
            "profile_open": profile_given or "file" in form.errors,
            "batches": recent_batches(org),
        },
    )


ERRORS_SHOWN = 100


@reads_from_primary  # the preview must be exact
@organisation_view(Permission.IMPORT_DATA)
def batch_detail(request: OrganisationRequest, pk: int) -> HttpResponse:
    """A batch: being read, waiting for confirmation (with how it was read, kept from the one
    reading), or done. Nothing here reads the file."""
    org = request.organisation
    batch = batch_of(org, pk)
    reading = batch.reading or {}
    waiting = batch.status == ImportBatch.Status.PENDING and batch.content is not None
    grouped = group_errors(batch.errors)
    mapping_form = MappingForm(
        organisation=org,
        unknown_services=reading.get("unknown_services", []) if waiting else [],
        unknown_channels=reading.get("unknown_channels", []) if waiting else [],
        unknown_measures=reading.get("unknown_measures", []) if waiting else [],
        data=request.POST or None,
    )
    profile_form = SourceProfileForm(
        request.POST if request.POST.get("action") == "profile" else None,
        instance=batch.source,
        prefix="profile",
    )
    if request.method == "POST" and waiting:
        if request.POST.get("action") == "profile":
            if profile_form.is_valid():
                services.source_profile_save(
                    source=batch.source,
                    clear=True,
                    actor=request.user,
                    **profile_form.cleaned_data["profile"],
                )
                batches.batch_check(batch=batch)
                messages.success(request, _("The file was read again with the changed settings."))
                return redirect("ledger:batch", org=org.slug, pk=batch.pk)
        else:
            return _batch_action(request, batch, mapping_form)
    return render(
        request,
        "ledger/batch.html",
        {
            "batch": batch,
            "reading": reading if waiting else {},
            "busy": batch.status in (ImportBatch.Status.READING, ImportBatch.Status.IMPORTING),
            "mapping_form": mapping_form,
            "profile_form": profile_form if waiting else None,
            "grouped_errors": grouped[:ERRORS_SHOWN],
            "more_errors": max(0, len(grouped) - ERRORS_SHOWN),
            "profile": Profile.of(batch.source.profile).describe(),
        },
    )


def _batch_action(
    request: OrganisationRequest, batch: ImportBatch, mapping_form: MappingForm
) -> HttpResponse:
    org = request.organisation
    action = request.POST.get("action")
    if action == "cancel":
        services.batch_cancel(batch=batch, actor=request.user)
        messages.success(request, _("The import was cancelled; nothing was saved."))
        return redirect("ledger:upload", org=org.slug)
    if action == "map" and mapping_form.is_valid():
        for kind, name, target in mapping_form.mappings():
            services.mapping_save(
                source=batch.source,
                kind=kind,
                source_name=name,
                actor=request.user,
                **{kind: target},
            )
        batches.batch_check(batch=batch)
    if action in {"import", "import-valid"}:
        try:
            result = batches.batch_import(
                batch=batch, only_valid=action == "import-valid", actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except services.ImportBusy as exc:
            messages.error(request, str(exc))
        else:
            if result.status == ImportBatch.Status.APPLIED:
                messages.success(
                    request,
                    _("Imported %(rows)d rows; %(replaced)d earlier figures were replaced.")
                    % {"rows": result.rows_accepted, "replaced": result.rows_replaced},
                )
    return redirect("ledger:batch", org=org.slug, pk=batch.pk)


@reads_from_primary  # progress the worker has just written
@organisation_view(Permission.IMPORT_DATA)
def batch_status(request: OrganisationRequest, pk: int) -> HttpResponse:
    """A big file's progress, for htmx to poll; when it is done the page reloads."""
    batch = get_object_or_404(ImportBatch, organisation=request.organisation, pk=pk)
    busy = batch.status in (ImportBatch.Status.READING, ImportBatch.Status.IMPORTING)
    response = render(request, "ledger/_batch_status.html", {"batch": batch, "busy": busy})
    if not busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@organisation_view()
def sources(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "ledger/sources.html",
        {
            "sources": sources_of(request.organisation),
            "can_import": can(request, Permission.IMPORT_DATA),
            "can_delete": can(request, Permission.MANAGE_ORGANISATION),
        },
    )


@require_POST
@organisation_view(Permission.MANAGE_ORGANISATION)
def source_delete(request: OrganisationRequest, slug: str) -> HttpResponse:
    source = source_of(request.organisation, slug)
    try:
        services.data_source_delete(source=source, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” was deleted.") % {"name": source.name})
    return redirect("ledger:sources", org=request.organisation.slug)


@organisation_view(Permission.IMPORT_DATA)
def source_edit(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    source = source_of(org, slug)
    form = DataSourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "expected_interval", "priority")}
        try:
            services.data_source_save(
                organisation=org,
                source=source,
                actor=request.user,
                profile=form.cleaned_data["profile"],
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” was saved.") % {"name": source.name})
            return redirect("ledger:sources", org=org.slug)
    return render(
        request,
        "forms/page.html",
        {
            "form": form,
            "title": _("Change a data source"),
            "caption": source.name,
            "cancel_url": reverse("ledger:sources", kwargs={"org": org.slug}),
        },
    )

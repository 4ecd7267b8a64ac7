"""Staff screens for the service catalogue: services, service areas, channels and unit costs."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.core.csvsafe import SafeWriter
from takeup.forms import form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view
from takeup.organisations.roles import Permission

from . import queries, services
from .csvimport import parse_catalogue
from .forms import CatalogueUploadForm, ChannelForm, ServiceAreaForm, ServiceForm, UnitCostForm
from .models import Service

EDIT = Permission.EDIT_CATALOGUE


def _url(request: OrganisationRequest, name: str, **kwargs: Any) -> str:
    return reverse(f"catalogue:{name}", kwargs={"org": request.organisation.slug, **kwargs})


@organisation_view()
def service_list(request: OrganisationRequest) -> HttpResponse:
    filters = {
        "area": request.GET.get("area", ""),
        "kind": request.GET.get("kind", ""),
        "search": request.GET.get("q", "").strip(),
        "include_archived": request.GET.get("archived") == "1",
    }
    service_rows = queries.services_of(
        request.organisation,
        area=str(filters["area"]),
        kind=str(filters["kind"]),
        search=str(filters["search"]),
        include_archived=bool(filters["include_archived"]),
    )
    if request.GET.get("format") == "csv":
        return _catalogue_csv(request, service_rows)
    return render(
        request,
        "catalogue/service_list.html",
        {
            "services": service_rows,
            "filters": filters,
            "areas": queries.areas_of(request.organisation, include_archived=False),
            "kinds": Service.Kind.choices,
            "can_edit": can(request, EDIT),
            "csv_query": request.GET.urlencode(),
        },
    )


def _catalogue_csv(request: OrganisationRequest, rows: Any) -> HttpResponse:
    """The catalogue in the same columns the import reads, so it can be edited and loaded back."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{request.organisation.slug}-services.csv"'
    )
    writer = SafeWriter(response)
    writer.writerow(
        [
            "name",
            "slug",
            "area",
            "kind",
            "online_url",
            "online_since",
            "online_only_since",
            "target_percent",
            "target_date",
            "public",
            "active",
            "lgsl",
        ]
    )
    for s in rows:
        writer.writerow(
            [
                s.name,
                s.slug,
                s.area.name,
                s.get_kind_display(),
                s.online_url,
                s.online_since or "",
                s.online_only_since or "",
                s.target_percent or "",
                s.target_date or "",
                "yes" if s.public else "no",
                "yes" if s.active else "no",
                s.lgsl or "",
            ]
        )
    return response


@organisation_view()
def service_detail(request: OrganisationRequest, slug: str) -> HttpResponse:
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "service": queries.service_of(request.organisation, slug),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view(EDIT)
def service_add(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    return form_page(
        request,
        ServiceForm(request.POST or None, organisation=org),
        title=_("Add a service"),
        save=lambda **data: services.service_save(organisation=org, actor=request.user, **data),
        next_url=lambda s: _url(request, "services"),
        done=_("“%(name)s” was added."),
        cancel_url=_url(request, "services"),
    )


@organisation_view(EDIT)
def service_edit(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    service = queries.service_of(org, slug)
    return form_page(
        request,
        ServiceForm(request.POST or None, instance=service, organisation=org),
        title=_("Change a service"),
        caption=service.name,
        save=lambda **data: services.service_save(
            organisation=org, service=service, actor=request.user, **data
        ),
        next_url=lambda s: _url(request, "service", slug=slug),
        done=_("“%(name)s” was saved."),
        cancel_url=_url(request, "service", slug=slug),
    )


@require_POST
@organisation_view(EDIT)
def service_archive(request: OrganisationRequest, slug: str) -> HttpResponse:
    service = queries.service_of(request.organisation, slug)
    restore = request.POST.get("restore") == "1"
    services.service_save(
        organisation=request.organisation, service=service, actor=request.user, active=restore
    )
    done = _("“%(name)s” was restored.") if restore else _("“%(name)s” was archived.")
    messages.success(request, done % {"name": service.name})
    return redirect(_url(request, "service", slug=slug))


@organisation_view()
def area_list(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/area_list.html",
        {
            "areas": queries.areas_of(request.organisation),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view(EDIT)
def area_add(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    return form_page(
        request,
        ServiceAreaForm(request.POST or None, initial={"active": True}),
        title=_("Add a service area"),
        save=lambda **data: services.service_area_save(
            organisation=org, actor=request.user, **data
        ),
        next_url=lambda a: _url(request, "areas"),
        done=_("“%(name)s” was added."),
        cancel_url=_url(request, "areas"),
    )


@organisation_view(EDIT)
def area_edit(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    area = queries.area_of(org, slug)
    return form_page(
        request,
        ServiceAreaForm(request.POST or None, instance=area),
        title=_("Change a service area"),
        caption=area.name,
        save=lambda **data: services.service_area_save(
            organisation=org, area=area, actor=request.user, **data
        ),
        next_url=lambda a: _url(request, "areas"),
        done=_("“%(name)s” was saved."),
        cancel_url=_url(request, "areas"),
    )


@organisation_view()
def channel_list(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/channel_list.html",
        {
            "channels": queries.channels_of(request.organisation),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view(EDIT)
def channel_add(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    return form_page(
        request,
        ChannelForm(request.POST or None, initial={"active": True}),
        title=_("Add a channel"),
        save=lambda **data: services.channel_save(organisation=org, actor=request.user, **data),
        next_url=lambda c: _url(request, "channels"),
        done=_("“%(name)s” was added."),
        cancel_url=_url(request, "channels"),
    )


@organisation_view(EDIT)
def channel_edit(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    channel = queries.channel_of(org, slug)
    return form_page(
        request,
        ChannelForm(request.POST or None, instance=channel),
        title=_("Change a channel"),
        caption=channel.name,
        save=lambda **data: services.channel_save(
            organisation=org, channel=channel, actor=request.user, **data
        ),
        next_url=lambda c: _url(request, "channels"),
        done=_("“%(name)s” was saved."),
        cancel_url=_url(request, "channels"),
    )


@organisation_view()
def unit_cost_list(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/unit_cost_list.html",
        {
            "unit_costs": queries.unit_costs_of(request.organisation),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view(EDIT)
def unit_cost_add(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    return form_page(
        request,
        UnitCostForm(request.POST or None, organisation=org),
        title=_("Add a unit cost"),
        save=lambda **data: services.unit_cost_save(organisation=org, actor=request.user, **data),
        next_url=lambda c: _url(request, "unit-costs"),
        done=_("The unit cost for %(name)s was added."),
        cancel_url=_url(request, "unit-costs"),
    )


@organisation_view(EDIT)
def unit_cost_edit(request: OrganisationRequest, pk: int) -> HttpResponse:
    org = request.organisation
    unit_cost = queries.unit_cost_of(org, pk)
    if request.method == "POST" and "delete" in request.POST:
        services.unit_cost_delete(unit_cost=unit_cost, actor=request.user)
        messages.success(
            request, _("The unit cost for %(name)s was deleted.") % {"name": unit_cost}
        )
        return redirect(_url(request, "unit-costs"))
    return form_page(
        request,
        UnitCostForm(request.POST or None, instance=unit_cost, organisation=org),
        title=_("Change a unit cost"),
        caption=str(unit_cost),
        save=lambda **data: services.unit_cost_save(
            organisation=org, unit_cost=unit_cost, actor=request.user, **data
        ),
        next_url=lambda c: _url(request, "unit-costs"),
        done=_("The unit cost for %(name)s was saved."),
        cancel_url=_url(request, "unit-costs"),
    )


@organisation_view(EDIT)
def catalogue_import(request: OrganisationRequest) -> HttpResponse:
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = parse_catalogue(upload.read())
        try:
            result = services.catalogue_import(
                organisation=request.organisation,
                parsed=parsed,
                actor=request.user,
                file_name=upload.name,
            )
        except services.CatalogueRejected as rejected:
            errors = rejected.errors
            form.add_error(
                "file",
                _(
                    "The file has %(count)d problem(s), listed below. Nothing "
                    "was saved: correct the file and upload it again."
                )
                % {"count": len(errors)},
            )
        else:
            messages.success(
                request,
                _(
                    "Catalogue imported: %(created)d services added, %(updated)d updated, "
                    "%(areas)d new service areas."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "areas": result.areas_created,
                },
            )
            return redirect(_url(request, "services"))
    return render(request, "catalogue/import.html", {"form": form, "errors": errors})

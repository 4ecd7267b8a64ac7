from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.core.downloads import csv_response
from takeup.organisations.access import OrganisationRequest, organisation_view
from takeup.organisations.roles import Permission

from . import queries, services
from .models import Run
from .reports import CSV_COLUMNS, report_page, run_json, run_rows

RUNS_LISTED = 12


@organisation_view()
def report(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    page = report_page(org)
    return render(
        request,
        "webcheck/report.html",
        {
            "page": page,
            "run": page.latest,
            "runs": list(queries.runs_of(org)[:RUNS_LISTED]),
            "can_run": request.membership.role != "viewer",
            # Results other apps check beside the website's (the recorded phone messages).
            "beside": [import_string(name)(org) for name in settings.TAKEUP_WEBSITE_BESIDE],
        },
    )


@require_POST
@organisation_view(Permission.EDIT_CATALOGUE)
def run_start(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    try:
        services.run_start(organisation=org, actor=request.user)
    except services.NoWebsite:
        messages.error(
            request, _("Add the council's website address in the organisation's details first.")
        )
    else:
        messages.success(request, _("The check has started. This page shows its progress."))
    return redirect("webcheck:report", org=org.slug)


@organisation_view()
def progress(request: OrganisationRequest) -> HttpResponse:
    """The latest run's progress, for htmx to poll; the page reloads when it is done."""
    run = queries.latest_run(request.organisation)
    response = render(request, "webcheck/_progress.html", {"run": run})
    if run is not None and not run.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _run(request: OrganisationRequest, pk: int) -> Run:
    run = queries.run_of(request.organisation, pk)
    if run is None or run.status != Run.Status.DONE:
        raise Http404(_("There is no such finished check."))
    return run


@organisation_view()
def run_csv(request: OrganisationRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    rows: list[tuple[object, ...]] = [
        (r.id, r.question, r.result, r.url, r.evidence, r.cannot_see) for r in run_rows(run)
    ]
    return csv_response(
        f"{request.organisation.slug}-website-check-{run.created_at:%Y-%m-%d}",
        CSV_COLUMNS,
        rows,
    )


@organisation_view()
def run_download_json(request: OrganisationRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    response = JsonResponse(run_json(run), json_dumps_params={"indent": 2})
    name = f"{request.organisation.slug}-website-check-{run.created_at:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@organisation_view()
def league(request: OrganisationRequest) -> HttpResponse:
    """The installation's councils that share their figures, by their latest check's scores.
    Only a council that shares sees the others."""
    org = request.organisation
    return render(
        request,
        "webcheck/league.html",
        {"rows": queries.league_runs() if org.shares_figures else [], "shares": org.shares_figures},
    )

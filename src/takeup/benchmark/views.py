"""The comparison with other councils: a staff page and its CSV."""

from django.http import HttpResponse
from django.shortcuts import render

from takeup.core.downloads import csv_response
from takeup.organisations.access import OrganisationRequest, can, organisation_view
from takeup.organisations.roles import Permission

from .reports import CSV_COLUMNS, comparison_page, csv_rows
from .stats import MIN_PEERS


@organisation_view()
def comparison(request: OrganisationRequest) -> HttpResponse:
    page = comparison_page(request.organisation)
    if request.GET.get("format") == "csv":
        # The same machine-readable headings in either language, like the other downloads.
        return csv_response(f"{request.organisation.slug}-comparison", CSV_COLUMNS, csv_rows(page))
    return render(
        request,
        "benchmark/comparison.html",
        {
            "page": page,
            "can_share": can(request, Permission.MANAGE_ORGANISATION),
            "min_peers": MIN_PEERS,
        },
    )

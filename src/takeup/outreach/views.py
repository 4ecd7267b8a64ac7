"""Staff screens for outreach: the inclusion lead's summary, places, sessions, champions, pledges,
training, the neighbourhoods and their map, and each service's assisted-digital estimate."""

from django.http import HttpResponse
from django.shortcuts import render

from takeup.organisations.access import OrganisationRequest, organisation_view


@organisation_view()
def index(request: OrganisationRequest) -> HttpResponse:
    return render(request, "outreach/index.html", {})


# Neighbourhoods

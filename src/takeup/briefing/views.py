from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.ledger import periods
from takeup.ledger.queries import latest_covered_day
from takeup.organisations.access import OrganisationRequest, organisation_view

from . import queries, services
from .pdf import briefing_pdf
from .reports import briefing, landing

# Months offered on the briefing page, newest first.
MONTHS_LISTED = 12


def _month(text: str) -> date:
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise Http404(_("There is no such month.")) from None
    if not periods.EARLIEST <= month <= periods.LATEST:
        raise Http404(_("There is no such month."))
    return month


def _latest_month(request: OrganisationRequest) -> date:
    """The last whole month the figures cover (this month's start if there are none)."""
    latest = latest_covered_day(request.organisation.pk) or timezone.localdate()
    return periods.last_complete("month", latest).start


@organisation_view()
def organisation_home(request: OrganisationRequest) -> HttpResponse:
    """The organisation's front page: the last whole month at a glance, as the briefing has it."""
    org = request.organisation
    page = landing(org, _latest_month(request))
    return render(request, "briefing/home.html", {"page": page, "report": page.briefing})


@organisation_view()
def briefing_list(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    month = _latest_month(request)
    months = [month]
    for _i in range(MONTHS_LISTED - 1):
        months.append(periods.month(months[-1].replace(day=1) - timedelta(days=1)).start)
    user = request.user  # organisation_view lets only signed-in members through
    return render(
        request,
        "briefing/list.html",
        {
            "months": [(m, date_format(m, "F Y")) for m in months],
            "opted_in": queries.opted_in(org, user),
            "runs": queries.runs_of(org)[:12],
        },
    )


@require_POST
@organisation_view()
def opt_in(request: OrganisationRequest) -> HttpResponse:
    user = request.user
    wanted = request.POST.get("wanted") == "yes"
    services.opt_in_set(request.organisation, user, wanted)
    messages.success(
        request,
        _("You will get the briefing by email on the first working day of each month.")
        if wanted
        else _("You will no longer get the briefing by email."),
    )
    return redirect("briefing:list", org=request.organisation.slug)


@organisation_view()
def briefing_page(request: OrganisationRequest, month: str) -> HttpResponse:
    report = briefing(request.organisation, _month(month))
    return render(request, "briefing/briefing.html", {"report": report, "month": month})


@organisation_view()
def briefing_download(request: OrganisationRequest, month: str) -> HttpResponse:
    org = request.organisation
    report = briefing(org, _month(month))
    language = get_language() or "en"
    suffix = "" if language == "en" else f"-{language}"
    response = HttpResponse(briefing_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{org.slug}-briefing-{month}{suffix}.pdf"'
    )
    return response

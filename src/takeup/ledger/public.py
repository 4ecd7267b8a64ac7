"""Public performance pages and their open data, for services whose council opts in: digital
take-up, cost per transaction and transactions per quarter, in the spirit of the retired GOV.UK
performance platform. No sign-in; the JSON and CSV allow cross-origin GETs."""

import json
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from takeup.catalogue.models import Service
from takeup.catalogue.queries import public_service
from takeup.charts import time_chart
from takeup.core.csvsafe import SafeWriter
from takeup.organisations.models import Organisation
from takeup.organisations.services import api_key_authenticate

from . import kpi, periods, platform, services
from .models import Measure
from .queries import (
    ChannelFlags,
    QuarterFigures,
    QuarterlyFigures,
    Scope,
    latest_date,
    public_services_of,
)

QUARTERS = 8
Row = dict[str, Any]
# The open data's columns, in the CSV's order; the JSON has the same names.
COLUMNS = [
    "quarter_start",
    "quarter",
    "transactions",
    "digital_transactions",
    "assisted_digital_transactions",
    "digital_take_up_percent",
    "cost_per_transaction_pounds",
    "cost_leaves_out",
    "user_satisfaction_percent",
    "satisfaction_answers",
    "completion_rate_percent",
    "completion_source",
]
# The survey app's rule for publishing satisfaction, repeated in the open data's definitions.
PUBLIC_MIN_ANSWERS = 30
LICENCE = "Open Government Licence v3.0"


def _public_service(org: str, slug: str) -> Service:
    service = public_service(org, slug)
    if not service.public:
        raise Http404("Not published")
    return service


def fy_quarter_label(start: date) -> str:
    """A calendar quarter as councils report it: the financial year (April to March) and its
    quarter, e.g. July–September 2026 is "2026/27 Q2"."""
    year = start.year if start.month >= 4 else start.year - 1
    return f"{year}/{(year + 1) % 100:02d} Q{((start.month - 4) % 12) // 3 + 1}"


def _survey_figures(
    organisation: Organisation, ids: tuple[int, ...], start: date, end: date
) -> dict[int, dict[date, dict[str, Any]]]:
    """Satisfaction and completion from the exit survey, through the setting that names the
    survey app's function (the ledger cannot import it)."""
    found: dict[int, dict[date, dict[str, Any]]] = import_string(settings.TAKEUP_PUBLIC_SURVEY)(
        organisation.pk, ids, start, end
    )
    return found


def _share_percent(share: Any) -> float | None:
    return None if share is None or share.value is None else round(100 * share.value, 1)


def _priced(q: QuarterFigures, flags: ChannelFlags) -> kpi.Cost:
    uncosted = q.uncosted - flags.no_cost
    priced = sum(n for c, n in q.counts.items() if c not in uncosted)
    return kpi.Cost(q.cost_pence, sum(q.counts.values()), frozenset(uncosted), priced)


def quarterly_for(organisation: Organisation, services: list[Service]) -> dict[int, list[Row]]:
    """The last eight complete quarters of each service: the four KPIs (digital take-up, cost
    per transaction, user satisfaction, completion rate) and the transactions behind them, in
    the same few queries however many services."""
    latest = latest_date(organisation)
    if latest is None or not services:
        return {}
    last = periods.last_complete("quarter", latest)
    first = last.start
    for _step in range(QUARTERS - 1):
        first = periods.quarter(first.replace(day=1) - timedelta(days=1)).start
    flags = ChannelFlags.of(organisation)
    ids = tuple(s.pk for s in services)
    scope = Scope(organisation.pk, first, last.end, ids)
    done = QuarterlyFigures().run(scope)
    started = {
        (service_id, q.quarter): q.counts
        for service_id, qs in QuarterlyFigures().run(scope, Measure.STARTS).items()
        for q in qs
    }
    survey = _survey_figures(organisation, ids, first, last.end)
    out: dict[int, list[Row]] = {}
    for service in services:
        rows = []
        for q in done.get(service.pk, []):
            counts = flags.counts(q.counts)
            take_up = kpi.digital_take_up(counts)
            starts = sum(
                n for c, n in started.get((service.pk, q.quarter), {}).items() if c in flags.digital
            )
            completion = kpi.completion_rate(counts.digital_total, starts) if starts else None
            answers = survey.get(service.pk, {}).get(q.quarter, {})
            satisfied = answers.get("satisfaction")
            found = answers.get("completion")
            rows.append(
                {
                    "quarter_start": q.quarter.isoformat(),
                    "quarter": fy_quarter_label(q.quarter),
                    "transactions": counts.total,
                    "digital_transactions": counts.digital_total,
                    "assisted_digital_transactions": counts.assisted_total,
                    "digital_take_up_percent": None
                    if take_up.percent is None
                    else round(take_up.percent, 1),
                    # Over the transactions the unit costs price, as on the staff pages: a
                    # channel with no unit cost is left out of both, and named.
                    "cost_per_transaction_pounds": round(per / 100, 2)
                    if (per := _priced(q, flags).pence_per_transaction) is not None
                    else None,
                    "cost_leaves_out": "; ".join(flags.named(q.uncosted - flags.no_cost)),
                    # Completed online ÷ started online, where the source reports starts; else
                    # the exit survey's "did you do what you came to do?".
                    "completion_rate_percent": round(completion.percent, 1)
                    if completion is not None and completion.percent is not None
                    else _share_percent(found),
                    "completion_source": "starts"
                    if completion is not None and completion.percent is not None
                    else ("exit survey" if found is not None else ""),
                    "user_satisfaction_percent": _share_percent(satisfied),
                    "satisfaction_answers": satisfied.n if satisfied is not None else None,
                }
            )
        out[service.pk] = rows
    return out


def quarterly(service: Service) -> list[Row]:
    return quarterly_for(service.organisation, [service]).get(service.pk, [])


def performance_page(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    service = _public_service(org, slug)
    rows = quarterly(service)
    chart = time_chart(
        id="public-take-up",
        title=_("Digital take-up each quarter"),
        description=_("The share of %(service)s transactions done online each quarter.")
        % {"service": service.name},
        records=[
            {"quarter": r["quarter_start"], "take_up": r["digital_take_up_percent"]} for r in rows
        ],
        time="quarter",
        value="take_up",
        time_label=_("Quarter starting"),
        value_label=_("Digital take-up (%)"),
        percent=True,
        # The open data: one address and the same machine-readable headings in either language.
        csv_url=reverse("performance-csv", kwargs={"org": org, "slug": slug}),
    )
    return render(
        request,
        "ledger/public_service.html",
        {
            "service": service,
            "public_organisation": service.organisation,
            "rows": rows,
            "latest": rows[-1] if rows else None,
            "chart": chart,
        },
    )


def _open_data(service: Service) -> dict[str, Any]:
    return {
        "organisation": {"name": service.organisation.name, "slug": service.organisation.slug},
        "service": {
            "name": service.name,
            "slug": service.slug,
            "kind": service.kind,
            "url": service.online_url,
        },
        "definitions": {
            "digital_take_up_percent": "digital transactions ÷ all transactions in every "
            "channel; assisted digital is in the total but not counted as digital",
            "cost_per_transaction_pounds": "Σ transactions × the unit cost in force ÷ "
            "transactions, using the organisation's unit costs",
            "cost_leaves_out": "channels with transactions but no unit cost: their "
            "transactions are in the total, but not their cost",
            "user_satisfaction_percent": "exit survey answers 'satisfied' or 'very satisfied', "
            f"of five points; left out with fewer than {PUBLIC_MIN_ANSWERS} answers",
            "completion_rate_percent": "digital transactions completed ÷ started, where the "
            "source reports starts (completion_source 'starts'); otherwise the exit survey's "
            "share who did what they came to do (completion_source 'exit survey')",
            "quarter": "the financial year (April to March) and its quarter",
        },
        "quarters": quarterly(service),
        "licence": LICENCE,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def performance_json(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    data = _open_data(_public_service(org, slug))
    return _cors(JsonResponse(data, json_dumps_params={"ensure_ascii": False}))


def performance_csv(request: HttpRequest, org: str, slug: str) -> HttpResponse:
    service = _public_service(org, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-{slug}-performance.csv"'
    writer = SafeWriter(response)
    writer.writerow(COLUMNS)
    writer.writerows([row.get(c) for c in COLUMNS] for row in quarterly(service))
    return _cors(response)


# --- the organisation's index of public services ---------------------------------------------


def _index(org: str) -> tuple[Organisation, list[tuple[Service, Row | None]]]:
    organisation, services = public_services_of(org)
    by_service = quarterly_for(organisation, services)
    return organisation, [
        (s, by_service[s.pk][-1] if by_service.get(s.pk) else None) for s in services
    ]


def performance_index(request: HttpRequest, org: str) -> HttpResponse:
    """Every public service of the organisation with its four KPIs for the latest quarter."""
    organisation, rows = _index(org)
    return render(
        request,
        "ledger/public_index.html",
        {"public_organisation": organisation, "rows": rows},
    )


def performance_index_json(request: HttpRequest, org: str) -> HttpResponse:
    organisation, rows = _index(org)
    data = {
        "organisation": {"name": organisation.name, "slug": organisation.slug},
        "services": [
            {
                "name": s.name,
                "slug": s.slug,
                "data": request.build_absolute_uri(
                    reverse("performance-json", kwargs={"org": org, "slug": s.slug})
                ),
                "latest_quarter": row,
            }
            for s, row in rows
        ],
        "licence": LICENCE,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }
    return _cors(JsonResponse(data, json_dumps_params={"ensure_ascii": False}))


def performance_index_csv(request: HttpRequest, org: str) -> HttpResponse:
    _organisation, rows = _index(org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org}-performance.csv"'
    writer = SafeWriter(response)
    writer.writerow(["service", "slug", *COLUMNS])
    writer.writerows([s.name, s.slug, *((row or {}).get(c) for c in COLUMNS)] for s, row in rows)
    return _cors(response)


def _platform_answer(status: int, message: str = "") -> JsonResponse:
    body = {"status": "ok" if status == 200 else "error"}
    if message:
        body["message"] = message
    return JsonResponse(body, status=status)


@csrf_exempt  # a bearer token, not a cookie, authorises it
@require_http_methods(["POST", "PUT"])
def platform_data(request: HttpRequest, data_group: str, data_type: str) -> HttpResponse:
    """The old performance platform's write API (ledger/platform.py), in its own answer shape."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    key = api_key_authenticate(token) if scheme.lower() == "bearer" else None
    if key is None:
        return _platform_answer(401, "Unauthorized: send an API key as 'Authorization: Bearer KEY'")
    service = key.organisation.services.filter(slug=data_group).first()
    if service is None or data_type not in platform.DATA_TYPES:
        return _platform_answer(
            404,
            f"There is no data set {data_group}/{data_type}: the data group is one of your "
            f"services' short names, and the data type one of {', '.join(platform.DATA_TYPES)}",
        )
    if request.content_type != "application/json":
        return _platform_answer(415, "Send the records as JSON (Content-Type: application/json)")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        return _platform_answer(400, "The body is not valid JSON")
    try:
        if request.method == "PUT":
            if body != []:
                return _platform_answer(400, "PUT empties a data set: send []")
            platform.data_set_empty(api_key=key, service=service, data_type=data_type)
            name = f"{data_group}_{data_type}".replace("-", "_")
            return _platform_answer(200, f"{name} now contains 0 records")
        records = platform.read_records(body, data_type)
        if not records:
            return _platform_answer(400, "Send at least one record")
        platform.records_write(api_key=key, service=service, data_type=data_type, records=records)
    except platform.PlatformError as exc:
        return _platform_answer(exc.status, exc.message)
    except services.ImportBusy as exc:
        return _platform_answer(409, str(exc))
    return _platform_answer(200)

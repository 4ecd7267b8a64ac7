"""Where take-up is heading: the forecast, its intervals, the target's status and the command."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from takeup.campaigns.models import Campaign
from takeup.catalogue.models import Channel
from takeup.ledger.forecast import (
    ForecastError,
    forecast,
    month_add,
    read_counts_csv,
    target_status,
)
from takeup.ledger.models import ServiceForecast
from takeup.ledger.services import (
    data_source_get_or_create,
    forecasts_refresh,
    volumes_import_rows,
)
from takeup.organisations.models import Organisation
from tests.factories import ServiceFactory

START = date(2023, 1, 1)


def s_curve(
    n: int, seed: int = 1, step_at: int | None = None
) -> tuple[list[date], list[float], list[float]]:
    rng = np.random.default_rng(seed)
    months = [month_add(START, i) for i in range(n)]
    total: list[float] = [int(rng.poisson(900)) for _ in months]
    share = [
        1 / (1 + np.exp(-(-1.2 + 0.05 * i + (1.2 if step_at is not None and i >= step_at else 0))))
        for i in range(n)
    ]
    digital: list[float] = [int(rng.binomial(int(t), p)) for t, p in zip(total, share, strict=True)]
    return months, digital, total


def test_a_rising_service_is_forecast_upwards_within_0_and_100() -> None:
    months, digital, total = s_curve(36)
    result = forecast(months, digital, total, horizon=12)
    assert [m.month for m in result.months] == [month_add(months[-1], h) for h in range(1, 13)]
    last = 100 * digital[-1] / total[-1]
    assert result.months[-1].point > last  # the trend goes on
    for m in result.months:
        assert 0 < m.lower95 <= m.lower80 <= m.point <= m.upper80 <= m.upper95 < 100
    widths = [m.upper95 - m.lower95 for m in result.months]
    assert widths[-1] > widths[0]  # further ahead, less certain


def test_a_switch_is_a_step_not_a_trend() -> None:
    months, digital, total = s_curve(36, step_at=30)
    with_switch = forecast(months, digital, total, horizon=6, switches=[months[30]])
    without = forecast(months, digital, total, horizon=6)
    # Read as trend, the jump would be carried on: the step keeps the forecast lower and calmer.
    assert with_switch.months[-1].point < without.months[-1].point


def flat_with_a_campaign(seed: int = 3) -> tuple[list[date], list[float], list[float]]:
    """Three years at 50% take-up, the last three months but one lifted 15 points by a
    campaign that has just ended."""
    rng = np.random.default_rng(seed)
    months = [month_add(START, i) for i in range(36)]
    total: list[float] = [2000.0] * 36
    share = [0.5 + rng.normal(0, 0.01) for _ in months]
    share[-3] += 0.15
    share[-2] += 0.15
    return months, [round(t * p) for t, p in zip(total, share, strict=True)], total


def test_a_campaign_is_a_passing_lift_not_a_trend() -> None:
    months, digital, total = flat_with_a_campaign()
    ran = [(months[-3], date(2025, 11, 20))]
    with_campaign = forecast(months, digital, total, horizon=6, campaigns=ran)
    without = forecast(months, digital, total, horizon=6)
    assert without.months[-1].point > 55  # the lift carried on as trend
    assert all(abs(m.point - 50) < 2 for m in with_campaign.months)  # back to where it was


def test_status_against_the_target() -> None:
    months, digital, total = s_curve(36)
    result = forecast(months, digital, total, horizon=24)
    at = month_add(months[-1], 24)
    reach = result.at(at)
    assert reach is not None
    assert target_status(result, reach.point, at).status == "on track"
    assert target_status(result, (reach.upper80 + reach.upper95) / 2, at).status == "at risk"
    off = target_status(result, min(99.9, reach.upper95 + 1), at)
    assert off.status == "off track" and off.gain_needed is not None and off.gain_needed > 0


@pytest.mark.parametrize(
    ("months", "digital", "total", "message"),
    [
        ([START], [1], [10], "need"),
        ([START, date(2023, 3, 1)], [1, 1], [10, 10], "follow one another"),
        ([START], [11], [10], "0 ≤ digital ≤ total"),
    ],
)
def test_series_that_cannot_be_forecast_say_why(
    months: list[date], digital: list[float], total: list[float], message: str
) -> None:
    with pytest.raises(ForecastError, match=message):
        forecast(months, digital, total)


def test_too_few_transactions_a_month_is_not_a_trend() -> None:
    months = s_curve(24)[0]
    with pytest.raises(ForecastError, match="20 or more transactions"):
        forecast(months, [1] * 24, [5] * 24)


def test_the_command_reads_daily_counts_and_prints_json(tmp_path: Path) -> None:
    months, digital, total = s_curve(30)
    lines = ["day,web,all"]
    for m, d, t in zip(months, digital, total, strict=True):  # each month as two days
        lines += [
            f"{m.isoformat()},{d // 2},{t // 2}",
            f"{m.replace(day=15)},{d - d // 2},{t - t // 2}",
        ]
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines))
    assert read_counts_csv(path, "day", "web", "all")[2] == [float(t) for t in total]
    out = StringIO()
    call_command(
        "forecast",
        str(path),
        "--date-column",
        "day",
        "--digital",
        "web",
        "--total",
        "all",
        "--horizon",
        "6",
        "--target",
        "90",
        "--target-date",
        "2026-12-31",
        "--json",
        stdout=out,
    )
    found = json.loads(out.getvalue())
    assert found["months"][0]["month"] == month_add(months[-1], 1).strftime("%Y-%m")
    assert len(found["months"]) == 18  # to the target date, beyond --horizon
    assert set(found["months"][0]) == {"month", "point", "lower80", "upper80", "lower95", "upper95"}
    assert found["status"] in ("on track", "at risk", "off track")
    with pytest.raises(CommandError, match="no column 'total'"):
        call_command(
            "forecast", str(path), "--date-column", "day", "--digital", "web", "--total", "total"
        )


def test_forecasts_are_stored_and_shown_with_the_target_status(
    org: Organisation, viewer_client: Client
) -> None:
    months, digital, total = s_curve(30)
    service = ServiceFactory.create(
        organisation=org,
        name="Renew a permit",
        slug="renew",
        target_percent=95,
        target_date=date(2026, 12, 31),
    )
    idle = ServiceFactory.create(organisation=org, name="Rarely used", slug="rare")
    web = Channel.objects.get(organisation=org, slug="web")
    phone = Channel.objects.get(organisation=org, slug="phone")
    rows = [
        {"date": m.isoformat(), "period": "month", "service": s.slug, "channel": c.slug, "count": n}
        for m, d, t in zip(months, digital, total, strict=True)
        for s, c, n in ((service, web, int(d)), (service, phone, int(t - d)), (idle, web, 1))
    ]
    volumes_import_rows(organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows)
    assert forecasts_refresh(organisation_id=org.pk) == 1
    stored = ServiceForecast.objects.get(service=service)
    assert stored.through == months[-1] and stored.status in ("on track", "at risk", "off track")
    assert stored.months[0]["month"] == month_add(months[-1], 1).strftime("%Y-%m")
    assert "20 or more transactions" in ServiceForecast.objects.get(service=idle).problem
    overview = viewer_client.get(f"/o/{org.slug}/take-up/").content.decode()
    assert f"{stored.get_status_display()} 1</p>" in overview  # the headline count
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/renew/").content.decode()
    assert 'id="forecast-status"' in page and "Target 95% by December 2026" in page
    assert 'id="target-gap"' in page
    csv = viewer_client.get(f"/o/{org.slug}/take-up/services/renew/?download=forecast")
    assert csv.status_code == 200 and len(csv.content.decode().splitlines()) == 1 + len(
        stored.months
    )
    rare = viewer_client.get(f"/o/{org.slug}/take-up/services/rare/").content.decode()
    assert 'id="forecast-problem"' in rare


def test_the_stored_forecast_fits_the_services_campaigns(org: Organisation) -> None:
    months, digital, total = flat_with_a_campaign()
    service = ServiceFactory.create(organisation=org, name="Renew a permit", slug="renew")
    rows = [
        {"date": m.isoformat(), "period": "month", "service": "renew", "channel": c, "count": n}
        for m, d, t in zip(months, digital, total, strict=True)
        for c, n in (("web", int(d)), ("phone", int(t - d)))
    ]
    volumes_import_rows(organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows)
    forecasts_refresh(organisation_id=org.pk)
    lifted = ServiceForecast.objects.get(service=service).months[-1]["point"]
    campaign = Campaign.objects.create(
        organisation=org, name="Radio", starts_on=months[-3], ends_on=date(2025, 11, 20)
    )
    campaign.services.add(service)
    forecasts_refresh(organisation_id=org.pk)
    assert lifted > 55
    assert abs(ServiceForecast.objects.get(service=service).months[-1]["point"] - 50) < 2


def test_the_stored_forecast_reads_going_online_only_as_a_step(org: Organisation) -> None:
    months, digital, total = s_curve(36, step_at=30)
    service = ServiceFactory.create(organisation=org, name="Visitor permits", slug="permits")
    rows = [
        {"date": m.isoformat(), "period": "month", "service": "permits", "channel": c, "count": n}
        for m, d, t in zip(months, digital, total, strict=True)
        for c, n in (("web", int(d)), ("phone", int(t - d)))
    ]
    volumes_import_rows(organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows)
    forecasts_refresh(organisation_id=org.pk)
    as_trend = ServiceForecast.objects.get(service=service).months[-1]["point"]
    service.online_only_since = months[30]
    service.save()
    forecasts_refresh(organisation_id=org.pk)
    as_step = ServiceForecast.objects.get(service=service).months[-1]["point"]
    expected = forecast(months, digital, total, horizon=24, switches=[months[30]]).months[-1]
    assert as_step == pytest.approx(expected.point, abs=0.01)
    assert as_step < as_trend

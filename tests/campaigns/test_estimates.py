"""Estimates from the ledger: series and controls, runs in the background, pages, planning."""

from collections.abc import Callable
from datetime import date, timedelta
from html import unescape
from typing import Any

import numpy as np
import pytest
from django.test import Client

from takeup.campaigns import estimates, queries, reports
from takeup.campaigns.models import Campaign, EffectEstimate, EstimateRun
from takeup.campaigns.queries import latest_daily
from takeup.campaigns.services import activity_save, annotation_save, campaign_save
from takeup.campaigns.tasks import campaign_estimates
from takeup.catalogue.models import Channel, Service
from takeup.ledger.models import Volume
from takeup.ledger.services import data_source_get_or_create
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

from .conftest import DAYS, START, daily

pytestmark = pytest.mark.django_db
CAMPAIGN_DAY = 364  # the campaign starts on day 364 of the series and runs 28 days
START_ON = START + timedelta(days=CAMPAIGN_DAY)


def make_campaign(
    org: Organisation, services: list[Service], name: str = "Online push", **kw: Any
) -> Campaign:
    values: dict[str, Any] = dict(
        starts_on=START_ON, ends_on=START_ON + timedelta(days=27), budget_pence=500_000
    )
    values.update(kw)
    return campaign_save(organisation=org, services=services, name=name, **values)


def test_controls_exclude_the_target_and_other_campaigns_services(
    org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, a, b, c = ledger_services(4)
    make_campaign(org, [target])
    make_campaign(org, [b], name="Something else")
    days, y, controls, names = estimates.series_for(
        target, START, START_ON + timedelta(days=27), START_ON - timedelta(days=1)
    )
    assert days[0] == START and len(days) == CAMPAIGN_DAY + 28
    assert set(names) == {a.name, c.name}
    assert controls.shape == (len(days), 2)
    assert y.sum() > 0


def test_a_run_finds_the_lift_and_prices_it(
    org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(4, lift=0.3, lift_from=CAMPAIGN_DAY)
    campaign = make_campaign(org, [target])
    run = EstimateRun.objects.create(organisation=org, campaign=campaign)
    run = estimates.estimates_run(run, draws=300)
    assert run.status == "done" and run.done == run.total == 1
    e = EffectEstimate.objects.get()
    assert e.scope == "campaign" and e.p_value < 0.05
    assert 0.15 < e.result["relative"][0] < 0.45
    cost = e.result["cost_per"]
    assert cost[0] == pytest.approx(500_000 / e.effect)
    assert cost[1] < cost[0] < cost[2]
    low, mid, high = e.result["take_up_pp"][1], e.result["take_up_pp"][0], e.result["take_up_pp"][2]
    assert 0 < low < mid < high
    checks = e.result["checks"]
    assert checks["placebo_p_value"] is not None and not checks["short_pre_period"]


def test_runs_replace_estimates_instead_of_adding(
    org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(3)
    campaign = make_campaign(org, [target])
    for _ in range(2):
        estimates.estimates_run(
            EstimateRun.objects.create(organisation=org, campaign=campaign), draws=150
        )
    assert EffectEstimate.objects.count() == 1


def test_overlapping_campaigns_get_a_warning_and_a_joint_estimate(
    org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(3)
    first = make_campaign(org, [target])
    make_campaign(
        org,
        [target],
        name="Overlapping",
        starts_on=START_ON + timedelta(days=14),
        ends_on=START_ON + timedelta(days=20),
    )
    jobs = estimates.jobs_for(first, after_days=0)
    assert [j.scope for j in jobs] == ["campaign", "joint"]
    assert jobs[0].overlapping == ("Overlapping",)
    assert jobs[1].post_start == START_ON and jobs[1].post_end == START_ON + timedelta(days=27)


def test_an_activity_on_its_own_dates_gets_its_own_estimate(
    org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(2)
    campaign = make_campaign(org, [target])
    activity_save(
        organisation=org,
        campaign=campaign,
        medium="radio",
        starts_on=START_ON + timedelta(days=7),
        ends_on=START_ON + timedelta(days=13),
        cost_pence=20_000,
    )
    jobs = estimates.jobs_for(campaign, after_days=7)
    assert [j.scope for j in jobs] == ["campaign", "activity"]
    assert jobs[1].post_end == START_ON + timedelta(days=20)


def test_a_service_without_daily_figures_fails_clearly(org: Organisation, service: Service) -> None:
    campaign = make_campaign(org, [service])
    run = estimates.estimates_run(
        EstimateRun.objects.create(organisation=org, campaign=campaign), draws=150
    )
    assert run.status == "failed"
    assert "has no daily digital figures" in run.error
    assert not EffectEstimate.objects.exists()


def test_the_page_starts_a_run_and_shows_progress_then_the_estimate(
    editor_client: MemberClient,
    org: Organisation,
    ledger_services: Callable[..., list[Service]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    target, *_ = ledger_services(3, lift=0.3, lift_from=CAMPAIGN_DAY)
    campaign = make_campaign(org, [target])
    page = f"/o/{org.slug}/campaigns/{campaign.pk}/"
    bad = editor_client.post(page + "estimate/", {"after_days": "-3"})
    assert bad.status_code == 302 and not EstimateRun.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = editor_client.post(page + "estimate/", {"after_days": "14"})
    assert len(callbacks) == 1  # the task is queued once the run is saved
    assert response.status_code == 302
    run = EstimateRun.objects.get()
    assert run.after_days == 14 and run.status == "queued"
    waiting = editor_client.get(page).content.decode()
    assert "The estimate is waiting to start." in waiting and 'hx-trigger="every 2s"' in waiting
    # A second press while one is waiting does not queue another.
    editor_client.post(page + "estimate/", {"after_days": "14"})
    assert EstimateRun.objects.count() == 1
    assert campaign_estimates.call(run.pk) == "done"
    assert campaign_estimates.call(run.pk) == "done already"
    progress = editor_client.get(page + "estimate/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    shown = editor_client.get(page).content.decode()
    assert "more digital transactions for" in shown and "95% interval" in shown
    assert "Placebo test passed" in shown and "Fit before the campaign" in shown
    csv_lines = (
        editor_client.get(page + f"?download=estimate-{EffectEstimate.objects.get().pk}")
        .content.decode()
        .splitlines()
    )
    assert csv_lines[0].startswith("date,observed,expected,expected_lower")
    assert len(csv_lines) == 1 + 28 + 14


def test_plan_page(
    viewer_client: MemberClient, org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(2)
    response = viewer_client.get(
        f"/o/{org.slug}/campaigns/plan/", {"service": target.pk, "length_days": 28}
    )
    result = response.context["result"]
    assert result.length_days == 28 and 0 < result.smallest_relative < 0.5
    assert "extra online transactions" in response.content.decode()
    bad = viewer_client.get(
        f"/o/{org.slug}/campaigns/plan/", {"service": target.pk, "length_days": 3}
    )
    assert "at least 7 days" in bad.content.decode()
    empty = ServiceFactory.create(organisation=org)
    none = viewer_client.get(
        f"/o/{org.slug}/campaigns/plan/", {"service": empty.pk, "length_days": 28}
    )
    assert "no daily figures" in none.content.decode()


def test_service_page_shades_campaigns_and_flags_unexplained_breaks(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    rng = np.random.default_rng(5)
    daily(org, service, list(rng.poisson([300] * 200 + [600] * 220)))
    daily(org, service, list(rng.poisson([300] * 420)), channel="phone")
    page = f"/o/{org.slug}/take-up/services/{service.slug}/"
    page += "?period=custom&from=2026-01-01&to=2026-02-28"
    before = viewer_client.get(page).content.decode()
    assert "no campaign or note explains it" in before
    annotation_save(
        organisation=org,
        services=[service],
        starts_on=START + timedelta(days=200),
        ends_on=None,
        text="Online form redesigned",
    )
    make_campaign(org, [service], name="Spring push")
    after = viewer_client.get(page).content.decode()
    assert "no campaign or note explains it" not in after
    assert "Online form redesigned" in after and "Spring push" in after
    assert '"note": "Spring push"' in after  # the band in the chart's spec


def garden_waste_counts(seed: int) -> list[int]:
    """Garden-waste subscriptions: renewals peak in February and March; nearly none in autumn
    and winter, so most October days have none."""
    rng = np.random.default_rng(seed)
    days = [START + timedelta(days=i) for i in range(DAYS)]
    doy = np.array([d.timetuple().tm_yday for d in days])
    mean = 0.1 + 30 * np.exp(-(((doy - 70) / 18) ** 2)) + 2 * np.exp(-(((doy - 170) / 40) ** 2))
    return [int(x) for x in rng.poisson(mean)]


def test_garden_waste_in_october_cannot_be_told(
    viewer_client: MemberClient, org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    """The case seen in the wild: a campaign on "Subscribe to garden waste collection", 5 to 25
    October, two activities, printed a relative effect in the trillions of per cent, a band
    below zero and three checks that said OK. Now: "cannot tell", a failing fit check, no
    relative effect, no take-up change, and no band below zero."""
    ledger_services(2)
    garden = ServiceFactory.create(
        organisation=org,
        name="Subscribe to garden waste collection",
        online_url="https://www.millbrook.gov.uk/garden-waste",
    )
    daily(org, garden, garden_waste_counts(seed=9))
    daily(org, garden, garden_waste_counts(seed=10), channel="phone")
    campaign = make_campaign(
        org,
        [garden],
        name="Garden waste online",
        starts_on=date(2025, 10, 5),
        ends_on=date(2025, 10, 25),
    )
    for medium, cost in [("leaflet", 30_000), ("facebook", 20_000)]:
        activity_save(
            organisation=org,
            campaign=campaign,
            medium=medium,
            starts_on=date(2025, 10, 5),
            ends_on=date(2025, 10, 25),
            cost_pence=cost,
        )
    run = EstimateRun.objects.create(organisation=org, campaign=campaign)
    assert estimates.estimates_run(run, draws=300).status == "done"
    e = EffectEstimate.objects.get()
    assert all(p["expected_lower"] >= 0 for p in e.result["points"])
    assert e.result["verdict"] == "cannot tell" and e.result["cost_per"] is None
    page = viewer_client.get(f"/o/{org.slug}/campaigns/{campaign.pk}/")
    (item,) = page.context["estimates"]
    assert not item["judgeable"] and not item["relative_shown"]
    assert item["checks"][0].ok is False  # the fit check comes first
    html = unescape(page.content.decode())
    assert "Cannot tell" in html and "we cannot tell what the campaign did" in html
    assert "not good enough to judge an effect" in html
    assert "too few or too uncertain for a percentage to mean anything" in html
    assert "percentage points" not in html


def test_the_page_reads_pr_increase_and_tiny_p_values_as_less_than_0_001(
    viewer_client: MemberClient, org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(3, lift=0.4, lift_from=CAMPAIGN_DAY)
    campaign = make_campaign(org, [target])
    estimates.estimates_run(EstimateRun.objects.create(organisation=org, campaign=campaign))
    e = EffectEstimate.objects.get()
    assert e.p_value < 0.001 and e.effect_lower > 0
    html = unescape(viewer_client.get(f"/o/{org.slug}/campaigns/{campaign.pk}/").content.decode())
    assert "more than 99.9% that the campaign increased them (two-sided p < 0.001)" in html
    assert "p = 0.000" not in html and "Probability the effect is real" not in html
    assert "could be no effect" not in html


def test_the_words_follow_the_interval() -> None:
    words: dict[str, Any] = dict(
        start=START, end=START + timedelta(days=27), subject="bins", relative=0.05
    )
    unsure = reports.summary_text(effect=40, lower=-5, upper=90, **words)
    assert "could be no effect at all" in unsure
    sure = reports.summary_text(effect=40, lower=5, upper=90, **words)
    assert "40 more bins" in sure and "could be no effect" not in sure and "5% more" in sure
    fewer = reports.summary_text(effect=-40, lower=-90, upper=-5, **words)
    assert "40 fewer bins" in fewer
    hidden = reports.summary_text(effect=40, lower=5, upper=90, **{**words, "relative": None})
    assert "% more than expected" not in hidden
    told = reports.summary_text(effect=40, lower=5, upper=90, judgeable=False, **words)
    assert "cannot tell" in told and "40" not in told


def test_spent_on_activities_is_their_cost_not_the_budget(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    campaign = make_campaign(org, [service], budget_pence=500_000)
    activity_save(
        organisation=org,
        campaign=campaign,
        medium="radio",
        starts_on=START_ON,
        ends_on=START_ON + timedelta(days=6),
        cost_pence=0,
    )
    page = viewer_client.get(f"/o/{org.slug}/campaigns/{campaign.pk}/")
    assert page.context["spent_pence"] == 0
    html = page.content.decode()
    spent = html[html.index("Spent on activities") :][:200]
    assert "£0.00" in spent and "5,000" not in spent
    activity_save(
        organisation=org,
        campaign=campaign,
        medium="leaflet",
        starts_on=START_ON,
        ends_on=START_ON + timedelta(days=6),
        cost_pence=12_345,
    )
    page = viewer_client.get(f"/o/{org.slug}/campaigns/{campaign.pk}/")
    assert page.context["spent_pence"] == 12_345


def test_a_break_soon_after_a_campaign_ends_is_explained(
    org: Organisation, service: Service
) -> None:
    """Blue Badge: phase 2 ended in December; take-up changed around 12 January. That is inside
    the 28 days after the campaign, so the campaign explains it; a break in March does not."""
    make_campaign(
        org, [service], name="Phase 2", starts_on=date(2025, 11, 17), ends_on=date(2025, 12, 19)
    )
    january, march = date(2026, 1, 12), date(2026, 3, 2)
    assert queries.unexplained_breaks(service, [january, march]) == [march]


def test_a_longer_after_period_chosen_for_a_run_explains_a_later_break(
    org: Organisation, service: Service
) -> None:
    campaign = make_campaign(
        org, [service], name="Phase 3", starts_on=date(2025, 11, 17), ends_on=date(2025, 12, 19)
    )
    february = date(2026, 2, 9)  # 52 days after the end
    assert queries.unexplained_breaks(service, [february]) == [february]
    EstimateRun.objects.create(organisation=org, campaign=campaign, after_days=56)
    assert queries.unexplained_breaks(service, [february]) == []


def test_an_estimate_stored_before_the_checks_existed_claims_nothing_it_cannot(
    org: Organisation, service: Service
) -> None:
    """Older results kept prob_effect for whichever sign the point took, no verdict and no
    expected interval: the page shows their p alone, no relative effect, and judges the fit
    by whether the expected band stayed above zero."""
    campaign = make_campaign(org, [service])
    run = EstimateRun.objects.create(organisation=org, campaign=campaign)
    point = {"expected_lower": -3.0, "expected": 2.0}
    old = EffectEstimate.objects.create(
        organisation=org,
        run=run,
        campaign=campaign,
        service=service,
        scope="campaign",
        post_start=START_ON,
        post_end=START_ON + timedelta(days=27),
        effect=-40.0,
        effect_lower=-90.0,
        effect_upper=-5.0,
        p_value=0.02,
        result={
            "prob_effect": 0.99,
            "relative": [-0.2, -0.4, -0.01],
            "expected_total": 200.0,
            "checks": {"fit_coverage": 0.9, "fit_mape": 0.1},
            "points": [point],
        },
    )
    assert reports.uncertainty_text(old) == (
        "Two-sided p = 0.020; estimate again for the probability of an increase."
    )
    assert reports.relative_text(old) == (False, "Not shown: estimate again to see it.")
    assert not reports.judgeable(old)


def test_the_api_gives_the_verdict_with_pr_increase(
    api_client: Client, org: Organisation, ledger_services: Callable[..., list[Service]]
) -> None:
    target, *_ = ledger_services(4, lift=0.3, lift_from=CAMPAIGN_DAY)
    campaign = make_campaign(org, [target])
    run = EstimateRun.objects.create(organisation=org, campaign=campaign)
    estimates.estimates_run(run, draws=300)
    (estimate,) = api_client.get(f"/api/campaigns/{campaign.pk}").json()["estimates"]
    assert estimate["verdict"] == "increase"
    assert estimate["prob_effect"] > 0.975 and estimate["p_value"] < 0.05
    assert estimate["effect_lower"] > 0


def test_the_latest_day_is_the_last_counted_daily_transactions(
    org: Organisation, service: Service
) -> None:
    daily(org, service, [50] * 10)  # 6 to 15 January 2025
    other = data_source_get_or_create(org, "Phone system")
    phone = Channel.objects.get(organisation=org, slug="phone")
    # Later rows the figures must not use: contacts (another measure), and transactions
    # that another source's figure supersedes (not counted).
    Volume.objects.bulk_create(
        [
            Volume(
                organisation=org,
                service=service,
                channel=phone,
                period_start=START + timedelta(days=20),
                period="day",
                measure="contacts",
                count=9,
                source=other,
            ),
            Volume(
                organisation=org,
                service=service,
                channel=phone,
                period_start=START + timedelta(days=30),
                period="day",
                measure="transactions",
                count=9,
                source=other,
                counted=False,
            ),
        ]
    )
    assert latest_daily(service) == START + timedelta(days=9)

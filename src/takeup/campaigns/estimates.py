"""Running effect.py on the ledger: which series, which controls, which periods; and storing the
results. The rules for controls are in docs/methods.md ("Campaign effects")."""

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from takeup.catalogue.models import Service

from . import effect
from .models import Activity, Campaign, EffectEstimate, EstimateRun
from .queries import busy_services, daily_digital, latest_daily, total_transactions

HISTORY_DAYS = 3 * 365  # at most three years of pre-period
MAX_CONTROLS = 5
MIN_CONTROL_MEDIAN = 3.0


@dataclasses.dataclass(frozen=True)
class Job:
    """One estimate to run: a service, a window, and who it is for."""

    service: Service
    post_start: date
    post_end: date
    scope: str
    activity: Activity | None = None
    overlapping: tuple[str, ...] = ()


def series_for(
    service: Service, pre_start: date, post_end: date, pre_end: date
) -> tuple[list[date], np.ndarray, np.ndarray, list[str]]:
    """The target's digital series and up to five controls, over pre_start..post_end.

    Controls are other services' digital series that no campaign promoted in the window, with
    figures on most days, ranked by how closely they follow the target before the campaign.
    """
    organisation = service.organisation
    busy = busy_services(organisation, pre_start, post_end) | {service.pk}
    candidates = list(
        Service.objects.filter(organisation=organisation, active=True)
        .exclude(pk__in=busy)
        .values_list("pk", "name")
    )
    data = daily_digital(
        organisation, [service.pk, *[pk for pk, _ in candidates]], pre_start, post_end
    )
    days = [pre_start + timedelta(i) for i in range((post_end - pre_start).days + 1)]
    target = data.get(service.pk, {})
    if not target:
        return [], np.zeros(0), np.zeros((0, 0)), []
    days = [d for d in days if d >= min(target)]
    y = np.array([target.get(d, 0.0) for d in days])
    pre = np.array([d <= pre_end for d in days], dtype=bool)
    scored = []
    for pk, name in candidates:
        series = data.get(pk, {})
        if len(series) < 0.9 * len(days):
            continue
        x = np.array([series.get(d, 0.0) for d in days])
        if np.median(x[pre]) < MIN_CONTROL_MEDIAN or x[pre].std() == 0 or y[pre].std() == 0:
            continue
        weekly = min(pre.sum() // 7, 520)
        if weekly >= 8:
            a = y[pre][-weekly * 7 :].reshape(-1, 7).sum(axis=1)
            b = x[pre][-weekly * 7 :].reshape(-1, 7).sum(axis=1)
            score = abs(float(np.corrcoef(a, b)[0, 1]))
        else:
            score = abs(float(np.corrcoef(y[pre], x[pre])[0, 1]))
        scored.append((score, name, x))
    scored.sort(key=lambda t: -t[0])
    chosen = scored[:MAX_CONTROLS]
    controls = np.column_stack([x for _, _, x in chosen]) if chosen else np.zeros((len(days), 0))
    return days, y, controls, [name for _, name, _ in chosen]


def jobs_for(campaign: Campaign, after_days: int) -> list[Job]:
    """A campaign estimate per target service; a joint one where campaigns overlap; and one per
    activity whose dates differ from the campaign's."""
    jobs = []
    activities = list(campaign.activities.all())
    for service in campaign.services.all():
        end = campaign.ends_on + timedelta(after_days)
        others = list(
            Campaign.objects.filter(
                organisation_id=campaign.organisation_id,
                services=service,
                starts_on__lte=end,
                ends_on__gte=campaign.starts_on,
            ).exclude(pk=campaign.pk)
        )
        names = tuple(sorted(o.name for o in others))
        jobs.append(
            Job(service, campaign.starts_on, end, EffectEstimate.Scope.CAMPAIGN, None, names)
        )
        if others:
            start = min([campaign.starts_on, *(o.starts_on for o in others)])
            joint_end = max([campaign.ends_on, *(o.ends_on for o in others)]) + timedelta(
                after_days
            )
            jobs.append(Job(service, start, joint_end, EffectEstimate.Scope.JOINT, None, names))
        for activity in activities:
            # An activity is estimated on its own only when nothing else in the campaign runs
            # at the same time; otherwise its effect cannot be told apart from theirs.
            alone = not any(
                o.pk != activity.pk
                and o.starts_on <= activity.ends_on
                and o.ends_on >= activity.starts_on
                for o in activities
            )
            dates = (activity.starts_on, activity.ends_on)
            if alone and dates != (campaign.starts_on, campaign.ends_on):
                jobs.append(
                    Job(
                        service,
                        activity.starts_on,
                        activity.ends_on + timedelta(after_days),
                        EffectEstimate.Scope.ACTIVITY,
                        activity,
                    )
                )
    return jobs


def run_job(job: Job, *, draws: int, seed: int, cost_pence: int) -> dict[str, Any]:
    """Run one estimate and return what is stored: figures, checks, points and derived money."""
    pre_end = job.post_start - timedelta(1)
    days, y, controls, names = series_for(
        job.service, job.post_start - timedelta(HISTORY_DAYS), job.post_end, pre_end
    )
    if not days or days[-1] < job.post_end:
        raise effect.EffectError(
            f"{job.service.name} has no daily digital figures up to {job.post_end:%d %B %Y}."
        )
    result = effect.estimate(
        days,
        y,
        controls,
        control_names=names,
        pre_end=pre_end,
        post_start=job.post_start,
        post_end=job.post_end,
        draws=draws,
        seed=seed,
    )
    total = total_transactions(job.service, result.post_start, result.post_end)
    draws_ = result.effect_draws
    pp = draws_ / total * 100 if total else np.zeros_like(draws_)
    out: dict[str, Any] = {
        "observed_total": result.observed_total,
        "expected_total": result.expected_total,
        "expected_interval": [result.expected_lower, result.expected_upper],
        "relative": [result.relative, result.relative_lower, result.relative_upper],
        "relative_shown": result.relative_shown,
        "verdict": result.verdict,
        "prob_effect": result.prob_effect,
        "seconds": result.seconds,
        "draws": result.draws,
        "total_transactions": total,
        "take_up_pp": [float(pp.mean()), *map(float, np.quantile(pp, [0.025, 0.975]))],
        "cost_pence": cost_pence,
        "cost_per": cost_per(cost_pence, result),
        "overlapping": list(job.overlapping),
        "checks": _jsonable(dataclasses.asdict(result.checks)),
        "points": [_jsonable(dataclasses.asdict(p)) for p in result.points],
        "pre_fit": [[d.isoformat(), o, f] for d, o, f in result.pre_fit[-180:]],
    }
    out["result"] = result
    return out


def cost_per(cost_pence: int, result: effect.Estimate) -> list[float] | None:
    """Cost per incremental digital transaction in pence: central, low, high. Only when the
    whole interval is above zero (otherwise there is no upper bound to give) and the fit can
    judge the effect at all."""
    if not cost_pence or result.effect_lower <= 0 or not result.checks.fit_ok:
        return None
    return [
        cost_pence / result.effect,
        cost_pence / result.effect_upper,
        cost_pence / result.effect_lower,
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def campaign_cost(campaign: Campaign) -> int:
    spent = sum(a.cost_pence for a in campaign.activities.all())
    return spent or campaign.budget_pence


def estimates_run(
    run: EstimateRun,
    *,
    draws: int = effect.DEFAULT_DRAWS,
    progress: Callable[[int, int], None] | None = None,
) -> EstimateRun:
    """Run every estimate of a campaign and replace its earlier ones in one transaction, so a
    retry or a crash never leaves half a set."""
    campaign = run.campaign
    jobs = jobs_for(campaign, run.after_days)
    EstimateRun.objects.filter(pk=run.pk).update(
        status=EstimateRun.Status.RUNNING, total=len(jobs), done=0
    )
    made = []
    errors = []
    for i, job in enumerate(jobs):
        cost = job.activity.cost_pence if job.activity else campaign_cost(campaign)
        try:
            out = run_job(job, draws=draws, seed=campaign.pk * 1000 + i, cost_pence=cost)
        except effect.EffectError as exc:
            errors.append(f"{job.service.name}: {exc}")
        else:
            result = out.pop("result")
            made.append(
                EffectEstimate(
                    organisation_id=campaign.organisation_id,
                    run=run,
                    campaign=campaign,
                    activity=job.activity,
                    service=job.service,
                    scope=job.scope,
                    post_start=result.post_start,
                    post_end=result.post_end,
                    effect=result.effect,
                    effect_lower=result.effect_lower,
                    effect_upper=result.effect_upper,
                    p_value=result.p_value,
                    result=out,
                )
            )
        EstimateRun.objects.filter(pk=run.pk).update(done=i + 1)
        if progress:
            progress(i + 1, len(jobs))
    with transaction.atomic():
        EffectEstimate.objects.filter(campaign=campaign).delete()
        EffectEstimate.objects.bulk_create(made)
        EstimateRun.objects.filter(pk=run.pk).update(
            status=EstimateRun.Status.DONE if made or not errors else EstimateRun.Status.FAILED,
            error="\n".join(errors),
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def run_start(*, campaign: Campaign, after_days: int, actor: Any = None) -> EstimateRun:
    """Queue a run unless one for this campaign is already waiting or running."""
    from .tasks import campaign_estimates

    active = campaign.runs.filter(
        status__in=[EstimateRun.Status.QUEUED, EstimateRun.Status.RUNNING]
    ).first()
    if active is not None:
        return active
    run = EstimateRun.objects.create(
        organisation_id=campaign.organisation_id,
        campaign=campaign,
        after_days=after_days,
        created_by=actor,
        total=0,
    )
    transaction.on_commit(lambda: campaign_estimates.enqueue(run.pk))
    return run


def plan(service: Service, length_days: int) -> effect.Detectable:
    """The smallest effect a campaign of length_days on this service could show, judged from
    the service's own recent history and controls."""
    latest = latest_daily(service)
    if latest is None:
        raise effect.EffectError(f"{service.name} has no daily figures to plan from.")
    days, y, controls, _names = series_for(
        service, latest - timedelta(HISTORY_DAYS), latest, latest - timedelta(length_days)
    )
    return effect.detectable(days, y, controls, length_days=length_days)

"""The take-up of alerts: live subscribers per topic at each month's end, how many sign-ups are
confirmed, and why people leave."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.charts import Cell, Chart, time_chart
from takeup.insight.stats import Share
from takeup.organisations.models import Organisation

from .models import Subscription, Topic
from .schedule import LONDON

MONTHS = 12


@dataclass
class TakeUp:
    months: list[str]
    # (topic name, live subscribers at each month's end)
    by_topic: list[tuple[str, list[int]]]
    confirmed: Share
    waiting: int
    reasons: list[tuple[str, int]]
    chart: Chart | None


def _month_ends(today: date) -> list[tuple[str, datetime]]:
    """The last 12 whole months, each with the moment it ended (London time): this month is not
    over, so it is not one of them."""
    ends = []
    this_month = today.year * 12 + today.month - 1
    for back in range(MONTHS, 0, -1):
        y, m = divmod(this_month - back, 12)
        ny, nm = divmod(this_month - back + 1, 12)
        ends.append(
            (f"{y}-{m + 1:02d}", datetime.combine(date(ny, nm + 1, 1), time(0), tzinfo=LONDON))
        )
    return ends


def take_up(org: Organisation, today: date | None = None) -> TakeUp:
    today = today or timezone.localdate()
    topics = list(Topic.objects.filter(organisation=org).order_by("name"))
    ends = _month_ends(today)
    # One grouped query: a conditional count for each month's end.
    rows = (
        Subscription.objects.filter(organisation=org, confirmed_at__isnull=False)
        .values("topic")
        .annotate(
            **{
                f"m{i}": Count(
                    "subscriber",
                    distinct=True,
                    filter=Q(confirmed_at__lt=end)
                    & (Q(ended_at__isnull=True) | Q(ended_at__gte=end)),
                )
                for i, (_label, end) in enumerate(ends)
            }
        )
    )
    counts: dict[tuple[int, str], int] = {}
    for r in rows:
        found = cast(dict[str, int], r)
        for i, (label, _end) in enumerate(ends):
            counts[(found["topic"], label)] = found[f"m{i}"]
    by_topic = [(t.name, [counts.get((t.pk, label), 0) for label, _e in ends]) for t in topics]
    # Sign-ups: requests made by a person (not a change of frequency, not a request replaced by
    # a later one), old enough to have been confirmed or not.
    requests = (
        Subscription.objects.filter(organisation=org)
        .exclude(confirmed_at=F("created_at"))
        .exclude(ended_reason=Subscription.Ended.CHANGED, confirmed_at__isnull=True)
    )
    decided = requests.filter(
        Q(confirmed_at__isnull=False)
        | Q(created_at__lt=timezone.now() - timedelta(days=7))
        | Q(ended_at__isnull=False)
    )
    confirmed = Share(decided.filter(confirmed_at__isnull=False).count(), decided.count())
    waiting = requests.count() - confirmed.n
    labels = dict(Subscription.Ended.choices)
    reasons = [
        (str(labels.get(r["ended_reason"], r["ended_reason"])), r["n"])
        for r in Subscription.objects.filter(
            organisation=org,
            confirmed_at__isnull=False,
            ended_at__gte=ends[0][1] - timedelta(days=31),
        )
        .exclude(ended_reason=Subscription.Ended.CHANGED)
        .values("ended_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    records: list[dict[str, Cell]] = [
        {"month": label, "topic": name, "subscribers": series[i]}
        for name, series in by_topic
        for i, (label, _e) in enumerate(ends)
    ]
    chart = (
        time_chart(
            id="alerts-subscribers",
            title=_("Subscribers by topic"),
            description=_(
                "People with a confirmed subscription to each topic at the end of each month."
            ),
            records=records,
            time="month",
            value="subscribers",
            time_label=_("Month"),
            value_label=_("Subscribers"),
            colour="topic",
            colour_label=_("Topic"),
            csv_url="?download=subscribers",
        )
        if topics
        else None
    )
    return TakeUp([label for label, _e in ends], by_topic, confirmed, waiting, reasons, chart)


def engagement(
    org: Organisation, start: date, end: date, baseline_end: date
) -> dict[str, object] | None:
    """Alert subscriptions as a digital engagement measure, for the ledger's overview
    (TAKEUP_ENGAGEMENT): live at the period's end and at the baseline's, and how many started
    and ended in the period. None when there is none of these to tell (one query either way)."""

    def moment(day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)

    stop, first, before = moment(end), moment(start - timedelta(days=1)), moment(baseline_end)
    counted = Subscription.objects.filter(organisation=org, confirmed_at__isnull=False)
    figures = counted.aggregate(
        live=Count(
            "pk",
            filter=Q(confirmed_at__lt=stop) & (Q(ended_at__isnull=True) | Q(ended_at__gte=stop)),
        ),
        then=Count(
            "pk",
            filter=Q(confirmed_at__lt=before)
            & (Q(ended_at__isnull=True) | Q(ended_at__gte=before)),
        ),
        started=Count("pk", filter=Q(confirmed_at__gte=first, confirmed_at__lt=stop)),
        ended=Count(
            "pk",
            filter=Q(ended_at__gte=first, ended_at__lt=stop)
            & ~Q(ended_reason=Subscription.Ended.CHANGED),
        ),
    )
    if not any(figures.values()):
        return None
    return {"id": "engagement-alerts", "label": _("Alert subscriptions"), **figures}

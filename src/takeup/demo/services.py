"""Building the demo organisation, Millbrook City Council. Used by `takeup demo`, tests and
benchmarks, so it is quick and gives the same catalogue every time."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from takeup.campaigns.models import Arrival, ArrivalVisitor, Campaign
from takeup.campaigns.services import activity_save, campaign_save
from takeup.catalogue.models import Channel, Service, ServiceArea
from takeup.catalogue.services import channel_save
from takeup.core.text import slugify
from takeup.insight.models import PathRule, Response, Survey
from takeup.insight.services import survey_save
from takeup.ledger.models import DataSource, ImportBatch, Volume
from takeup.ledger.services import forecasts_refresh, insert_volumes, month_totals_refresh
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import membership_add, organisation_create

from .alerts import demo_alerts_create
from .campaigns import demo_campaigns, lifts
from .catalogue import SERVICES
from .neighbourhoods import demo_area_volumes_create, demo_neighbourhoods_create
from .outreach import demo_outreach_create
from .principles import demo_principles_create
from .survey import responses as survey_responses
from .volumes import ONLINE_ONLY_SLUG, ServicePlan, daily_volumes, noisy, online_only_day
from .webcheck import demo_webcheck_create

DEMO_SLUG = "millbrook"
DEMO_DOMAIN = "millbrook.gov.uk"
DEMO_PASSWORD = "millbrook-demo-2026"
DEMO_ADMIN = "admin@millbrook.example"
DEMO_VIEWER = "viewer@millbrook.example"


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    password: str
    role: str


@transaction.atomic
def demo_create(
    *, end: date | None = None, years: int = 3
) -> tuple[Organisation, list[DemoSignIn]]:
    """(Re)build Millbrook from scratch: anything left from an earlier build is replaced."""
    Organisation.objects.filter(slug=DEMO_SLUG).delete()
    User.objects.filter(email__in=[DEMO_ADMIN, DEMO_VIEWER]).delete()
    org = organisation_create(
        name="Millbrook City Council",
        slug=DEMO_SLUG,
        kind=Organisation.Kind.UNITARY,
        nation=Organisation.Nation.ENGLAND,
        allowed_domains=[DEMO_DOMAIN],
    )
    org.website = f"https://www.{DEMO_DOMAIN}/"
    org.save(update_fields=["website"])
    areas: dict[str, ServiceArea] = {}
    services = []
    for area_name, name, kind, path, online, target in SERVICES:
        if area_name not in areas:
            areas[area_name] = ServiceArea.objects.create(
                organisation=org, name=area_name, slug=slugify(area_name)
            )
        services.append(
            Service(
                organisation=org,
                area=areas[area_name],
                name=name,
                slug=slugify(name),
                kind=kind,
                online_url=f"https://www.{DEMO_DOMAIN}{path}" if path else "",
                online_since=date(online[0], online[1], 1) if online else None,
                target_percent=Decimal(target) if target is not None else None,
                target_date=date(2027, 3, 31) if target is not None else None,
                public=target is not None,
            )
        )
    end = end or timezone.localdate() - timedelta(days=1)
    for service in services:
        if service.slug == ONLINE_ONLY_SLUG:
            service.online_only_since = online_only_day(end)
        service.full_clean()
    Service.objects.bulk_create(services)
    channel_save(
        organisation=org,
        channel=Channel.objects.get(organisation=org, slug="phone"),
        saving_cashable=True,
        cashable_note="Two contact-centre posts removed in the April 2026 restructure",
    )
    demo_volumes_create(org, end=end, years=years)
    demo_campaigns_create(org, end=end)
    demo_survey_create(org)
    demo_webcheck_create(org)
    demo_principles_create(org, end=end)
    demo_neighbourhoods_create(org, end=end)  # before the places, which sit in them
    demo_outreach_create(org, end=end)
    demo_area_volumes_create(org, end=end)  # after the sessions, whose effect they carry
    demo_alerts_create(org, end=end)  # after the campaigns: a text went through Takeup
    forecasts_refresh(organisation_id=org.pk)  # the pages read stored forecasts
    sign_ins = [
        DemoSignIn(DEMO_ADMIN, DEMO_PASSWORD, "admin"),
        DemoSignIn(DEMO_VIEWER, DEMO_PASSWORD, "viewer"),
    ]
    for sign_in in sign_ins:
        membership_add(
            organisation=org,
            email=sign_in.email,
            role=sign_in.role,
            password=sign_in.password,
            full_name=f"Millbrook {sign_in.role.capitalize()}",
        )
    return org, sign_ins


def demo_volumes_create(org: Organisation, *, end: date, years: int = 3) -> int:
    """Three years of daily volumes from the council's CRM, plus a face-to-face log for the
    libraries that is overdue, so the dashboard shows what a late source looks like."""
    crm = DataSource.objects.create(
        organisation=org,
        name="Millbrook CRM",
        slug="millbrook-crm",
        expected_interval="daily",
        last_received_at=timezone.now(),
    )
    late = DataSource.objects.create(
        organisation=org,
        name="Library counter log",
        slug="library-counter-log",
        expected_interval="weekly",
        last_received_at=timezone.now() - timedelta(days=20),
    )
    services = list(Service.objects.filter(organisation=org).select_related("area"))
    by_slug = {s.slug: s for s in services}
    channels = {c.slug: c.pk for c in Channel.objects.filter(organisation=org)}
    plans = [ServicePlan(s.slug, s.kind, s.area.name, s.online_since) for s in services]
    batches = {
        source.pk: ImportBatch.objects.create(
            organisation=org,
            source=source,
            file_name="demo generator",
            file_format="demo",
            checksum="-",
            status=ImportBatch.Status.APPLIED,
        )
        for source in (crm, late)
    }
    rows = []
    for v in daily_volumes(plans, end=end, years=years, lifts=lifts(demo_campaigns(end))):
        service = by_slug[v.slug]
        source = late if service.area.name == "Libraries" and v.channel == "face-to-face" else crm
        rows.append(
            (
                org.pk,
                service.pk,
                channels[v.channel],
                v.day,
                "day",
                v.measure,
                v.count,
                source.pk,
                batches[source.pk].pk,
                source.priority,
                True,
            )
        )
    insert_volumes(rows)
    month_totals_refresh(organisation_id=org.pk)
    for batch in batches.values():
        batch.rows_read = batch.rows_accepted = Volume.objects.filter(batch=batch).count()
        batch.period_from, batch.period_to = end - timedelta(days=365 * years - 1), end
        batch.save()
    return len(rows)


def demo_campaigns_create(org: Organisation, *, end: date) -> list[Campaign]:
    """Millbrook's six campaigns with their activities, tracked links and arrivals."""
    rng = random.Random(7)
    by_slug = {s.slug: s for s in Service.objects.filter(organisation=org)}
    made: dict[str, Campaign] = {}
    arrivals: list[Arrival] = []
    visitors: list[ArrivalVisitor] = []
    for plan in demo_campaigns(end):
        campaign = campaign_save(
            organisation=org,
            services=[by_slug[s] for s in plan.services],
            name=plan.name,
            objective=plan.objective,
            audience=plan.audience,
            starts_on=plan.start,
            ends_on=plan.end,
            budget_pence=plan.budget_pence,
            phase=plan.phase,
            parent=made.get(plan.parent),
        )
        made[plan.name] = campaign
        for a in plan.activities:
            activity = activity_save(
                organisation=org,
                campaign=campaign,
                vanity=a.vanity or None,
                medium=a.medium,
                place=a.place,
                ward=a.ward,
                starts_on=a.start or plan.start,
                ends_on=a.end or plan.end,
                cost_pence=a.cost_pence,
            )
            link = activity.link
            day, last = activity.starts_on, min(activity.ends_on + timedelta(days=21), end)
            while day <= last:
                fade = 1.0 if day <= activity.ends_on else 0.25
                people = noisy(rng, a.arrivals_a_day * fade)
                qr = sum(rng.random() < a.qr_share for _ in range(people))
                for via, n in (("qr", qr), ("link", people - qr)):
                    mobile = sum(rng.random() < (0.9 if via == "qr" else 0.65) for _ in range(n))
                    for device, k in (("mobile", mobile), ("desktop", n - mobile)):
                        if k:
                            referrer = a.referrer if via == "link" else ""
                            arrivals.append(
                                Arrival(
                                    organisation_id=link.organisation_id,
                                    link=link,
                                    day=day,
                                    device=device,
                                    referrer_host=referrer,
                                    via=via,
                                    count=k,
                                )
                            )
                visitors += [
                    ArrivalVisitor(link=link, day=day, visitor=f"{rng.getrandbits(128):032x}")
                    for _ in range(round(people * 0.93))
                ]
                bots = noisy(rng, 0.6)
                if bots:
                    arrivals.append(
                        Arrival(
                            organisation_id=link.organisation_id,
                            link=link,
                            day=day,
                            device="unknown",
                            via="link",
                            is_bot=True,
                            count=bots,
                        )
                    )
                day += timedelta(days=1)
    Arrival.objects.bulk_create(arrivals)
    ArrivalVisitor.objects.bulk_create(visitors, batch_size=2000)
    return list(made.values())


def demo_survey_create(org: Organisation) -> Survey:
    """An exit survey on Millbrook's website with a quarter of answers (about 5,000)."""
    survey = survey_save(
        organisation=org,
        name="Website exit survey",
        sampling_percent=20,
        allowed_origins=[f"https://www.{DEMO_DOMAIN}"],
    )
    services = list(
        Service.objects.filter(organisation=org).exclude(online_url="").select_related("area")
    )
    paths: dict[str, list[str]] = {}
    for service in services:
        path = urlsplit(service.online_url).path
        PathRule.objects.create(survey=survey, prefix=path, service=service)
        paths.setdefault(service.area.name, []).append(path)
    by_path = {urlsplit(s.online_url).path: s for s in services}
    Response.objects.bulk_create(
        Response(
            organisation=org,
            survey=survey,
            path=r.path,
            service=by_path[r.path],
            area=by_path[r.path].area,
            received_at=r.received_at,
            device=r.device,
            language=r.language,
            answers=r.answers,
        )
        for r in survey_responses(paths, timezone.now())
    )
    return survey

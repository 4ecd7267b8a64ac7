"""Building the demo organisation, Millbrook City Council. Used by `takeup demo`, tests and
benchmarks, so it is quick and gives the same catalogue every time."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from takeup.catalogue.csvimport import slugify
from takeup.catalogue.models import Channel, Service, ServiceArea
from takeup.ledger.models import DataSource, ImportBatch, Volume
from takeup.ledger.services import insert_volumes, month_totals_refresh
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import membership_add, organisation_create

from .catalogue import SERVICES
from .volumes import ServicePlan, daily_volumes

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
    for service in services:
        service.full_clean()
    Service.objects.bulk_create(services)
    demo_volumes_create(org, end=end or timezone.localdate() - timedelta(days=1), years=years)
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
    for v in daily_volumes(plans, end=end, years=years):
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

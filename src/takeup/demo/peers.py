"""Councils to compare Millbrook with: five more unitary authorities (Millbrook's kind, so its
comparison page has quartiles: the page needs five peers of the same kind), a shire district and
a Welsh unitary authority (other kinds: sharing, but never Millbrook's peers), and a reference
organisation holding figures GOV.UK published for services matched to LGSL codes.

Millbrook and the seven councils share their figures. Each council has a few services, a year
of monthly volumes (small, so `takeup demo` stays quick) and some exit-survey answers. Two of
the services only three unitary peers run, so the page shows the rule about fewer than five."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from takeup.catalogue.models import Channel, Service, ServiceArea
from takeup.core.text import slugify
from takeup.insight.models import Response
from takeup.insight.services import survey_save
from takeup.ledger import periods
from takeup.ledger.models import DataSource, ImportBatch, PublishedFigure
from takeup.ledger.services import insert_volumes, month_totals_refresh
from takeup.organisations.models import Organisation
from takeup.organisations.services import organisation_create

from .catalogue import LGSL
from .webcheck import demo_peer_checks

UNITARY = Organisation.Kind.UNITARY
# (slug, name, kind, nation, how far ahead of Millbrook its take-up runs in points)
COUNCILS = [
    ("kingsbridge", "Kingsbridge Council", UNITARY, "england", 6),
    ("eastmoor", "Eastmoor Council", UNITARY, "england", -9),
    ("fairhaven", "Fairhaven Council", UNITARY, "england", 2),
    ("hollins-cross", "Hollins Cross Council", UNITARY, "england", -4),
    ("westbury-downs", "Westbury Downs Council", UNITARY, "england", 11),
    ("lowfield", "Lowfield District Council", Organisation.Kind.SHIRE_DISTRICT, "england", -2),
    ("cwm-taran", "Cwm Taran County Borough Council", Organisation.Kind.WELSH_UNITARY, "wales", 0),
]
# (name, area, kind, LGSL code, digital share, transactions a month); "few" are run by three.
SERVICES = [
    ("Report a missed bin", "Waste", "report", 524, 0.72, 2400),
    ("Book a bulky waste collection", "Waste", "book", 528, 0.66, 900),
    ("Garden waste subscription", "Waste", "pay", 530, 0.85, 1800),
    ("Parking permits", "Parking", "apply", 474, 0.83, 3500),
    ("Pay council tax", "Council tax", "pay", 58, 0.58, 30000),
    ("Single person discount", "Council tax", "apply", 59, 0.7, 400),
    ("Council tax reduction", "Benefits", "apply", 63, 0.5, 700),
    ("Blue Badge", "Adult social care", "apply", 279, 0.62, 450),
    ("Report a pothole", "Highways", "report", 557, 0.64, 800),
    ("Street lighting faults", "Highways", "report", 564, 0.7, 300),
    ("Fly-tipping", "Highways", "report", 587, 0.6, 500),
    ("Copy certificates", "Registrars", "apply", 663, 0.8, 600),
    ("Premises licence", "Licensing", "apply", 860, 0.55, 40),
]
FEW = {
    "Join the library": ("Libraries", "apply", 438, 0.6, 500),
    "Temporary event notices": ("Licensing", "apply", 1071, 0.8, 90),
}
OFFLINE_MIX = {"phone": 0.62, "face-to-face": 0.2, "email": 0.12, "post": 0.06}
# GOV.UK's transactions explorer, as published: (name, quarter's last day, all, digital).
GOVUK = [
    (
        "Orders for a copy of a birth, death or marriage certificate",
        date(2017, 12, 31),
        1327057,
        1162864,
    ),
    (
        "Online applications for local and regulatory authority licences",
        date(2017, 6, 30),
        139467,
        139467,
    ),
]
REFERENCE_SLUG = "govuk-reference"


def demo_peers_create(millbrook: Organisation, *, end: date | None = None) -> list[Organisation]:
    """Give Millbrook's services their LGSL codes, make it share, and (re)build the councils it
    is compared with. Run after demo_create."""
    services = list(Service.objects.filter(organisation=millbrook))
    for service in services:
        service.lgsl = LGSL.get(service.name)
    Service.objects.bulk_update(services, ["lgsl"])
    millbrook.shares_figures = True
    millbrook.save(update_fields=["shares_figures"])
    Organisation.objects.filter(slug__in=[c[0] for c in COUNCILS] + [REFERENCE_SLUG]).delete()
    end = end or timezone.localdate() - timedelta(days=1)
    rng = random.Random(13)
    made = [
        _council(rng, slug, name, kind, nation, ahead, number, end)
        for number, (slug, name, kind, nation, ahead) in enumerate(COUNCILS)
    ]
    _reference()
    demo_peer_checks(made)
    return made


def _council(
    rng: random.Random,
    slug: str,
    name: str,
    kind: str,
    nation: str,
    ahead: int,
    number: int,
    end: date,
) -> Organisation:
    org = organisation_create(
        name=name, slug=slug, kind=kind, nation=nation, allowed_domains=[f"{slug}.gov.uk"]
    )
    org.shares_figures = True
    org.save(update_fields=["shares_figures"])
    plans = list(SERVICES)
    if number < 3:
        plans += [(n, *rest) for n, rest in FEW.items()]
    areas: dict[str, ServiceArea] = {}
    services = []
    for service_name, area, service_kind, code, _share, _monthly in plans:
        if area not in areas:
            areas[area] = ServiceArea.objects.create(
                organisation=org, name=area, slug=slugify(area)
            )
        services.append(
            Service.objects.create(
                organisation=org,
                area=areas[area],
                name=service_name,
                slug=slugify(service_name),
                kind=service_kind,
                lgsl=code,
            )
        )
    channels = {c.slug: c.pk for c in Channel.objects.filter(organisation=org)}
    source = DataSource.objects.create(
        organisation=org, name=f"{name} CRM", slug="crm", expected_interval="monthly"
    )
    batch = ImportBatch.objects.create(
        organisation=org,
        source=source,
        file_name="demo generator",
        file_format="demo",
        checksum="-",
        status=ImportBatch.Status.APPLIED,
    )
    last_month = periods.last_complete("month", end)
    rows = []
    for service, (_n, _a, _k, _code, share, monthly) in zip(services, plans, strict=True):
        scale = rng.uniform(0.4, 1.6)
        month = last_month.start
        for back in range(12):
            digital_share = min(
                0.98, max(0.05, share + ahead / 100 - back * 0.004 + rng.gauss(0, 0.04))
            )
            total = max(1, round(monthly * scale * rng.uniform(0.9, 1.1)))
            web = round(total * digital_share)
            counts = {"web": web, **{c: round((total - web) * s) for c, s in OFFLINE_MIX.items()}}
            for channel, count in counts.items():
                rows.append(
                    (
                        org.pk,
                        service.pk,
                        channels[channel],
                        month,
                        "month",
                        "transactions",
                        count,
                        source.pk,
                        batch.pk,
                        source.priority,
                        True,
                    )
                )
            month = periods.month(month - timedelta(days=1)).start
    insert_volumes(rows)
    month_totals_refresh(organisation_id=org.pk)
    survey = survey_save(
        organisation=org, name="Website exit survey", sampling_percent=10, allowed_origins=[]
    )
    quarter = periods.last_complete("quarter", end)
    responses = []
    for service in services:
        satisfied = rng.uniform(0.55, 0.85)
        for _answer in range(rng.randint(12, 40)):
            day = quarter.start + timedelta(days=rng.randrange(quarter.days))
            happy = rng.random() < satisfied
            responses.append(
                Response(
                    organisation=org,
                    survey=survey,
                    service=service,
                    area=service.area,
                    received_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                    answers={
                        "satisfaction": rng.choice(["4", "5"])
                        if happy
                        else rng.choice(["1", "2", "3"])
                    },
                )
            )
    Response.objects.bulk_create(responses)
    return org


def _reference() -> Organisation:
    """A central government reference: figures as GOV.UK published them (imported elsewhere by
    `takeup import FILE --profile govuk-transactions-explorer`), for two matched services."""
    org = organisation_create(
        name="GOV.UK transactions explorer (reference)",
        slug=REFERENCE_SLUG,
        kind=Organisation.Kind.CENTRAL_GOVERNMENT,
        nation=Organisation.Nation.UK,
    )
    org.shares_figures = True
    org.save(update_fields=["shares_figures"])
    area = ServiceArea.objects.create(organisation=org, name="Published services", slug="published")
    source = DataSource.objects.create(
        organisation=org,
        name="GOV.UK transactions explorer",
        slug="govuk",
        expected_interval="monthly",
    )
    for name, period_end, total, digital in GOVUK:
        service = Service.objects.create(
            organisation=org, area=area, name=name, slug=slugify(name)[:80], kind="apply"
        )
        for kind, value in (("transactions", total), ("digital_transactions", digital)):
            PublishedFigure.objects.create(
                organisation=org,
                service=service,
                source=source,
                kind=kind,
                period_end=period_end,
                months=3,
                value=Decimal(value),
            )
    return org

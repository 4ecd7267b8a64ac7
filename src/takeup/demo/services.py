"""Building the demo organisation, Millbrook City Council. Used by `takeup demo`, tests and
benchmarks, so it is quick and gives the same catalogue every time."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from takeup.catalogue.csvimport import slugify
from takeup.catalogue.models import Service, ServiceArea
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import membership_add, organisation_create

from .catalogue import SERVICES

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
def demo_create() -> tuple[Organisation, list[DemoSignIn]]:
    """(Re)build Millbrook from scratch: anything left from an earlier build is replaced."""
    # Services protect their service areas, so they go first.
    Service.objects.filter(organisation__slug=DEMO_SLUG).delete()
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

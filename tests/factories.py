"""Test data. Organisations are made through the real service, so they start as production's do."""

from typing import Any

from factory.base import Factory
from factory.declarations import (
    LazyAttribute,
    PostGeneration,
    PostGenerationMethodCall,
    SelfAttribute,
    Sequence,
    SubFactory,
)
from factory.django import DjangoModelFactory
from factory.faker import Faker

from takeup.catalogue.models import Service, ServiceArea
from takeup.organisations.models import Membership, Organisation, User
from takeup.organisations.services import organisation_create


class OrganisationFactory(Factory[Organisation]):
    class Meta:
        model = Organisation

    name = Sequence(lambda n: f"Testshire Council {n}")
    slug = Sequence(lambda n: f"testshire-{n}")
    kind = Organisation.Kind.COUNTY
    nation = Organisation.Nation.ENGLAND
    allowed_domains = LazyAttribute(lambda o: [f"{o.slug}.gov.uk"])

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: Any) -> Organisation:
        return organisation_create(**kwargs)


def _save_if_created(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
    if create:
        obj.save()


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"person{n}@example.org")
    full_name = Faker("name", locale="en_GB")
    password = PostGenerationMethodCall("set_password", "correct horse battery")
    saved = PostGeneration(_save_if_created)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organisation = SubFactory(OrganisationFactory)
    user = SubFactory(UserFactory)
    role = "viewer"


class ServiceAreaFactory(DjangoModelFactory[ServiceArea]):
    class Meta:
        model = ServiceArea

    organisation = SubFactory(OrganisationFactory)
    name = Sequence(lambda n: f"Area {n}")
    slug = Sequence(lambda n: f"area-{n}")


class ServiceFactory(DjangoModelFactory[Service]):
    class Meta:
        model = Service

    organisation = SubFactory(OrganisationFactory)
    area = SubFactory(ServiceAreaFactory, organisation=SelfAttribute("..organisation"))
    name = Sequence(lambda n: f"Report thing {n}")
    slug = Sequence(lambda n: f"report-thing-{n}")
    kind = Service.Kind.REPORT

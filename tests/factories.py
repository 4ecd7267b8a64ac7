"""Test data. Organisations are made through the real service, so they start as production's do."""

import factory
from factory.django import DjangoModelFactory

from takeup.catalogue.models import Service, ServiceArea
from takeup.organisations.models import Membership, Organisation, User
from takeup.organisations.services import organisation_create


class OrganisationFactory(factory.Factory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    kind = Organisation.Kind.COUNTY
    nation = Organisation.Nation.ENGLAND
    allowed_domains = factory.LazyAttribute(lambda o: [f"{o.slug}.gov.uk"])

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Organisation:
        return organisation_create(**kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = "viewer"


class ServiceAreaFactory(DjangoModelFactory):
    class Meta:
        model = ServiceArea

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    area = factory.SubFactory(
        ServiceAreaFactory, organisation=factory.SelfAttribute("..organisation")
    )
    name = factory.Sequence(lambda n: f"Report thing {n}")
    slug = factory.Sequence(lambda n: f"report-thing-{n}")
    kind = Service.Kind.REPORT

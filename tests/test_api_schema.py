"""Schemathesis: every API operation, fed generated input, answers as its schema says."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from takeup.organisations.services import api_key_create
from takeup.wsgi import application
from tests.factories import OrganisationFactory, ServiceAreaFactory, ServiceFactory

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    # Schemathesis calls the WSGI app directly, so Django would close the database connection
    # after each request, as in production; the test's transaction needs it open (Django's own
    # test client disconnects the same handlers).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(db: None, _keep_test_connection: None) -> dict[str, str]:
    org = OrganisationFactory.create(slug="schema", allowed_domains=["schema.gov.uk"])
    area = ServiceAreaFactory.create(organisation=org, slug="parking")
    ServiceFactory.create(organisation=org, area=area, slug="pay-a-fine")
    _, raw = api_key_create(organisation=org, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case[Any], auth_header: dict[str, str]
) -> None:
    # Schema-valid bodies may still break a rule the schema cannot state (an unknown service area,
    # a name already taken, a domain not allowed); those are 422s naming the field, so the
    # "valid data is accepted" check is left out. Unknown query parameters are ignored, as most
    # APIs do, so "invalid data is rejected" is left out too; tests/catalogue/test_api.py tries
    # bad bodies one by one. Generated garbage must still never give a 5xx or an undocumented
    # status, and every response must match its schema.
    case.call_and_validate(
        headers=auth_header, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )

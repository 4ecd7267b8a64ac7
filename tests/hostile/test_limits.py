"""Limits answer with a clear error, never a 500."""

import json

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_volumes_body_over_the_limit_is_413_in_the_api_shape(
    api_client: Client, org: Organisation, service: Service
) -> None:
    row = {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 1}
    body = json.dumps({"source": "CRM", "rows": [row] * 40_000})
    assert len(body) > 2_621_440
    response = api_client.post("/api/volumes", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The body is larger than 2.6 MB")
    assert response.json()["errors"] == [{"field": "body", "message": "Too large"}]
    assert not Volume.objects.exists()

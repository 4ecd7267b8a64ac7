"""The old performance platform's write API: the documented example requests, its answer shape,
`_id` overwrites, records that add up rather than wipe, and `PUT []`."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation
from takeup.organisations.services import api_key_create
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
# The platform's published example records, as in performanceplatform-onboarding-schemas
# tools/fixtures/ (../shared/data/performance-platform-schemas), unchanged.
EXAMPLES = {
    "transactions-by-channel.json": {
        "_id": "url-friendly Base64 encoding of '<_timestamp>.<period>.<channel>'",
        "_timestamp": "2015-06-10T00:00:00+00:00",
        "period": "week",
        "channel": "phone",
        "count": 2000,
    },
    "transactions-by-channel-type.json": {
        "_id": "url-friendly Base64 encoding of '<_timestamp>.<period>.<channel_type>.<channel>'",
        "_timestamp": "2015-06-10T00:00:00+00:00",
        "period": "week",
        "channel_type": "digital",
        "channel": "phone",
        "count": 2000,
    },
}


@pytest.fixture
def token(org: Organisation) -> str:
    return api_key_create(organisation=org, name="old platform scripts")[1]


def send(
    token: str, path: str, body: object, method: str = "post", **headers: str
) -> ClientResponse:
    call: Callable[..., ClientResponse] = getattr(Client(), method)
    return call(
        path,
        json.dumps(body),
        content_type=headers.pop("content_type", "application/json"),
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def counts(service: Service) -> dict[tuple[date, str], int]:
    return {
        (v.period_start, v.channel.slug): v.count
        for v in Volume.objects.filter(service=service, counted=True).select_related("channel")
    }


def example(name: str) -> dict[str, object]:
    shared = Path(__file__).parents[3] / "shared/data/performance-platform-schemas/tools/fixtures"
    if (shared / name).exists():  # where the published file is at hand, check we copied it right
        assert json.loads((shared / name).read_text()) == EXAMPLES[name]
    return dict(EXAMPLES[name])


def test_the_documented_example_as_published_is_refused_for_its_wednesday_week(
    token: str, service: Service
) -> None:
    record = example("transactions-by-channel.json")
    response = send(token, f"/data/{service.slug}/transactions-by-channel", [record])
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert "Monday" in response.json()["message"]
    assert not Volume.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "data_type"),
    [
        ("transactions-by-channel.json", "transactions-by-channel"),
        ("transactions-by-channel-type.json", "transactions-by-channel-type"),
    ],
)
def test_the_documented_examples_store_their_figures(
    token: str, service: Service, fixture: str, data_type: str
) -> None:
    record = {**example(fixture), "_timestamp": "2015-06-08T00:00:00+00:00"}  # its Monday
    response = send(token, f"/data/{service.slug}/{data_type}", [record])
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok"}
    assert counts(service) == {(date(2015, 6, 8), "phone"): 2000}
    assert Volume.objects.get().period == "week"


def test_a_repeated_id_overwrites_and_other_records_add_up(token: str, service: Service) -> None:
    url = f"/data/{service.slug}/transactions-by-channel"

    def record(rid: str, day: str, n: int) -> dict[str, object]:
        return {
            "_id": rid,
            "_timestamp": f"{day}T00:00:00Z",
            "period": "day",
            "channel": "web",
            "count": n,
        }

    assert send(token, url, [record("a", "2026-03-02", 5)]).status_code == 200
    assert send(token, url, [record("b", "2026-03-10", 9)]).status_code == 200
    assert counts(service) == {(date(2026, 3, 2), "web"): 5, (date(2026, 3, 10), "web"): 9}
    # "a" again, moved to another day: its old figure goes.
    assert send(token, url, record("a", "2026-03-03", 7)).status_code == 200  # one object
    assert counts(service) == {(date(2026, 3, 3), "web"): 7, (date(2026, 3, 10), "web"): 9}
    emptied = send(token, url, [], method="put")
    assert emptied.json() == {
        "status": "ok",
        "message": f"{service.slug.replace('-', '_')}_transactions_by_channel now contains 0 "
        "records",
    }
    assert counts(service) == {}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            [{"_id": "x", "_timestamp": "2026-03-02", "period": "day", "channel": "web"}],
            "missing count",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "2026-03-02",
                    "period": "day",
                    "channel": "web",
                    "count": 1,
                    "colour": "red",
                }
            ],
            "unknown colour",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "2026-03-02",
                    "period": "hour",
                    "channel": "web",
                    "count": 1,
                }
            ],
            "day, week or month",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "yesterday",
                    "period": "day",
                    "channel": "web",
                    "count": 1,
                }
            ],
            "ISO 8601",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "2026-03-02",
                    "period": "day",
                    "channel": "web",
                    "count": -1,
                }
            ],
            "from 0 to",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "2026-03-02",
                    "period": "day",
                    "channel": "web",
                    "count": 10**19,
                }
            ],
            "from 0 to 1,000,000,000,000",
        ),
        (
            [
                {
                    "_id": "x",
                    "_timestamp": "2026-03-02",
                    "period": "day",
                    "channel": "pigeon",
                    "count": 1,
                }
            ],
            "No channel called 'pigeon'",
        ),
        ([], "at least one record"),
    ],
)
def test_bad_records_are_refused_in_the_platforms_shape(
    token: str, service: Service, body: object, says: str
) -> None:
    response = send(token, f"/data/{service.slug}/transactions-by-channel", body)
    assert response.status_code == 400
    assert response.json()["status"] == "error" and says in response.json()["message"]
    assert not Volume.objects.exists()


def test_who_may_write_and_where(token: str, service: Service, org: Organisation) -> None:
    url = f"/data/{service.slug}/transactions-by-channel"
    assert Client().post(url, "[]", content_type="application/json").status_code == 401
    assert send("tk_bad_key", url, []).json()["status"] == "error"
    assert send(token, "/data/no-such-service/transactions-by-channel", []).status_code == 404
    assert send(token, f"/data/{service.slug}/transaction-count", []).status_code == 404
    assert send(token, url, [], content_type="text/plain").status_code == 415
    bad = Client().post(
        url, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert bad.status_code == 400 and bad.json()["status"] == "error"
    assert send(token, url, [{"a": 1}], method="put").status_code == 400
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405


def test_ids_that_repeat_or_share_a_figure_stay_consistent(token: str, service: Service) -> None:
    url = f"/data/{service.slug}/transactions-by-channel"

    def record(rid: str, day: str, n: int) -> dict[str, object]:
        return {
            "_id": rid,
            "_timestamp": f"{day}T00:00:00Z",
            "period": "day",
            "channel": "web",
            "count": n,
        }

    twice = send(token, url, [record("a", "2026-03-02", 1), record("a", "2026-03-03", 2)])
    assert twice.status_code == 400 and "same as record 0" in twice.json()["message"]
    assert send(token, url, [record("a", "2026-03-02", 5)]).status_code == 200
    # "b" now gives the figure "a" gave: moving "a" later must not take "b"'s away.
    assert send(token, url, [record("b", "2026-03-02", 6)]).status_code == 200
    assert send(token, url, [record("a", "2026-03-09", 7)]).status_code == 200
    assert counts(service) == {(date(2026, 3, 2), "web"): 6, (date(2026, 3, 9), "web"): 7}

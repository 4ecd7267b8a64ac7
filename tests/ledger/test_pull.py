"""The scheduled pull of web visits, against a local HTTP server started here (127.0.0.1 only)
that answers as Matomo's Reporting API and Plausible's Stats API v2 are documented to."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from takeup.catalogue.models import Service
from takeup.ledger import pull
from takeup.ledger.models import DataSource, ImportBatch, Volume
from takeup.ledger.services import data_source_get_or_create, source_profile_save
from takeup.ledger.tasks import source_pull, sources_pull
from takeup.organisations.models import AuditEvent, Organisation

pytestmark = pytest.mark.django_db
DAY = "2026-03-02"


@dataclass
class Script:
    """What the server answers, in turn (the last answer repeats), and what it was asked."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    hang: int = 0  # this many first requests get no answer in time


def matomo_answer(day: str = DAY) -> dict[str, Any]:
    return {
        day: [
            {
                "label": "bins/missed",
                "nb_visits": 120,
                "url": "https://www.example.gov.uk/bins/missed",
            },
            {"label": "parking", "nb_visits": 7, "url": "https://www.example.gov.uk/parking"},
        ]
    }


def plausible_answer(day: str = DAY) -> dict[str, Any]:
    return {
        "results": [
            {"dimensions": ["/bins/missed", day], "metrics": [80]},
            {"dimensions": ["/bins/missed/thanks", day], "metrics": [5]},
        ],
        "meta": {},
        "query": {
            "site_id": "www.example.gov.uk",
            "metrics": ["visits"],
            "date_range": [f"{day}T00:00:00Z", f"{day}T23:59:59Z"],
            "dimensions": ["event:page", "time:day"],
        },
    }


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            script.requests.append(
                {
                    "path": urlsplit(self.path).path,
                    "query": parse_qs(urlsplit(self.path).query),
                    "body": body,
                    "authorization": self.headers.get("Authorization"),
                }
            )
            if len(script.requests) <= script.hang:
                release.wait(5)  # longer than the client waits
            n = min(len(script.requests) - script.hang, len(script.answers)) - 1
            status, doc = script.answers[max(n, 0)]
            data = json.dumps(doc).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff waits asked for, without waiting."""
    asked: list[float] = []
    monkeypatch.setattr(pull, "pause", asked.append)
    return asked


def website(org: Organisation, url: str, kind: str) -> DataSource:
    source = data_source_get_or_create(org, "Website")
    source_profile_save(
        source=source,
        pages=[("/bins/missed", "report-a-missed-bin")],
        pull={"kind": kind, "url": url, "site": "1", "token": "s3cret"},
    )
    return source


def visits(org: Organisation) -> int:
    found = Volume.objects.filter(organisation=org, counted=True, measure="visits")
    return found.aggregate(n=Sum("count"))["n"] or 0


def test_a_matomo_pull_imports_the_day_and_sends_the_token_in_the_body(
    org: Organisation, service: Service, server: tuple[str, Script], waits: list[float]
) -> None:
    url, script = server
    script.answers = [(200, matomo_answer())]
    source = website(org, url, "matomo")
    assert source_pull.call(source.pk, DAY) == ImportBatch.Status.APPLIED
    assert visits(org) == 120
    asked = script.requests[0]
    assert asked["path"] == "/index.php"
    assert asked["query"]["method"] == ["Actions.getPageUrls"]
    assert asked["query"]["date"] == [f"{DAY},{DAY}"] and asked["query"]["period"] == ["day"]
    assert "token_auth" not in asked["query"] and parse_qs(asked["body"])["token_auth"] == [
        "s3cret"
    ]
    source.refresh_from_db()
    assert source.last_received_at is not None
    # pulled again: replaced, not added
    assert source_pull.call(source.pk, DAY) == ImportBatch.Status.APPLIED
    assert visits(org) == 120


def test_a_plausible_pull_asks_for_pages_by_day_with_a_bearer_token(
    org: Organisation, service: Service, server: tuple[str, Script], waits: list[float]
) -> None:
    url, script = server
    script.answers = [(200, plausible_answer())]
    source = website(org, url, "plausible")
    assert source_pull.call(source.pk, DAY) == ImportBatch.Status.APPLIED
    assert visits(org) == 85
    asked = script.requests[0]
    assert asked["path"] == "/api/v2/query" and asked["authorization"] == "Bearer s3cret"
    query = json.loads(asked["body"])
    assert query["dimensions"] == ["event:page", "time:day"]
    assert query["date_range"] == [DAY, DAY]


def test_5xx_is_retried_three_times_with_longer_waits(
    org: Organisation, service: Service, server: tuple[str, Script], waits: list[float]
) -> None:
    url, script = server
    script.answers = [(503, {}), (502, {}), (200, plausible_answer())]
    source = website(org, url, "plausible")
    assert source_pull.call(source.pk, DAY) == ImportBatch.Status.APPLIED
    assert len(script.requests) == 3 and waits == [2.0, 4.0]


def test_5xx_every_time_fails_the_task_after_three_retries_and_the_source_goes_overdue(
    org: Organisation, service: Service, server: tuple[str, Script], waits: list[float]
) -> None:
    url, script = server
    script.answers = [(500, {})]
    source = website(org, url, "plausible")
    with pytest.raises(pull.PullFailed, match=r"answered 500.*after 3 retries"):
        source_pull.call(source.pk, DAY)
    assert len(script.requests) == 4 and waits == [2.0, 4.0, 8.0]
    source.refresh_from_db()
    assert source.last_received_at is None and not Volume.objects.exists()


def test_a_timeout_is_retried(
    org: Organisation,
    service: Service,
    server: tuple[str, Script],
    waits: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, script = server
    monkeypatch.setattr(pull, "TIMEOUT", httpx.Timeout(0.2))
    script.hang, script.answers = 1, [(200, plausible_answer())]
    source = website(org, url, "plausible")
    assert source_pull.call(source.pk, DAY) == ImportBatch.Status.APPLIED
    assert len(script.requests) == 2 and waits == [2.0]


@pytest.mark.parametrize(
    ("kind", "answer", "reason"),
    [
        (
            "plausible",
            (401, {"error": "Invalid API key"}),
            "Plausible answered 401: Invalid API key",
        ),
        ("matomo", (404, {}), "Matomo answered 404"),
        (
            "matomo",
            (200, {"result": "error", "message": "You can't access this resource"}),
            "Matomo refused: You can't access this resource",
        ),
    ],
)
def test_a_4xx_is_a_permanent_failure_recorded_once(
    org: Organisation,
    service: Service,
    server: tuple[str, Script],
    waits: list[float],
    kind: str,
    answer: tuple[int, Any],
    reason: str,
) -> None:
    url, script = server
    script.answers = [answer]
    source = website(org, url, kind)
    assert source_pull.call(source.pk, DAY) == "failed"
    assert len(script.requests) == 1 and waits == []
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.errors[0]["message"].startswith(reason)
    source.refresh_from_db()
    assert source.last_received_at is None


def test_only_sources_with_a_pull_are_pulled(
    org: Organisation, service: Service, server: tuple[str, Script]
) -> None:
    url, _script = server
    source = website(org, url, "matomo")
    data_source_get_or_create(org, "CRM")
    assert sources_pull.call() == [source.pk]


def test_the_cli_sets_a_pull_and_the_audit_log_never_holds_the_token(
    org: Organisation, service: Service
) -> None:
    out = StringIO()
    call_command(
        "source",
        "set",
        "Website",
        "--pull",
        "matomo",
        "--pull-url",
        "https://analytics.example.gov.uk/",
        "--pull-site",
        "3",
        "--pull-token",
        "s3cret",
        stdout=out,
    )
    assert "pull: matomo https://analytics.example.gov.uk site 3" in out.getvalue()
    source = DataSource.objects.get(name="Website")
    assert source.profile["pull"]["token"] == "s3cret"
    assert "s3cret" not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    call_command("source", "set", "Website", "--pull", "off", stdout=StringIO())
    source.refresh_from_db()
    assert source.profile["pull"] is None


def test_the_pull_command_fetches_one_source_now_or_says_why_not(
    org: Organisation, service: Service, server: tuple[str, Script], waits: list[float]
) -> None:
    url, script = server
    script.answers = [(200, matomo_answer())]
    source = website(org, url, "matomo")
    out = StringIO()
    call_command("pull", "--now", "--source", str(source.pk), "--day", DAY, stdout=out)
    assert "Pulled: applied" in out.getvalue() and visits(org) == 120
    script.answers = [(403, {"message": "Token is not valid"})]
    script.requests.clear()
    with pytest.raises(CommandError, match="failed"):
        call_command("pull", "--now", "--source", str(source.pk), "--day", DAY)
    with pytest.raises(CommandError, match="yyyy-mm-dd"):
        call_command("pull", "--day", "02/03/2026")

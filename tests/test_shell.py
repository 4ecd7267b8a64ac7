"""The UI shell: Welsh, cookies, security headers, production settings, migrations, the demo."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from takeup.campaigns.models import Arrival, Campaign, TrackedLink
from takeup.catalogue.models import Service, ServiceArea, UnitCost
from takeup.charts import bar_chart
from takeup.ledger.models import Volume
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_welsh_switch(viewer_client: Client, org: Organisation) -> None:
    english = viewer_client.get(f"/o/{org.slug}/catalogue/services/").content.decode()
    assert '<html lang="en"' in english
    assert f'href="/cy/o/{org.slug}/catalogue/services/"' in english and ">Cymraeg<" in english
    response = viewer_client.get(f"/cy/o/{org.slug}/catalogue/services/")
    assert response.status_code == 200
    welsh = response.content.decode()
    assert '<html lang="cy"' in welsh
    assert "Gwasanaethau" in welsh  # Services
    assert "Neidio i’r prif gynnwys" in welsh  # Skip to main content
    assert f'href="/o/{org.slug}/catalogue/services/"' in welsh and ">English<" in welsh


def test_welsh_sign_in_and_errors(db: None) -> None:
    page = Client().get("/cy/sign-in/").content.decode()
    assert "Mewngofnodi" in page
    response = Client().post("/cy/password-reset/", {"email": "nope"})
    assert "Mae problem" in response.content.decode()  # There is a problem


def test_every_shell_string_is_translated() -> None:
    import polib

    from takeup.settings import BASE_DIR

    catalogue = polib.pofile(str(BASE_DIR / "locale/cy/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert missing == []
    # The compiled catalogue Django reads must be the one in the .po (run `make messages`).
    compiled = polib.mofile(str(BASE_DIR / "locale/cy/LC_MESSAGES/django.mo"))
    assert {e.msgid: e.msgstr for e in compiled} == {
        e.msgid: e.msgstr for e in catalogue if e.translated()
    }


def test_no_cookies_but_session_and_csrf(viewer_client: Client, org: Organisation) -> None:
    client = Client()
    client.get("/sign-in/")
    client.post("/sign-in/", {"username": "x@example.org", "password": "wrong"})
    for url in [f"/o/{org.slug}/", f"/cy/o/{org.slug}/", f"/o/{org.slug}/catalogue/services/"]:
        viewer_client.get(url)
    names = set(client.cookies.keys()) | set(viewer_client.cookies.keys())
    assert names <= {"takeup_session", "takeup_csrftoken"}, names


def test_security_headers(client: Client) -> None:
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'class="govuk-skip-link"' in response.content.decode()


def test_chart_partial_draws_spec_and_table(viewer_client: Client, org: Organisation) -> None:
    from django.template.loader import render_to_string

    chart = bar_chart(
        id="c1",
        title="Calls",
        records=[{"m": "Jan", "n": 3}, {"m": "Feb", "n": 5}],
        category="m",
        value="n",
        category_label="Month",
        value_label="Calls",
        csv_url="/x.csv",
    )
    html = render_to_string("partials/chart.html", {"chart": chart})
    assert 'data-chart-spec="c1-spec"' in html and '<script id="c1-spec"' in html
    assert html.count('<tr class="govuk-table__row">') == 3  # header and two rows
    assert 'href="/x.csv"' in html


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 60 + "production-secret-for-check",
        "ALLOWED_HOSTS": "takeup.millbrook.gov.uk",
        "TAKEUP_VAR_DIR": str(tmp_path),
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "takeup.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_missing_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_demo_builds_millbrook_and_can_be_rebuilt(capsys: pytest.CaptureFixture[str]) -> None:
    # Estimates take half a minute; tests/campaigns covers them, and `make demo` runs them.
    call_command("demo", "--years", "1", "--no-estimates")
    call_command("demo", "--no-estimates", "--host", "127.0.0.1:8101")  # replaces the first
    out = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:8101/sign-in/" in out
    org = Organisation.objects.get(slug="millbrook")
    assert org.name == "Millbrook City Council" and org.kind == "unitary"
    assert 35 <= Service.objects.filter(organisation=org).count() <= 45
    areas = set(ServiceArea.objects.filter(organisation=org).values_list("slug", flat=True))
    assert {
        "waste-and-recycling",
        "parking",
        "council-tax",
        "benefits",
        "housing",
        "adult-social-care",
        "planning",
        "licensing",
        "libraries",
        "highways",
    } <= areas
    assert UnitCost.objects.filter(organisation=org).count() == 3
    assert "admin@millbrook.example" in out and "viewer@millbrook.example" in out
    days = Volume.objects.filter(organisation=org).dates("period_start", "day")
    assert 3 * 365 - 3 <= len(days) <= 3 * 365
    assert Volume.objects.filter(organisation=org).count() > 100_000
    client = Client()
    assert (
        client.post(
            "/sign-in/", {"username": "viewer@millbrook.example", "password": "millbrook-demo-2026"}
        ).status_code
        == 302
    )
    page = client.get("/o/millbrook/catalogue/services/").content.decode()
    assert "Apply for a visitor parking permit" in page
    campaigns = Campaign.objects.filter(organisation=org)
    assert campaigns.count() == 7  # six campaigns, one of them in two phases
    assert campaigns.get(phase="Phase 2").parent == campaigns.get(phase="Phase 1")
    assert Arrival.objects.filter(link__organisation=org, is_bot=False).count() > 100
    assert TrackedLink.objects.get(vanity="bins").activity.medium == "radio"
    assert not refused_links(client, ["/o/millbrook/", "/o/millbrook/take-up/"])
    # A break in take-up is flagged to everyone; only a role that can add notes is offered to.
    flagged = [
        service_page
        for s in Service.objects.filter(organisation=org)
        if "takeup-break"
        in (service_page := client.get(f"/o/millbrook/take-up/services/{s.slug}/")).content.decode()
    ]
    assert flagged and not any(b"Add a note" in p.content for p in flagged)


def refused_links(client: Client, starts: list[str], limit: int = 300) -> list[str]:
    """Follow the links a signed-in member is shown, two clicks deep from `starts`, and list
    those that answer 403: an action the role cannot take should not be offered."""
    seen, refused, frontier = set(starts), [], list(starts)
    for _ in range(2):
        found: list[str] = []
        for address in frontier:
            response = client.get(address)
            if response.status_code == 403:
                refused.append(address)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            for href in re.findall(r'href="(/o/millbrook/[^"#]*)"', response.content.decode()):
                href = html.unescape(href)
                if "download=" not in href and href not in seen and len(seen) < limit:
                    seen.add(href)
                    found.append(href)
        frontier = found
    refused += [a for a in frontier if client.get(a).status_code == 403]
    return refused

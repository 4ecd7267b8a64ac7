"""Every CSV download, with hostile text in each text column: nothing reaches a spreadsheet as a
formula, and real negative numbers stay numbers."""

import csv
import io
from datetime import date

import pytest
from django.test import Client

from takeup.campaigns.services import activity_save, campaign_save
from takeup.catalogue.models import Service
from takeup.core.csvsafe import TRIGGERS, neutralise, restore
from takeup.insight.models import Response, Survey
from takeup.insight.services import survey_save
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation
from tests.factories import ServiceAreaFactory, ServiceFactory
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/r","reason")'
HOSTILE = [EVIL, "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def hostile(org: Organisation) -> Service:
    area = ServiceAreaFactory.create(organisation=org, name="+Waste", slug="waste")
    service = ServiceFactory.create(
        organisation=org,
        area=area,
        name="=1+1 bins",
        slug="bins",
        public=True,
        online_url="https://www.millbrook.gov.uk/bins",
    )
    rows = [
        {"date": f"2025-0{m}-10", "service": "bins", "channel": c, "count": n}
        for m in (1, 2, 3, 4)
        for c, n in (("web", 10), ("phone", 5))
    ] + [
        {"date": f"2026-0{m}-10", "service": "bins", "channel": c, "count": n}
        for m in (1, 2, 3, 4)
        for c, n in (("web", 20), ("phone", 9))
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported
    survey = survey_save(organisation=org, name="@survey", sampling_percent=10, allowed_origins=[])
    for text in HOSTILE:
        Response.objects.create(
            organisation=org, survey=survey, area=area, path=text, answers={"comments": text}
        )
    campaign = campaign_save(
        organisation=org,
        services=[service],
        name=EVIL,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 29),
        budget_pence=100,
    )
    activity_save(
        organisation=org,
        campaign=campaign,
        medium="leaflet",
        place="-1+1 surgeries",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 29),
        cost_pence=50,
    )
    return service


def cells(response: ClientResponse) -> list[str]:
    body = response.content.decode()
    return [c for row in csv.reader(io.StringIO(body)) for c in row]


def test_no_download_carries_a_formula(
    viewer_client: Client, client: Client, org: Organisation, hostile: Service
) -> None:
    survey = Survey.objects.get(organisation=org)
    period = "period=custom&from=2026-01-01&to=2026-04-30"
    staff = [
        f"/o/{org.slug}/catalogue/services/?format=csv",
        f"/o/{org.slug}/take-up/?{period}&format=csv",
        f"/o/{org.slug}/take-up/services/bins/?{period}&download=counts",
        f"/o/{org.slug}/take-up/services/bins/?{period}&download=channel-mix",
        f"/o/{org.slug}/take-up/services/bins/?{period}&download=take-up",
        f"/o/{org.slug}/visitors/{survey.pk}/results/?from=2000-01-01&to=2099-12-31&download=responses",
        f"/o/{org.slug}/campaigns/?download=comparison",
    ]
    seen = 0
    for url in staff:
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv"), url
        for cell in cells(response):
            assert cell[:1] not in TRIGGERS or neutralise(cell) == cell, (url, cell)
            seen += cell.startswith("'")
    public = client.get(f"/performance/{org.slug}/bins.csv")
    assert public.status_code == 200
    assert seen >= len(HOSTILE) + 3  # the hostile cells were there, and were neutralised


def test_numbers_stay_numbers_and_the_catalogue_reads_back() -> None:
    assert neutralise(-25.0) == -25.0 and neutralise("-25.0") == "-25.0"
    assert neutralise("-1,204") == "-1,204" and neutralise("+3%") == "+3%"
    assert neutralise("-2+3") == "'-2+3"
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
        assert restore(str(neutralise(text))) == text
    assert restore("'plain") == "'plain"

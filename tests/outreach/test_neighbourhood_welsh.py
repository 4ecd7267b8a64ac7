"""The neighbourhoods and "Did it work?" pages in Welsh: no English string of ours that has Welsh,
no English month, with the forms' errors and the map, the chart and the result showing."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation
from takeup.outreach.models import Indicator, Neighbourhood
from tests.conftest import MemberClient
from tests.outreach.test_didit import areas_with_figures
from tests.outreach.test_neighbourhoods import GEOJSON, make_areas
from tests.test_welsh_pages import leaks, text_nodes

pytestmark = pytest.mark.django_db


def test_the_neighbourhoods_page_in_welsh(admin_client: MemberClient, org: Organisation) -> None:
    make_areas(org)
    o = f"/cy/o/{org.slug}/outreach/neighbourhoods/"
    admin_client.post(
        o,
        {
            "form": "boundary",
            "b-name": "Ffiniau",
            "b-key": "",
            "b-file": SimpleUploadedFile("b.geojson", GEOJSON),
        },
    )
    admin_client.post(
        o,
        {
            "form": "indicators",
            "i-file": SimpleUploadedFile("i.csv", b"code,Band eang\r\nE01000001,90\r\n"),
        },
    )
    data = {n.name for n in Neighbourhood.objects.filter(organisation=org)}
    data |= {n.official_name for n in Neighbourhood.objects.filter(organisation=org)}
    data |= {i.name for i in Indicator.objects.filter(organisation=org)}
    page = admin_client.get(o).content.decode()
    assert '<html lang="cy"' in page and 'id="priority-map-title"' in page
    assert leaks(text_nodes(page), data) == []
    bad = admin_client.post(
        o, {"form": "indicators", "i-file": SimpleUploadedFile("i.csv", b"code,x\r\nE0,1\r\n")}
    ).content.decode()
    assert "Mae gan y ffeil 1 problem, a restrir isod. Ni chadwyd dim" in bad


def test_did_it_work_in_welsh(
    admin_client: MemberClient, org: Organisation, service: Service
) -> None:
    areas_with_figures(org, service)
    page = admin_client.get(f"/cy/o/{org.slug}/outreach/did-it-work/").content.decode()
    assert "cododd y defnydd digidol tua" in page
    data = {n.name for n in Neighbourhood.objects.filter(organisation=org)} | {service.name}
    assert leaks(text_nodes(page), data) == []
    assert date(2026, 1, 1).strftime("%B") not in page  # the month is in Welsh: Ionawr 2026
    assert "Ionawr 2026" in page

"""Every form's errors name their field: GOV.UK's error summary lists them together, so three
"This field is required." would say nothing."""

import pytest
from django.test import Client
from django.utils import translation

from takeup.campaigns.forms import CampaignForm
from takeup.catalogue.forms import UnitCostForm
from takeup.insight.services import survey_save
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def messages(form: object) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]  # type: ignore[attr-defined]


def test_the_unit_cost_form_names_each_missing_field(org: Organisation) -> None:
    form = UnitCostForm(data={}, organisation=org)
    assert not form.is_valid()
    found = messages(form)
    assert "This field is required." not in found
    assert len(found) == len(set(found)) >= 3
    assert "Choose “Channel”." in found and "Enter “Effective from”." in found


def test_campaign_dates_say_which_date_is_wrong(org: Organisation) -> None:
    form = CampaignForm(
        data={"name": "Bins", "starts_on": "31/02/2026", "ends_on": ""}, organisation=org
    )
    assert not form.is_valid()
    assert form.errors["starts_on"] == ["“Start date” must be a real date."]
    assert form.errors["ends_on"] == ["Enter “End date”."]


def test_the_names_are_welsh_on_welsh_pages(org: Organisation) -> None:
    with translation.override("cy"):
        form = UnitCostForm(data={}, organisation=org)
        found = messages(form)
    assert not any("Enter" in m or "Choose" in m for m in found), found


def test_the_page_rule_form_has_its_error_summary(org: Organisation, editor_client: Client) -> None:
    survey = survey_save(
        organisation=org, name="Exit survey", sampling_percent=20, allowed_origins=[]
    )
    page = editor_client.post(f"/o/{org.slug}/visitors/{survey.pk}/", {"form": "rule"})
    html = page.content.decode()
    assert "govuk-error-summary" in html and "Enter the start of the pages" in html

"""A champion standing in a library records a group session on a 390 px phone: the session,
then a person, "Add another person" (a form post, no script needed), and Save. axe checks each
page, in English and Welsh."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.outreach import services
from takeup.outreach.models import Helped, Session
from tests.factories import MembershipFactory, OrganisationFactory, ServiceFactory, UserFactory

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 391, f"{page.url} is {width} px wide on a 390 px screen"


def test_recording_a_session_on_a_phone(browser: Browser, live_server: LiveServer) -> None:
    org = OrganisationFactory.create(name="Millbrook City Council", slug="millbrook")
    MembershipFactory.create(
        organisation=org, user=UserFactory.create(email="champion@millbrook.gov.uk"), role="editor"
    )
    services.place_save(organisation=org, name="Eastfield Library", kind="library")
    services.champion_save(organisation=org, name="Carys Evans", kind="staff", team="Libraries")
    ServiceFactory.create(organisation=org, name="Apply for a Blue Badge", slug="blue-badge")
    base = str(live_server.url)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email address").fill("champion@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/o/millbrook/")

    page.goto(f"{base}/o/millbrook/outreach/")
    page.get_by_role("link", name="Record a session").click()
    assert_accessible(page)
    _fits(page)
    page.get_by_label("Place").select_option(label="Eastfield Library")
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_label("One to one or group").select_option(label="Group")
    page.get_by_label("Number of people").fill("4")
    page.get_by_label("Carys Evans").check()
    person = page.locator("#person-1")
    person.get_by_label("Age band").select_option(label="75 or over")
    person.get_by_label("What brought them").select_option(label="Using council services")
    person.get_by_label("Council service helped with").select_option(label="Apply for a Blue Badge")
    person.get_by_label("Today has helped me feel more confident").select_option(
        label="Strongly agree"
    )
    person.get_by_label("Did they complete the task they came for?").select_option(label="Yes")

    page.get_by_role("button", name="Add another person").click()
    second = page.locator("#person-2")
    second.wait_for()
    assert page.url.endswith("#person-2")  # the page opens at the new person
    assert page.get_by_label("One to one or group").input_value() == "group"
    # What was chosen is still there, and nothing was saved yet.
    assert page.get_by_label("Number of people").input_value() == "4"
    assert person.get_by_label("Age band").input_value() == "75-plus"
    assert Session.objects.count() == 0
    assert_accessible(page)
    second.get_by_label("Age band").select_option(label="60 to 74")
    second.get_by_label("What brought them").select_option(label="Keeping in touch")
    second.get_by_label("Referred on to").fill("Library computer course")

    page.get_by_role("button", name="Save", exact=True).click()
    # (the address keeps the #person-2 the page was scrolled to: the browser carries it over)
    page.wait_for_url(re.compile(r".*/o/millbrook/outreach/sessions/(#person-\d+)?$"))
    assert page.get_by_text("is recorded").is_visible()
    assert_accessible(page)
    _fits(page)
    session = Session.objects.get()
    assert (session.people, session.kind, session.duration_minutes) == (4, "group", 90)
    assert sorted(Helped.objects.values_list("age_band", flat=True)) == ["60-74", "75-plus"]

    # A mistake is said at the top, and the answers stay.
    page.goto(f"{base}/cy/o/millbrook/outreach/sessions/new/")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.get_by_role("button", name="Cadw", exact=True).click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    _fits(page)
    assert Session.objects.count() == 1
    assert errors == []
    context.close()

"""A council's own page embeds the exit survey; a visitor answers by keyboard; staff see it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.insight.models import Response
from takeup.insight.services import survey_save
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Millbrook: bins</title>
<link rel="icon" href="data:,"></head>
<body><main><h1>Report a missed bin</h1><p>The council's own page.</p></main>
<script src="{src}" data-survey="{key}" data-rate="{rate}" data-lang="en" defer></script>
</body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def council_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()


def test_a_visitor_answers_by_keyboard_and_staff_see_it(
    page: Page, live_server: LiveServer, council_site: tuple[str, Path]
) -> None:
    site, folder = council_site
    org = OrganisationFactory.create(name="Millbrook City Council", slug="millbrook")
    survey = survey_save(
        organisation=org, name="Exit survey", sampling_percent=100, allowed_origins=[site]
    )
    MembershipFactory.create(
        organisation=org, user=UserFactory.create(email="web@millbrook.gov.uk"), role="viewer"
    )
    src = f"{live_server.url}/static/insight/widget.js"
    (folder / "bins.html").write_text(PAGE.format(src=src, key=survey.key, rate=100))
    (folder / "never.html").write_text(PAGE.format(src=src, key=survey.key, rate=0))

    # Sampling: at 0% nobody is asked.
    page.goto(f"{site}/never.html")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-takeup-survey]").count() == 0

    page.goto(f"{site}/bins.html")
    widget = page.locator("[data-takeup-survey]")
    widget.get_by_role("button", name="Answer the survey").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    dialog = widget.get_by_role("dialog", name="Tell us about your visit")
    dialog.wait_for()
    assert (
        page.evaluate(
            "() => document.querySelector('[data-takeup-survey]').shadowRoot.activeElement.id"
        )
        == "tk-title"
    )  # focus moved into the dialog
    assert_accessible(page)

    dialog.get_by_role("button", name="Send your answers").focus()
    page.keyboard.press("Enter")  # nothing answered: the errors are announced and linked
    widget.get_by_role("alert").get_by_text("Answer this question.").first.wait_for()

    for label in [
        "This is my first visit",
        "Someone else: family, a friend, someone I care for",
        "Yes",
        "Satisfied",
        "By phone",
    ]:
        dialog.get_by_label(label, exact=True).focus()
        page.keyboard.press("Space")
    dialog.get_by_label("A search engine").focus()
    page.keyboard.press("Space")
    dialog.get_by_label("Is there anything else you would like to tell us?").focus()
    page.keyboard.type("The bin calendar was easy.")
    dialog.get_by_role("button", name="Send your answers").focus()
    page.keyboard.press("Enter")
    widget.get_by_text("Thank you.").wait_for()
    assert_accessible(page)

    saved = Response.objects.get()
    assert saved.path == "/bins.html"
    assert saved.answers["for_whom"] == "intermediary" and saved.answers["found_by"] == ["search"]
    page.keyboard.press("Escape")  # closes, and focus goes back to the page
    assert page.locator("[data-takeup-survey]").count() == 0

    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill("web@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/o/millbrook/")
    page.get_by_role("link", name="Visitors", exact=True).click()
    page.get_by_role("link", name="Results").first.click()
    assert page.locator("#count").inner_text() == "1"
    assert "The bin calendar was easy." in page.locator("#comments").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(("draw", "asked"), [(0.49, True), (0.51, False)])
def test_a_share_of_visitors_is_asked(
    page: Page, live_server: LiveServer, council_site: tuple[str, Path], draw: float, asked: bool
) -> None:
    """At 50%, a visitor whose random draw is under one half is asked; the rest are not."""
    site, folder = council_site
    org = OrganisationFactory.create(name="Millbrook City Council", slug="millbrook")
    survey = survey_save(
        organisation=org, name="Exit survey", sampling_percent=50, allowed_origins=[site]
    )
    src = f"{live_server.url}/static/insight/widget.js"
    (folder / "half.html").write_text(PAGE.format(src=src, key=survey.key, rate=50))
    page.add_init_script(f"Math.random = () => {draw};")
    page.goto(f"{site}/half.html")
    page.wait_for_load_state("networkidle")
    assert (page.locator("[data-takeup-survey]").count() == 1) is asked

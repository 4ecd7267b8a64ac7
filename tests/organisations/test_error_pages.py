"""The styled error pages: a refusal names the roles that may act, and a missing page or a crash
never shows Django's technical page, not even in the demo (DEBUG on)."""

import pytest
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from takeup.middleware import StyledErrorPagesMiddleware
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_styled_with_debug_on(
    settings: Settings, viewer_client: MemberClient
) -> None:
    settings.DEBUG = True
    for address in ("/no-such-page/", "/cy/no-such-page/", "/o/no-such-org/"):
        response = viewer_client.get(address)
        html = response.content.decode()
        assert response.status_code == 404, address
        assert "URL patterns" not in html and "DEBUG = True" not in html
        assert 'class="govuk-heading-l"' in html


def test_the_technical_page_is_there_when_a_developer_asks(settings: Settings) -> None:
    settings.DEBUG = True
    settings.TAKEUP_TECHNICAL_ERRORS = True
    assert b"DEBUG = True" in Client().get("/no-such-page/").content


def test_a_crash_is_styled_with_debug_on(settings: Settings) -> None:
    settings.DEBUG = True
    request = RequestFactory().get("/o/x/")
    middleware = StyledErrorPagesMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    response = middleware.process_exception(request, ZeroDivisionError("boom"))
    assert response is not None and response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"boom" not in response.content


def test_a_viewer_refused_sees_which_roles_may(
    viewer_client: MemberClient, org: Organisation
) -> None:
    response = viewer_client.get(f"/o/{org.slug}/take-up/upload/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot do this" in html and "these roles can do this: analyst, admin" in html
    assert "Your role is viewer." in html
    welsh = viewer_client.get(f"/cy/o/{org.slug}/take-up/upload/")
    assert welsh.status_code == 403 and 'lang="cy"' in welsh.content.decode()

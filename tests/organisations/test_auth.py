"""Signing in with an email address, throttling, password reset through the task worker."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.organisations.models import Organisation, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def person(org: Organisation) -> User:
    user = UserFactory.create(email="clerk@millbrook.gov.uk")
    MembershipFactory.create(organisation=org, user=user, role="viewer")
    return user


def test_sign_in_with_email_and_out(person: User, org: Organisation) -> None:
    client = Client()
    response = client.post(
        "/sign-in/", {"username": "clerk@millbrook.gov.uk", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get(f"/o/{org.slug}/").status_code == 200
    assert client.post("/sign-out/").status_code == 302
    assert client.get(f"/o/{org.slug}/").status_code == 302


def test_wrong_password_shows_an_error_summary(person: User) -> None:
    response = Client().post("/sign-in/", {"username": person.email, "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Enter a correct email address" in page
    assert "<title>Error:" in page


def test_sign_in_is_throttled_after_five_failures(person: User) -> None:
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": person.email, "password": "wrong"})
    response = client.post(
        "/sign-in/", {"username": person.email, "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_passwords_are_hashed_with_argon2(settings: Settings) -> None:
    from takeup.settings import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS  # undo the fast hasher the other tests use
    user = User.objects.create_user("hash@example.org", "a long enough secret")
    assert user.password.startswith("argon2$")


def test_password_reset_email_is_sent_by_the_worker(person: User) -> None:
    client = Client()
    response = client.post("/password-reset/", {"email": "CLERK@millbrook.gov.uk"})
    assert response.status_code == 302
    assert mail.outbox == []  # queued, not sent in the request
    call_command("worker", "--batch")
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    form_url = client.get(link.group(1))["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a brand new passphrase")


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(db: None) -> None:
    response = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    call_command("worker", "--batch")
    assert mail.outbox == []


def test_password_reset_with_bad_email_shows_error(db: None) -> None:
    response = Client().post("/password-reset/", {"email": "not an email"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content

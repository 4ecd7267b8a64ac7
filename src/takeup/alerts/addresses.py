"""Email addresses and UK mobile numbers as people type them, made one form so that the same
person is one subscriber. Pure."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MOBILE = re.compile(r"^(?:\+44|0044|0)?7\d{9}$")


def email_address(text: str) -> str:
    """An email address, trimmed and in lower case."""
    address = text.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError(
            _("Enter an email address in the right form, like name@example.com")
        ) from None
    return address


def mobile_number(text: str) -> str:
    """A UK mobile number as +447…, from 07…, +44 7…, 0044 7… with spaces, dashes or brackets."""
    digits = re.sub(r"[\s().-]", "", text.strip())
    if not MOBILE.match(digits):
        raise ValueError(_("Enter a UK mobile number, like 07700 900 982"))
    return "+44" + digits[-10:]


def address_of(channel: str, text: str) -> str:
    return mobile_number(text) if channel == "sms" else email_address(text)


def masked(address: str) -> str:
    """What a page shows of an address: enough to recognise it, not to read it."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"…{address[-3:]}"

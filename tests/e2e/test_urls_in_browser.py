"""Our reading of an address agrees with Chromium's: for every trick, the host a browser would go
to is the host we check, and what we allow keeps Chromium on the council's domains."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from takeup.catalogue.services import domain_allowed
from takeup.core.weburls import host
from tests.hostile.test_urls import DOMAINS, TRICKS

if TYPE_CHECKING:
    from playwright.sync_api import Page

ALLOWED = [
    "https://www.millbrook.gov.uk/bins",
    "HTTPS://WWW.MILLBROOK.GOV.UK/Bins?x=1#top",
    "https://forms.millbrook.gov.uk/report/bin",
]


def test_chromium_reads_addresses_as_we_do(page: Page) -> None:
    page.set_content("<main></main>")
    found = page.evaluate(
        """(addresses) => addresses.map((a) => {
            const link = document.createElement('a');
            link.href = a;
            try { return new URL(link.href).hostname; } catch (e) { return ''; }
        })""",
        TRICKS + ALLOWED,
    )
    for address, browser_host in zip(TRICKS + ALLOWED, found, strict=True):
        if domain_allowed(address, DOMAINS):
            # What we allow, Chromium follows to the council's domains.
            assert browser_host.rstrip(".").endswith("millbrook.gov.uk"), (address, browser_host)
            assert host(address) == browser_host.rstrip("."), json.dumps([address, browser_host])
    assert all(domain_allowed(a, DOMAINS) for a in ALLOWED)

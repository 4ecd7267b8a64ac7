"""Every main page in Welsh, on the demo council: no text node is one of our English strings that
has Welsh, and no date shows an English month. The Welsh hosted survey's errors are Welsh, and a
chart's CSV has Welsh headings on a Welsh page."""

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import polib
import pytest
from django.db import transaction
from django.test import Client

from takeup.alerts.models import Message, Topic
from takeup.campaigns.models import Campaign
from takeup.catalogue.models import Channel, Service, ServiceArea
from takeup.demo.services import DEMO_ADMIN, demo_create
from takeup.insight.models import Survey
from takeup.ledger.models import DataSource, ImportBatch
from takeup.organisations.models import User
from takeup.outreach.models import Champion, Indicator, Neighbourhood, Place, Training
from takeup.principles.models import Action, ChecklistItem, PhoneMessage, SearchTerm
from takeup.settings import BASE_DIR

pytestmark = pytest.mark.django_db

MONTHS = "January|February|March|April|June|July|August|September|October|November|December"
ABBREVIATIONS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# A full English month name, or an abbreviation (or May) next to a day or a year.
ENGLISH_MONTH = re.compile(
    rf"\b(?:{MONTHS})\b"
    rf"|\b\d{{1,2}} (?:{ABBREVIATIONS})\b"
    rf"|\b(?:{ABBREVIATIONS}) (?:\d{{4}}|\d{{1,2}}\b)"
)


class _Text(HTMLParser):
    """The text nodes a reader sees (not scripts, styles, templates or what is hidden from
    everyone), and the labels a screen reader reads out. Text marked lang="en" is English on
    purpose (the English of a survey question beside its Welsh, say), so it is left out."""

    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._open: list[tuple[str, bool]] = []  # each open element, and whether it hides

    def _hidden(self) -> bool:
        return any(hides for _, hides in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        hides = (
            tag in self.HIDDEN or named.get("aria-hidden") == "true" or named.get("lang") == "en"
        )
        if not hides and not self._hidden():
            for name in ("aria-label", "title", "placeholder"):
                if value := named.get(name):
                    self.nodes.append(" ".join(value.split()))
        if tag not in self.VOID:
            self._open.append((tag, hides))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden():
            self.nodes.append(text)


def text_nodes(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def _catalogue() -> list[polib.POEntry]:
    path = BASE_DIR / "locale/cy/LC_MESSAGES/django.po"
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


def english_with_welsh() -> set[str]:
    """Every msgid of our catalogue whose Welsh is different."""
    english = set()
    for entry in _catalogue():
        if entry.msgid_plural:
            forms = set(entry.msgstr_plural.values())
            english |= {e for e in (entry.msgid, entry.msgid_plural) if e not in forms}
        elif entry.msgstr and entry.msgstr != entry.msgid:
            english.add(entry.msgid)
    return {" ".join(e.split()) for e in english if "%(" not in e and "{" not in e}


def same_in_welsh() -> set[str]:
    """The msgids whose Welsh is the English, such as "cost (£)"."""
    return {e.msgid for e in _catalogue() if e.msgstr == e.msgid}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Millbrook, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        org, _ = demo_create(years=1, end=date(2026, 10, 31))
        service = org.services.filter(public=True).first() or org.services.first()
        assert service
        service.public = True
        service.save()
        campaign = Campaign.objects.filter(organisation=org).order_by("starts_on").first()
        survey = Survey.objects.filter(organisation=org, active=True).first()
        batch = ImportBatch.objects.filter(organisation=org).first()
        assert campaign and survey
        data = set()
        for model in (Service, ServiceArea, Channel, DataSource, Campaign, Survey):
            data |= {str(o) for o in model.objects.filter(organisation=org)}
        data |= {c.cashable_note for c in Channel.objects.filter(organisation=org)}
        # What the council's staff typed: evidence, actions, recorded messages, search words.
        data |= {c.evidence for c in ChecklistItem.objects.filter(organisation=org)}
        data |= {f"{a.text} – {a.owner}," for a in Action.objects.filter(organisation=org)}
        data |= {a.text for a in Action.objects.filter(organisation=org)}
        data |= {a.owner for a in Action.objects.filter(organisation=org)}
        data |= {f"“{m.text}”" for m in PhoneMessage.objects.filter(organisation=org)}
        data |= {t.terms for t in SearchTerm.objects.filter(organisation=org)}
        # Outreach: the places, champions, teams, training and indicators the council named.
        outreach: list[Any] = [Place, Champion, Training, Indicator, Neighbourhood]
        for kind in outreach:
            data |= {str(o) for o in kind.objects.filter(organisation=org)}
        for place in Place.objects.filter(organisation=org):
            data |= {place.partner, place.opening_times, place.equipment, place.address}
        data |= {c.team for c in Champion.objects.filter(organisation=org)}
        # Alerts: the topics and messages the council wrote (staff pages show them as written).
        for topic in Topic.objects.filter(organisation=org):
            data |= {topic.name, topic.promise, topic.description}
        data |= {m.subject for m in Message.objects.filter(organisation=org)}
        data |= {m.body for m in Message.objects.filter(organisation=org)}
        data.discard("")
        yield {
            "org": org,
            "service": service,
            "campaign": campaign,
            "survey": survey,
            "batch": batch,
            "data": data,
        }
        transaction.set_rollback(True)


def main_pages(demo: dict[str, Any]) -> list[str]:
    o = f"/cy/o/{demo['org'].slug}"
    service = demo["service"].slug
    survey = demo["survey"]
    pages = [
        f"{o}/",
        f"{o}/catalogue/services/",
        f"{o}/catalogue/services/add/",
        f"{o}/catalogue/services/{service}/",
        f"{o}/catalogue/services/{service}/change/",
        f"{o}/catalogue/services/import/",
        f"{o}/catalogue/areas/",
        f"{o}/catalogue/areas/add/",
        f"{o}/catalogue/channels/",
        f"{o}/catalogue/channels/add/",
        f"{o}/catalogue/unit-costs/",
        f"{o}/catalogue/unit-costs/add/",
        f"{o}/take-up/",
        f"{o}/take-up/services/{service}/",
        f"{o}/take-up/upload/",
        f"{o}/take-up/sources/",
        f"{o}/campaigns/",
        f"{o}/campaigns/new/",
        f"{o}/campaigns/{demo['campaign'].pk}/",
        f"{o}/campaigns/{demo['campaign'].pk}/change/",
        f"{o}/campaigns/import/",
        f"{o}/campaigns/notes/",
        f"{o}/campaigns/plan/",
        f"{o}/visitors/",
        f"{o}/visitors/{survey.pk}/",
        f"{o}/visitors/{survey.pk}/results/",
        f"{o}/visitors/{survey.pk}/questions/{survey.questions.first().pk}/",
        f"{o}/website/",
        f"{o}/briefing/",
        f"{o}/briefing/2026-10/",
        f"{o}/campaigns/{demo['campaign'].pk}/report/",
        f"{o}/principles/",
        f"{o}/principles/services/{service}/",
        f"{o}/principles/actions/",
        f"{o}/principles/phone-messages/",
        f"{o}/principles/findability/",
        f"{o}/outreach/",
        f"{o}/outreach/places/",
        f"{o}/outreach/sessions/",
        f"{o}/outreach/sessions/new/",
        f"{o}/outreach/sessions/import/",
        f"{o}/outreach/champions/",
        f"{o}/outreach/training/",
        f"{o}/outreach/assisted-digital/",
        f"{o}/outreach/assisted-digital/{service}/",
        f"{o}/outreach/neighbourhoods/",
        f"{o}/outreach/did-it-work/",
        f"{o}/alerts/",
        f"{o}/alerts/topics/new/",
        f"{o}/alerts/topics/jobs/change/",
        f"{o}/alerts/messages/new/",
        f"{o}/alerts/messages/{Message.objects.filter(organisation=demo['org'])[0].pk}/",
        f"/cy/alerts/{demo['org'].slug}/",
        f"/cy/alerts/{demo['org'].slug}/manage/",
        f"{o}/settings/",
        f"{o}/settings/staff/",
        f"{o}/settings/api-keys/",
        f"{o}/settings/audit-log/",
        f"/cy/performance/{demo['org'].slug}/{service}/",
        f"/cy/performance/{demo['org'].slug}/",
        f"/cy/s/{survey.key}/",
    ]
    if demo["batch"]:
        pages.append(f"{o}/take-up/imports/{demo['batch'].pk}/")
    return pages


def leaks(nodes: list[str], data: set[str]) -> list[str]:
    """The English on a Welsh page: our strings left untranslated, and English months (in what
    is left of a node once the council's own names and notes are taken out)."""
    english = english_with_welsh()
    longest_first = sorted(data, key=len, reverse=True)
    found = []
    for node in nodes:
        if node in data:
            continue
        if node in english:
            found.append(node)
            continue
        ours = node
        for name in longest_first:
            ours = ours.replace(name, "")
        if ENGLISH_MONTH.search(ours):
            found.append(node)
    return found


@pytest.fixture
def admin(demo: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN))
    return client


def test_every_main_page_in_welsh_is_in_welsh(admin: Client, demo: dict[str, Any]) -> None:
    english: dict[str, list[str]] = {}
    for url in main_pages(demo):
        response = admin.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert '<html lang="cy"' in page, url
        if found := leaks(text_nodes(page), demo["data"]):
            english[url] = found
    assert english == {}, "\n".join(f"{url}: {found}" for url, found in english.items())


def test_the_welsh_survey_says_what_is_missing_in_welsh(demo: dict[str, Any]) -> None:
    survey = demo["survey"]
    response = Client().post(f"/cy/s/{survey.key}/", {"path": "/bins"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer this question." not in page
    assert "Atebwch y cwestiwn hwn." in page
    assert leaks(text_nodes(page), demo["data"]) == []


def test_welsh_csv_downloads_have_welsh_headings(admin: Client, demo: dict[str, Any]) -> None:
    """Every CSV a Welsh page offers. Headings for people (the chart's own labels, "digital
    take-up %") are Welsh: none is the English download's heading, unless it is the council's
    own name for something or the same in both. Machine-readable files (every heading a
    lower_case identifier: the open data, the catalogue's import format) keep one set of
    headings in either language."""
    english: dict[str, list[str]] = {}
    headings: dict[str, list[str]] = {}
    unchanged = same_in_welsh() | demo["data"]
    machine = re.compile(r"^[a-z0-9_]+$")
    for url in main_pages(demo):
        page = admin.get(url).content.decode()
        for link in re.findall(r'href="([^"]*(?:\.csv|format=csv|download=)[^"]*)"', page):
            address = urljoin(url, html.unescape(link))
            if address in headings:
                continue
            response = admin.get(address)
            assert response.status_code == 200, address
            if "csv" not in response["Content-Type"]:
                continue
            headings[address] = first_row(response)
            if all(machine.match(h) for h in headings[address]):
                continue
            assert address.startswith("/cy/"), address
            in_english = set(first_row(admin.get(address.removeprefix("/cy"))))
            found = leaks(headings[address], demo["data"])
            found += [h for h in headings[address] if h in in_english and h not in unchanged]
            if found:
                english[address] = found
    assert english == {}, "\n".join(f"{url}: {found}" for url, found in english.items())
    service = demo["service"].slug
    take_up = f"/cy/o/{demo['org'].slug}/take-up/services/{service}/?download=take-up"
    assert "Defnydd digidol (%)" in headings[take_up]  # Digital take-up (%)
    overview = f"/cy/o/{demo['org'].slug}/take-up/?format=csv"
    assert "defnydd digidol %" in headings[overview]  # digital take-up %


def first_row(response: Any) -> list[str]:
    body = b"".join(response) if response.streaming else response.content
    return next(csv.reader(io.StringIO(body.decode("utf-8-sig"))), [])

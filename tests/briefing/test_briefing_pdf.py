"""`takeup briefing` on the demo council: a page per section, read back with poppler, and every
figure on it the same as on the staff page it comes from."""

import contextlib
import re
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from takeup.briefing.reports import briefing
from takeup.campaigns.estimates import estimates_run
from takeup.campaigns.models import Campaign, EstimateRun
from takeup.demo.services import demo_create
from takeup.organisations.models import User

from ..responses import ClientResponse

MONTH = "2026-08"  # built to 31 October 2026, the demo's radio campaign finishes in August
SECTIONS = ["take-up", "saving", "targets", "campaigns", "survey", "overdue"]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        org, _ = demo_create(years=2, end=date(2026, 10, 31))
        radio = Campaign.objects.get(organisation=org, name__startswith="Millbrook FM")
        assert f"{radio.ends_on:%Y-%m}" == MONTH
        estimates_run(EstimateRun.objects.create(organisation=org, campaign=radio))
        yield {"org": org, "campaign": radio}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def pdf(demo: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("briefing") / "briefing.pdf"
    call_command("briefing", "--organisation", "millbrook", "--month", MONTH, "--out", str(out))
    return out


def poppler(tool: str, *args: str) -> str:
    """What one of poppler's tools (pdfinfo, pdftotext, pdftoppm) prints."""
    path = shutil.which(tool)
    assert path, f"{tool} is missing: make install-dev installs poppler-utils"
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout  # noqa: S603


def page_texts(pdf: Path) -> list[str]:
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    return [
        poppler("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-") for n in range(1, pages + 1)
    ]


def inflated(pdf: Path) -> bytes:
    """Every compressed stream of the PDF, inflated: where its tags and their /Alt text are."""
    data = pdf.read_bytes()
    out = b""
    for m in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):
            out += zlib.decompress(data[m.end() : data.find(b"endstream", m.end())])
    return out


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def staff(demo: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@millbrook.example"))
    return client


def element(response: ClientResponse, id_: str) -> str:
    html = response.content.decode()
    found = re.search(rf'id="{id_}"[^>]*>(.*?)</(p|span|dd)>', html, re.S)
    assert found, f"no #{id_} on {response.request['PATH_INFO']}"
    return words(re.sub(r"<[^>]+>", " ", found.group(1)))


@pytest.mark.django_db
def test_the_pdf_has_a_page_per_section_rendered_by_pdftoppm(pdf: Path, tmp_path: Path) -> None:
    poppler("pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    texts = page_texts(pdf)
    assert len(pngs) == len(texts) >= 1 + len(SECTIONS) + 1  # cover, sections, appendix
    assert all(p.stat().st_size > 2000 for p in pngs)  # drawn, not blank
    report = briefing(  # the titles, in order, each at the top of its own page
        User.objects.get(email="admin@millbrook.example").memberships.get().organisation,
        date(2026, 8, 1),
    )
    tops = [words(t)[:80] for t in texts]
    starts = [  # the page each section starts on: a long section runs on to the next page
        next(i for i, top in enumerate(tops) if top.startswith(f"{n}. {section.title}"))
        for n, section in enumerate(report.sections, start=1)
    ]
    assert starts == sorted(set(starts)) and starts[0] == 1, tops
    assert tops[starts[-1] + 1 :][-1].startswith("Appendix") or any(
        t.startswith("Appendix") for t in tops[starts[-1] + 1 :]
    )
    assert re.search(r"Tagged:\s+yes", poppler("pdfinfo", str(pdf)))
    charts = [s.chart for s in report.sections if s.chart]
    structure = poppler("pdfinfo", "-struct", str(pdf))
    assert structure.count("Figure") == len(charts) >= 5
    alternatives = re.findall(rb"/Alt \((.*?)\)>>", inflated(pdf))
    assert [a.decode().split(":")[0] for a in alternatives] == [c.title for c in charts]


@pytest.mark.django_db
def test_every_figure_matches_its_staff_page(
    pdf: Path, demo: dict[str, Any], staff: Client
) -> None:
    text = words(" ".join(page_texts(pdf)))
    org = demo["org"]
    report = briefing(org, date(2026, 8, 1))
    for section in report.sections:  # the PDF prints what the report holds
        for figure in section.figures:
            assert words(figure.value) in text, (section.id, figure.value)

    overview: ClientResponse = staff.get(
        f"/o/millbrook/take-up/?period=custom&from={MONTH}-01&to={MONTH}-31"
    )
    figures = {f.id: f for s in report.sections for f in s.figures}
    assert element(overview, "total-take-up") == figures["total-take-up"].value
    change = element(overview, "total-change")
    assert figures["total-change"].value.lstrip("+−") in change
    assert figures["total-change"].note.split()[0] in change  # the baseline's take-up
    assert element(overview, "total-saving") == figures["total-saving"].value
    assert figures["total-cashable"].value in overview.content.decode()
    assert figures["total-capacity"].value in overview.content.decode()
    targets = element(overview, "targets")
    for status in ("on-track", "at-risk", "off-track"):
        f = figures[f"targets-{status}"]
        assert f"{f.label} {f.value}" in targets

    (survey_url,) = [s.source_url for s in report.sections if s.id == "survey"]
    results: ClientResponse = staff.get(survey_url)
    (survey_key,) = [k for k in figures if k.endswith("-satisfaction")]
    assert figures[survey_key].value.startswith(element(results, "satisfaction"))
    assert figures[survey_key.replace("satisfaction", "completion")].value.startswith(
        element(results, "completion")
    )

    campaign: ClientResponse = staff.get(f"/o/millbrook/campaigns/{demo['campaign'].pk}/")
    page = words(re.sub(r"<[^>]+>", " ", campaign.content.decode()))
    effect_lines = [line for line in report.section("campaigns").lines if "expected" in line]
    assert effect_lines, report.section("campaigns").lines
    for line in effect_lines:  # the effect and cost per extra transaction, word for word
        assert words(line).replace("“", "").replace("”", "") in page.replace("“", "").replace(
            "”", ""
        )
        assert words(line)[:60] in text

    sources: ClientResponse = staff.get("/o/millbrook/take-up/sources/")
    assert sources.content.decode().count(">Overdue<") == int(figures["overdue-sources"].value)


@pytest.mark.django_db
def test_the_command_refuses_what_it_cannot_do(tmp_path: Path, demo: dict[str, Any]) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("briefing", "--organisation", "nowhere", "--month", MONTH, "--out", "x.pdf")
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "briefing",
            "--organisation",
            "millbrook",
            "--month",
            MONTH,
            "--out",
            str(tmp_path / "missing" / "b.pdf"),
        )

"""A campaign's evaluation report: the page and PDF in Kirklees's order, what we learnt, and a
shared link that works signed out until it is withdrawn."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core import signing
from django.test import Client

from takeup.campaigns.models import Activity, Campaign, ReportShare
from takeup.campaigns.services import SHARE_SALT, share_token
from takeup.organisations.models import AuditEvent, Organisation
from tests.briefing.test_briefing_pdf import poppler
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db

ORDER = [
    "1. What was done, where, and what it cost",
    "2. Reach: who arrived through the links and QR codes",
    "3. What the campaign did to take-up",
    "4. Against the phase before",
    "5. What we learnt",
]


def url(org: Organisation, campaign: Campaign, path: str = "") -> str:
    return f"/o/{org.slug}/campaigns/{campaign.pk}/report/{path}"


def shared_link(editor: MemberClient, org: Organisation, campaign: Campaign) -> str:
    page = editor.post(url(org, campaign, "share/"), follow=True).content.decode()
    found = re.search(r'<code class="takeup-code">https?://[^/]+(/r/[^<]+/)</code>', page)
    assert found, "the shared link is not shown"
    return found.group(1)


def test_the_report_is_in_kirklees_order_with_the_phase_before(
    viewer_client: MemberClient, org: Organisation, campaign: Campaign, activity: Activity
) -> None:
    second = Campaign.objects.create(
        organisation=org,
        name="Bins online, again",
        phase="Phase 2",
        parent=campaign,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 9, 28),
    )
    page = viewer_client.get(url(org, second)).content.decode()
    positions = [page.index(heading) for heading in ORDER]
    assert positions == sorted(positions)
    table = page[page.index('id="report-phases"') :]
    assert table.index(campaign.name) < table.index("Phase 2")
    first = viewer_client.get(url(org, campaign)).content.decode()
    assert "does not follow an earlier phase" in first
    assert activity.place in first  # where it was done
    assert "Save what we learnt" not in first and "Make a link" not in first  # a viewer


def test_the_pdf_is_tagged_and_in_the_same_order(
    viewer_client: MemberClient,
    org: Organisation,
    campaign: Campaign,
    activity: Activity,
    tmp_path: Path,
) -> None:
    response = viewer_client.get(f"/o/{org.slug}/campaigns/{campaign.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    assert re.search(r"Tagged:\s+yes", poppler("pdfinfo", str(pdf)))
    text = " ".join(poppler("pdftotext", str(pdf), "-").split())
    positions = [text.index(heading) for heading in ORDER]
    assert positions == sorted(positions)


def test_what_we_learnt_is_saved_audited_and_shown(
    editor_client: MemberClient, org: Organisation, campaign: Campaign
) -> None:
    editor_client.post(url(org, campaign, "learnt/"), {"learnt": "Texts beat letters."})
    page = editor_client.get(url(org, campaign)).content.decode()
    assert "Texts beat letters." in page[page.index("5. What we learnt") :]
    assert AuditEvent.objects.filter(action="campaign.learnt").count() == 1
    too_long = editor_client.post(
        url(org, campaign, "learnt/"), {"learnt": "x" * 5001}, follow=True
    )
    assert "5000" in too_long.content.decode() or "5,000" in too_long.content.decode()
    campaign.refresh_from_db()
    assert campaign.learnt == "Texts beat letters."  # the bad text saved nothing


def test_a_shared_link_works_signed_out_until_withdrawn(
    editor_client: MemberClient, org: Organisation, campaign: Campaign, activity: Activity
) -> None:
    link = shared_link(editor_client, org, campaign)
    stranger = Client()
    page = stranger.get(link)
    assert page.status_code == 200
    assert campaign.name in page.content.decode()
    assert "Save what we learnt" not in page.content.decode()
    assert stranger.get(link.rstrip("/") + ".pdf").content.startswith(b"%PDF")
    share = ReportShare.objects.get()
    editor_client.post(url(org, campaign, f"share/{share.pk}/withdraw/"))
    gone = stranger.get(link)
    assert gone.status_code == 404
    assert "withdrawn" in gone.content.decode()
    assert stranger.get(link.rstrip("/") + ".pdf").status_code == 404
    assert AuditEvent.objects.filter(action__in=["report.share", "report.revoke"]).count() == 2


def test_a_forged_or_altered_link_opens_nothing(
    org: Organisation, campaign: Campaign, client: Client
) -> None:
    share = ReportShare.objects.create(campaign=campaign)
    token = share_token(share)
    assert client.get(f"/r/{token}/").status_code == 200
    other = ReportShare.objects.create(campaign=campaign)
    forged = signing.dumps(other.pk, salt="some other salt", compress=True)
    assert client.get(f"/r/{forged}/").status_code == 404
    assert client.get(f"/r/{token[:-2]}xx/").status_code == 404
    assert client.get("/r/not-a-token/").status_code == 404
    not_an_id = signing.dumps("1 OR 1=1", salt=SHARE_SALT, compress=True)
    assert client.get(f"/r/{not_an_id}/").status_code == 404


def test_only_editors_share_and_withdraw(
    viewer_client: MemberClient, org: Organisation, campaign: Campaign
) -> None:
    assert viewer_client.post(url(org, campaign, "share/")).status_code == 403
    share = ReportShare.objects.create(campaign=campaign)
    assert viewer_client.post(url(org, campaign, f"share/{share.pk}/withdraw/")).status_code == 403
    assert viewer_client.post(url(org, campaign, "learnt/"), {"learnt": "x"}).status_code == 403
    share.refresh_from_db()
    assert share.revoked_at is None


def test_another_organisation_cannot_withdraw_a_share(
    editor_client: MemberClient, org: Organisation, other_org: Organisation, campaign: Campaign
) -> None:
    theirs = Campaign.objects.create(
        organisation=other_org, name="Theirs", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
    )
    share = ReportShare.objects.create(campaign=theirs)
    response = editor_client.post(url(org, campaign, f"share/{share.pk}/withdraw/"))
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None

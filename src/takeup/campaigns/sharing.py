"""Building the evaluation report's page and PDF, for staff and for a shared link alike."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from takeup.core.pdfs import chart_image, html_to_pdf
from takeup.organisations.models import Organisation

from .models import Campaign
from .reports import EvaluationReport, evaluation_report


def report_pdf_response(organisation: Organisation, campaign: Campaign) -> HttpResponse:
    report = evaluation_report(organisation, campaign)
    html = render_to_string(
        "campaigns/report_pdf.html",
        {
            "report": report,
            "report_organisation": organisation,
            "images": _images(report, translation.get_language() or "en"),
            "language": translation.get_language() or "en",
            "built_at": timezone.now(),
        },
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"evaluation-report-{campaign.pk}.pdf"
    )
    return response


def _images(report: EvaluationReport, language: str) -> dict[str, str]:
    charts = [*report.page.charts, *(item["chart"] for item in report.page.estimates)]
    return {c.id: chart_image(c.spec, language) for c in charts}

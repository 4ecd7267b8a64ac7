"""The briefing as a tagged PDF: the same sections as the page, each chart as an image with its
description as the text alternative, and the charts' figures in an appendix."""

from django.template.loader import render_to_string
from django.utils import translation

from takeup.core.pdfs import chart_image, html_to_pdf

from .reports import Briefing


def briefing_html(report: Briefing) -> str:
    language = translation.get_language() or "en"
    return render_to_string(
        "briefing/briefing_pdf.html",
        {
            "report": report,
            "sections": [
                (s, chart_image(s.chart.spec, language) if s.chart else "") for s in report.sections
            ],
            "language": language,
        },
    )


def briefing_pdf(report: Briefing) -> bytes:
    return html_to_pdf(briefing_html(report))

"""The briefing as a tagged PDF: the same HTML sections, the charts drawn from their Vega-Lite
specs as SVG by vl-convert, laid out by WeasyPrint with its PDF/UA option."""

import base64
import copy
from typing import Any

import vl_convert
import weasyprint
from django.template.loader import render_to_string
from django.utils import translation

from takeup.charts import Chart

from .reports import Briefing

# Points: an A4 page's text width less a little, so a chart fills the column.
CHART_WIDTH = 460


def chart_svg(chart: Chart) -> str:
    """The chart's SVG, from its own spec at a fixed width (the pages size it to the container)."""
    spec: dict[str, Any] = copy.deepcopy(chart.spec)
    spec["width"] = CHART_WIDTH
    spec.setdefault("height", 200)
    spec["config"] = {**spec.get("config", {}), "font": "DejaVu Sans, Liberation Sans, sans-serif"}
    return vl_convert.vegalite_to_svg(spec)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def briefing_html(report: Briefing) -> str:
    return render_to_string(
        "briefing/briefing_pdf.html",
        {
            "report": report,
            "sections": [
                (s, data_uri(chart_svg(s.chart)) if s.chart else "") for s in report.sections
            ],
            "language": translation.get_language() or "en",
        },
    )


def briefing_pdf(report: Briefing) -> bytes:
    """The PDF, tagged for screen readers; each chart carries its description as its text
    alternative, and its figures are in the appendix."""
    html = briefing_html(report)
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    if pdf is None:  # only when given a target to write to
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf

"""HTML to tagged PDF, for the briefing and the campaign evaluation report: WeasyPrint lays out
the page with its PDF/UA option, and charts are drawn from their own Vega-Lite specs as SVG by
vl-convert, so there is no second chart code. Imports no app: it takes a chart's spec."""

import base64
import copy
from typing import Any

import vl_convert
import weasyprint

# Points: an A4 page's text width less a little, so a chart fills the column.
CHART_WIDTH = 460
FONT = "DejaVu Sans, Liberation Sans, sans-serif"


def chart_svg(chart_spec: dict[str, Any]) -> str:
    """A chart's SVG, from its own spec at a fixed width (the pages size it to the container)."""
    spec: dict[str, Any] = copy.deepcopy(chart_spec)
    spec["width"] = CHART_WIDTH
    spec.setdefault("height", 200)
    spec["config"] = {**spec.get("config", {}), "font": FONT}
    return vl_convert.vegalite_to_svg(spec)


def chart_image(chart_spec: dict[str, Any]) -> str:
    """The chart as a data: address for an <img>."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart_spec).encode()).decode()


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1): headings, lists, tables and figures with their alt text."""
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):  # only when given a target to write to
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf

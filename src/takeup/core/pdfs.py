"""HTML to tagged PDF, for the briefing and the campaign evaluation report: WeasyPrint lays out
the page with its PDF/UA option, and charts are drawn from their own Vega-Lite specs as SVG by
vl-convert, so there is no second chart code. Imports no app: it takes a chart's spec."""

import base64
import copy
from typing import Any

import vl_convert
import weasyprint

# The same Welsh dates as the pages' charts (assets/src/charts.js), for PDFs built in Welsh.
WELSH_TIME_LOCALE = {
    "dateTime": "%A, %e %B %Y %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["yb", "yh"],
    "days": [
        *("Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher"),
        *("Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"),
    ],
    "shortDays": ["Sul", "Llu", "Maw", "Mer", "Iau", "Gwe", "Sad"],
    "months": [
        *("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin"),
        *("Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"),
    ],
    "shortMonths": [
        *("Ion", "Chw", "Maw", "Ebr", "Mai", "Meh"),
        *("Gor", "Aws", "Med", "Hyd", "Tach", "Rhag"),
    ],
}

# Points: an A4 page's text width less a little, so a chart fills the column.
CHART_WIDTH = 460
FONT = "DejaVu Sans, Liberation Sans, sans-serif"


def chart_svg(chart_spec: dict[str, Any], language: str = "en") -> str:
    """A chart's SVG, from its own spec at a fixed width (the pages size it to the container),
    with month names in the language of the document."""
    spec: dict[str, Any] = copy.deepcopy(chart_spec)
    spec["width"] = CHART_WIDTH
    spec.setdefault("height", 200)
    spec["config"] = {**spec.get("config", {}), "font": FONT}
    if language == "cy":
        return vl_convert.vegalite_to_svg(spec, time_format_locale=WELSH_TIME_LOCALE)
    return vl_convert.vegalite_to_svg(spec)


def chart_image(chart_spec: dict[str, Any], language: str = "en") -> str:
    """The chart as a data: address for an <img>."""
    svg = chart_svg(chart_spec, language)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1): headings, lists, tables and figures with their alt text."""
    pdf = weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):  # only when given a target to write to
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf

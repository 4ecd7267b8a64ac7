// Draws every chart on the page. Each chart is a <div data-chart-spec="ID"> whose spec is in a
// <script type="application/json" id="ID">. Vega runs with its expression interpreter so that the
// Content-Security-Policy needs no 'unsafe-eval'. Without JavaScript the data table stays the figure.
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

// Dates on a Welsh page's axes and tooltips are in Welsh (d3-time-format's locale shape; the
// short names are Django's, so the table beside the chart reads the same).
const WELSH_TIME = {
  dateTime: "%A, %e %B %Y %X",
  date: "%d/%m/%Y",
  time: "%H:%M:%S",
  periods: ["yb", "yh"],
  days: ["Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"],
  shortDays: ["Sul", "Llu", "Maw", "Mer", "Iau", "Gwe", "Sad"],
  months: ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"],
  shortMonths: ["Ion", "Chw", "Maw", "Ebr", "Mai", "Meh", "Gor", "Aws", "Med", "Hyd", "Tach", "Rhag"],
};

function timeFormatLocale() {
  return (document.documentElement.lang || "en").slice(0, 2) === "cy" ? WELSH_TIME : undefined;
}

function drawAll(root) {
  root.querySelectorAll("[data-chart-spec]").forEach((el) => {
    if (el.dataset.chartDrawn) return;
    const source = document.getElementById(el.dataset.chartSpec);
    if (!source) return;
    el.dataset.chartDrawn = "1";
    const spec = JSON.parse(source.textContent);
    embed(el, spec, {
      ast: true,
      expr: expressionInterpreter,
      // The table beside the chart and its CSV link carry the figures; no extra menu.
      actions: false,
      renderer: "svg",
      timeFormatLocale: timeFormatLocale(),
    }).catch((err) => {
      el.textContent = el.dataset.chartError || "The chart could not be drawn; the table shows its figures.";
      console.error(err);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => drawAll(document));
document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));

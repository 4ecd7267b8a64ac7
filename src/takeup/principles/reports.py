"""The principles pages' figures: each service's state, score and open actions, each area's
score, the scores over time, and the findability and phone-message results."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from takeup.catalogue.models import Service
from takeup.charts import Chart, bar_chart, time_chart
from takeup.organisations.models import Organisation

from . import findability, havering, phones, queries
from .models import Action, PhoneMessage, SearchResult, SearchTerm

STATE_LABELS = {
    havering.ONLINE: gettext_lazy("Online"),
    havering.NOT_ONLINE: gettext_lazy("Not online yet"),
    havering.NEW: gettext_lazy("New"),
}
# havering.ITEMS's questions, as staff read them (havering.py is pure, so its words are here).
ITEM_LABELS = {
    "promoted_everywhere": gettext_lazy("The online service is promoted wherever the service is"),
    "no_phone_published": gettext_lazy("No phone number is published for it"),
    "no_email_published": gettext_lazy("No email address is published for it"),
    "no_post_or_cheques": gettext_lazy("It does not ask for post or cheques"),
    "one_phone_number": gettext_lazy("One phone number only is published"),
    "no_email_not_online": gettext_lazy("No email address is published"),
    "all_information_online": gettext_lazy("All its information is on the website"),
    "digital_by_default": gettext_lazy("It is designed digital by default"),
    "online_only_if_possible": gettext_lazy("It is online only, if that is possible"),
}


def item_text(item: str) -> str:
    return str(ITEM_LABELS[item])


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    state: str
    passed: int
    answered: int
    failing: list[str]
    open_actions: int

    @property
    def score(self) -> float | None:
        return 100 * self.passed / self.answered if self.answered else None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass(frozen=True)
class PrinciplesPage:
    rows: list[ServiceRow]
    areas: list[tuple[str, int, int]]  # area, passed, answered
    charts: list[Chart] = field(default_factory=list)


def principles_page(organisation: Organisation) -> PrinciplesPage:
    stages = queries.stages_by_service(organisation)
    answers = queries.checklist_by_service(organisation)
    open_actions: dict[int, int] = defaultdict(int)
    for a in queries.actions_of(organisation).filter(done_on=None):
        open_actions[a.service_id] += 1
    rows = []
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for service in queries.services_for(organisation):
        state = havering.state_of(online_url=service.online_url, stages=stages.get(service.pk, {}))
        mine = {
            item: c.result
            for item, c in answers.get(service.pk, {}).items()
            if item in havering.items_for(state)
        }
        passed, answered = havering.score(mine)
        rows.append(
            ServiceRow(
                service,
                state,
                passed,
                answered,
                [item for item, r in mine.items() if r == havering.FAIL],
                open_actions[service.pk],
            )
        )
        by_area[service.area.name][0] += passed
        by_area[service.area.name][1] += answered
    areas = [(name, p, n) for name, (p, n) in sorted(by_area.items())]
    charts = []
    scored = [(name, p, n) for name, p, n in areas if n]
    if scored:
        charts.append(
            bar_chart(
                id="principles-areas",
                title=_("Principles met, by service area"),
                description=_("The share of checked principles each service area's services meet."),
                records=[{"area": a, "percent": round(100 * p / n, 1)} for a, p, n in scored],
                category="area",
                value="percent",
                category_label=_("Service area"),
                value_label=_("Principles met (%)"),
                whole_numbers=False,
            )
        )
    history = _history(organisation)
    if len(history) > 1:
        charts.append(
            time_chart(
                id="principles-history",
                title=_("Principles met over time"),
                description=_("The share of checked principles met across all services, by day."),
                records=history,
                time="day",
                value="percent",
                time_label=_("Date"),
                value_label=_("Principles met (%)"),
                percent=True,
            )
        )
    return PrinciplesPage(rows=rows, areas=areas, charts=charts)


def _history(organisation: Organisation) -> list[dict[str, str | float | None]]:
    """Across services, each day's share met: a service's latest score counts until it changes."""
    latest: dict[int, tuple[int, int]] = {}
    out: list[dict[str, str | float | None]] = []
    days: dict[date, list[tuple[int, int, int]]] = defaultdict(list)
    for s in queries.score_history(organisation):
        days[s.day].append((s.service_id, s.passed, s.answered))
    for day in sorted(days):
        for service_id, passed, answered in days[day]:
            latest[service_id] = (passed, answered)
        p = sum(v[0] for v in latest.values())
        n = sum(v[1] for v in latest.values())
        if n:
            out.append({"day": day.isoformat(), "percent": round(100 * p / n, 1)})
    return out


@dataclass(frozen=True)
class TermRow:
    term: SearchTerm
    latest: SearchResult | None
    history: list[SearchResult]

    @property
    def passes(self) -> bool | None:
        if self.latest is None or (self.latest.error and self.latest.rank is None):
            return None
        return self.latest.rank is not None and self.latest.rank <= findability.TOP


def search_rows(organisation: Organisation) -> list[TermRow]:
    results = queries.results_by_term(organisation)
    return [
        TermRow(t, results[t.pk][0] if results.get(t.pk) else None, results.get(t.pk, []))
        for t in queries.search_terms_of(organisation)
    ]


@dataclass(frozen=True)
class MessageRow:
    message: PhoneMessage
    checks: list[phones.MessageCheck]
    next_check: date

    @property
    def due(self) -> bool:
        return self.next_check <= timezone.localdate()


def message_rows(organisation: Organisation) -> list[MessageRow]:
    return [
        MessageRow(
            m,
            phones.check_message(
                m.text, m.reason.name if m.reason else None, m.reason.online_url if m.reason else ""
            ),
            phones.next_check(m.last_checked_on),
        )
        for m in queries.phone_messages_of(organisation)
    ]


def open_actions(organisation: Organisation) -> list[Action]:
    return list(queries.actions_of(organisation).filter(done_on=None))


def phone_summary(organisation: Organisation) -> dict[str, Any]:
    """The recorded messages' checks, for the website check's page (TAKEUP_WEBSITE_BESIDE)."""
    labels = {
        "points_to_website": _("points callers to the website"),
        "names_online_service": _("names the online service for the most common reason"),
    }
    rows = [
        (
            f"{r.message.number} ({r.message.get_kind_display()}): {labels[c.id]}",
            c.result,
            c.evidence,
        )
        for r in message_rows(organisation)
        for c in r.checks
    ]
    return {
        "title": _("Recorded phone messages"),
        "rows": rows,
        "empty": _("No recorded messages are registered yet."),
        "url": reverse("principles:phones", kwargs={"org": organisation.slug}),
        "link": _("The phone-message register"),
    }

from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()

# How numbers are written for people, shared by the filters below and the views that write
# figures out: money with a true minus sign, p-values that never read 0.
MINUS = "\u2212"


def money_text(pence: int | float | None, *, whole: bool = False) -> str:
    """-11800 → "−£118.00" (or "−£118" whole): the sign before the pound sign, never "£-118"."""
    if pence is None:
        return ""
    sign = MINUS if pence < 0 else ""
    if whole:
        return f"{sign}£{round(abs(pence) / 100):,}"
    return f"{sign}£{Decimal(abs(round(pence))) / 100:,.2f}"


def p_value_text(p: float | None) -> str:
    """0.0004 → "< 0.001"; 0.0431 → "0.043"."""
    if p is None:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def signed_text(value: float | None, places: int = 0) -> str:
    """-9.2 → "−9" (or "−9.2" with places=1): a true minus sign, and thousands separated."""
    if value is None:
        return ""
    text = f"{value:,.{places}f}"
    return text.replace("-", MINUS)


@register.filter
def money(pence: int | float | None) -> str:
    """-11800 → "−£118.00"."""
    return money_text(pence)


@register.filter
def money_whole(pence: int | float | None) -> str:
    """-11800 → "−£118", 123456 → "£1,235": headline figures."""
    return money_text(pence, whole=True)


@register.filter
def signed(value: float | None, places: int = 0) -> str:
    """-9.2 → "−9": counts that can fall below zero, with a true minus sign."""
    return signed_text(value, places)


@register.filter
def p_value(p: float | None) -> str:
    """0.0004 → "< 0.001"."""
    return p_value_text(p)


@register.filter
def percent(share: float | None) -> str:
    """0.456 → "46%"."""
    if share is None:
        return ""
    return f"{share * 100:.0f}%"


@register.filter
def probability(share: float | None) -> str:
    """0.999 → "99.9%", and never "100%": a posterior probability is never certain."""
    if share is None:
        return ""
    return f"{min(share * 100, 99.9):.1f}%"


@register.filter
def option_groups(field: BoundField) -> list[tuple[str, list[dict[str, Any]]]]:
    """A multiple-choice field's options under their group names, for GOV.UK checkboxes. The
    options are numbered across groups, so the first one's id is the field's (the error
    summary links to it)."""
    widget = field.field.widget
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), {})
    numbered: list[tuple[str, list[dict[str, Any]]]] = []
    n = 0
    for name, options, _index in groups:
        shown = []
        for option in options:
            shown.append(dict(option, id=f"{field.auto_id}_{n}"))
            n += 1
        numbered.append((str(name or ""), shown))
    return numbered


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)

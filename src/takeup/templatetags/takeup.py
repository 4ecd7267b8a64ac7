from django import template

from takeup import numbers

register = template.Library()


@register.filter
def money(pence: int | float | None) -> str:
    """-11800 → "−£118.00"."""
    return numbers.money(pence)


@register.filter
def money_whole(pence: int | float | None) -> str:
    """-11800 → "−£118", 123456 → "£1,235": headline figures."""
    return numbers.money(pence, whole=True)


@register.filter
def signed(value: float | None, places: int = 0) -> str:
    """-9.2 → "−9": counts that can fall below zero, with a true minus sign."""
    return numbers.signed(value, places)


@register.filter
def p_value(p: float | None) -> str:
    """0.0004 → "< 0.001"."""
    return numbers.p_value(p)


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
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)

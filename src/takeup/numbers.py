"""How numbers are written for people: money with a true minus sign, p-values that never read 0.
Pure, shared by the templates (templatetags/takeup.py) and the views that write figures out."""

from decimal import Decimal

MINUS = "\u2212"


def money(pence: int | float | None, *, whole: bool = False) -> str:
    """-11800 → "−£118.00" (or "−£118" whole): the sign before the pound sign, never "£-118"."""
    if pence is None:
        return ""
    sign = MINUS if pence < 0 else ""
    if whole:
        return f"{sign}£{round(abs(pence) / 100):,}"
    return f"{sign}£{Decimal(abs(round(pence))) / 100:,.2f}"


def p_value(p: float | None) -> str:
    """0.0004 → "< 0.001"; 0.0431 → "0.043"."""
    if p is None:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def signed(value: float | None, places: int = 0) -> str:
    """-9.2 → "−9" (or "−9.2" with places=1): a true minus sign, and thousands separated."""
    if value is None:
        return ""
    text = f"{value:,.{places}f}"
    return text.replace("-", MINUS)

"""Text every app shapes the same way."""

import argparse
import re
import unicodedata
from datetime import date, datetime


def slugify(text: str) -> str:
    """A short name for addresses: ASCII letters and digits joined by hyphens ("Ffordd Gŵyr" →
    "ffordd-gwyr"), at most 80 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def parse_date(text: str) -> date:
    """A date as councils write it: yyyy-mm-dd, dd/mm/yyyy, dd-mm-yyyy or dd.mm.yyyy."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date: use dd/mm/yyyy or yyyy-mm-dd")


def date_argument(text: str) -> date:
    """A command's date option: a bad one is reported as one line naming the option."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def month_argument(text: str) -> date:
    """A command's month option, as YYYY-MM: the first day of that month."""
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a month: give it as YYYY-MM, such as 2026-10"
        ) from exc

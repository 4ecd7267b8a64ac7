"""Text every app shapes the same way."""

import re
import unicodedata


def slugify(text: str) -> str:
    """A short name for addresses: ASCII letters and digits joined by hyphens ("Ffordd Gŵyr" →
    "ffordd-gwyr"), at most 80 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]

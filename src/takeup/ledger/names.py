"""Matching the names in a file to the catalogue's. Pure.

Names match after Unicode NFC normalisation, trimming, collapsing runs of spaces and
case-folding, so "Ffordd  Gŵyr" written with a combining accent and a double space is "ffordd
gŵyr". Nothing else is guessed: "Telephone" is not "Phone" until someone maps it. An unknown name
gets the closest catalogue names as suggestions, and a name that lost characters to a wrong
encoding is recognised as such."""

import difflib
import re
import unicodedata
from collections.abc import Iterable

SPACES = re.compile(r"\s+")
# What a Windows-1252 save leaves where a character it cannot hold was: "?" or U+FFFD.
LOST = ("?", "\ufffd")


def normalise(name: str) -> str:
    return SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()


def suggestions(name: str, known: Iterable[str], n: int = 2) -> list[str]:
    """The catalogue names closest to an unknown one (as the catalogue writes them)."""
    by_key = {normalise(k): k for k in known}
    close = difflib.get_close_matches(normalise(name), list(by_key), n=n, cutoff=0.6)
    return [by_key[c] for c in close]


def lost_characters(name: str, known: Iterable[str]) -> str | None:
    """The catalogue name this one would be if its "?" characters were letters a wrong
    encoding lost, if there is exactly one such name."""
    if not any(mark in name for mark in LOST):
        return None
    pattern = re.compile(
        "".join("." if ch in LOST else re.escape(ch) for ch in normalise(name)) + "$"
    )
    found = {k for k in known if pattern.match(normalise(k))}
    return found.pop() if len(found) == 1 else None


def unknown_message(kind: str, name: str, known: Iterable[str]) -> str:
    """What to say about a name the catalogue does not know."""
    names = list(known)
    lost = lost_characters(name, names)
    if lost:
        return (
            f"No {kind} called '{name}': it looks like '{lost}' with characters lost when the "
            'file was saved. Save it as "CSV UTF-8" and import it again.'
        )
    close = suggestions(name, names)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    action = (
        "add it to the catalogue or match it to one"
        if kind == "service"
        else "add it or match it to one"
    )
    return f"No {kind} called '{name}'{hint}: {action}."

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
    """The catalogue names closest to an unknown one (as the catalogue writes them): close as a
    whole ("Telephone", "Phone"), or with every word close to one of theirs ("Bins Missd",
    "Report a missed bin")."""
    wanted = normalise(name)
    words = wanted.split()
    scored = []
    for k in known:
        key = normalise(k)
        whole = difflib.SequenceMatcher(None, wanted, key).ratio()
        theirs = key.split()
        matched = sum(
            1
            for w in words
            if any(difflib.SequenceMatcher(None, w, t).ratio() >= 0.75 for t in theirs)
        )
        by_words = matched / len(words) if words else 0.0
        score = max(whole, by_words * 0.9)
        if score >= 0.6:
            scored.append((score, k))
    return [k for _, k in sorted(scored, key=lambda sk: -sk[0])[:n]]


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

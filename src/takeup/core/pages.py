"""Page rules: which service (or area) a page of the council's website belongs to. Pure.

A rule is an address prefix and what pages under it belong to. The longest prefix that the
page's path starts with wins, so "/bins/missed" can go to one service while the rest of "/bins"
goes to another. The exit survey (insight) and web-visit imports (ledger) share it."""

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def best_match(path: str, rules: Iterable[tuple[str, T]]) -> T | None:
    """What the rule with the longest prefix of `path` names; None when no rule matches. Of two
    rules with the same prefix, the first wins."""
    best: tuple[int, T] | None = None
    for prefix, target in rules:
        if path.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), target)
    return None if best is None else best[1]

"""CSV for spreadsheets: every download goes through this writer, so that a cell a resident or an
import wrote (a survey comment, a service name) can never run as a formula when staff open it.

OWASP's advice: a cell that starts with =, +, -, @, a tab or a carriage return is prefixed with a
single quote, which spreadsheets show as text. Real numbers, negative ones included, are left as
numbers. `restore` undoes it for files that are loaded back (the catalogue)."""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


class _Stream(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    if text[:1] in TRIGGERS and not NUMBER.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """A cell as it was before `neutralise`."""
    return text[1:] if text[:1] == "'" and text[1:2] in TRIGGERS else text


class SafeWriter:
    """csv.writer with every cell neutralised."""

    def __init__(self, stream: _Stream) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)

"""The Local Government Service List (LGSL): the published identifiers of the services English
and Welsh councils provide, so that the same service can be compared across councils.

The list ships unchanged in fixtures/englishAndWelshServices.csv, as published. Its quirks are
dealt with on reading: a byte-order mark, descriptions over several lines, labels with doubled
or trailing spaces, one label garbled in an earlier conversion ("Street cafÅ½ licence"), two
labels that differ only in capitals, and 24 services marked Discontinued (their codes are still
accepted, since councils' records use them; the list offered to choose from leaves them out)."""

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LIST_FILE = Path(__file__).parent / "fixtures" / "englishAndWelshServices.csv"
GARBLED = {"cafÅ½": "café"}


@dataclass(frozen=True)
class LgslService:
    code: int
    label: str
    live: bool

    @property
    def choice(self) -> str:
        """As offered and shown: the code, then the label ("524 Household waste collection")."""
        return f"{self.code} {self.label}"


def _clean(label: str) -> str:
    label = re.sub(r"\s+", " ", label).strip()
    for wrong, right in GARBLED.items():
        label = label.replace(wrong, right)
    return label


@cache
def lgsl_services() -> dict[int, LgslService]:
    """Every service in the list by its code, in the list's order (alphabetical by label)."""
    text = LIST_FILE.read_text(encoding="utf-8-sig")
    return {
        int(row["Identifier"]): LgslService(
            int(row["Identifier"]), _clean(row["Label"]), row["Status"].strip() == "Live"
        )
        for row in csv.DictReader(io.StringIO(text, newline=""))
    }


def lgsl_label(code: int | None) -> str:
    service = lgsl_services().get(code) if code is not None else None
    return service.label if service else ""


def lgsl_find(text: str) -> int | None:
    """The code meant by what someone typed: a code ("524"), a code and label as offered
    ("524 Household waste collection") or a label alone, in any case. None when it names no
    service in the list, or more than one."""
    text = _clean(text)
    found = re.match(r"^(\d+)\b", text)
    if found:
        code = int(found.group(1))
        return code if code in lgsl_services() else None
    matches = [s.code for s in lgsl_services().values() if s.label.lower() == text.lower()]
    return matches[0] if len(matches) == 1 else None

"""A data source's profile: how its files are laid out, set once so that every file from that
source just imports. Pure.

- the header line (a number, or found: the first line that, once mapped, has the columns needed);
- the sheet of a workbook, by name or position;
- a column mapping: which of their columns is the date, service, channel, measure, count, period;
- constants for what the file does not say: channel = Phone, measure = contacts, period = month;
- the grain the source reports at (day, week or month);
- page rules, for web analytics exports: pages whose path starts with a prefix belong to a
  service (the longest prefix wins);
- a scheduled pull from Matomo or Plausible: kind, url, site and token (ledger/pull.py).
Value mappings (their service, channel and measure names → ours) are NameMappings, kept with the
source too."""

from dataclasses import dataclass, field
from typing import Any

FIELDS = ("date", "service", "channel", "measure", "count", "period")
CONSTANT_FIELDS = ("service", "channel", "measure", "period")
GRAINS = ("day", "week", "month")


class ProfileError(ValueError):
    """A profile setting that cannot be used; the message says what to write instead."""


@dataclass(frozen=True)
class Profile:
    header_line: int | None = None  # None: find it
    sheet: str | int | None = None  # a name, or a position from 1
    columns: dict[str, str] = field(default_factory=dict)  # our field → their column
    constants: dict[str, str] = field(default_factory=dict)  # our field → the value
    grain: str | None = None
    pages: tuple[tuple[str, str], ...] = ()  # (path prefix, service slug)
    pull: dict[str, str] | None = None  # kind, url, site, token

    def public_json(self) -> dict[str, Any]:
        """As as_json, with the pull's token hidden (for the audit log and screens)."""
        data = self.as_json()
        if self.pull and self.pull.get("token"):
            data["pull"] = {**self.pull, "token": "…"}
        return data

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> "Profile":
        data = data or {}
        return cls(
            header_line=data.get("header_line"),
            sheet=data.get("sheet"),
            columns=dict(data.get("columns") or {}),
            constants=dict(data.get("constants") or {}),
            grain=data.get("grain"),
            pages=tuple((str(p), str(s)) for p, s in data.get("pages") or ()),
            pull=dict(data["pull"]) if data.get("pull") else None,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "header_line": self.header_line,
            "sheet": self.sheet,
            "columns": self.columns,
            "constants": self.constants,
            "grain": self.grain,
            "pages": [[p, s] for p, s in self.pages],
            "pull": self.pull,
        }

    def describe(self) -> list[tuple[str, str]]:
        """The profile in words, a line per setting, for the preview and the CLI."""
        out = [("header line", "found" if self.header_line is None else str(self.header_line))]
        if self.sheet is not None:
            out.append(("sheet", str(self.sheet)))
        out += [(f"column {k}", v) for k, v in self.columns.items()]
        out += [(f"always {k}", v) for k, v in self.constants.items()]
        if self.grain:
            out.append(("grain", self.grain))
        out += [(f"page {prefix}", slug) for prefix, slug in self.pages]
        if self.pull:
            out.append(("pull", f"{self.pull['kind']} {self.pull['url']} site {self.pull['site']}"))
        return out


def parse_pairs(pairs: list[str], allowed: tuple[str, ...], what: str) -> dict[str, str]:
    """["date=Date of call", "count=ACD Calls"] → {"date": "Date of call", "count": "ACD Calls"}."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or not value.strip():
            raise ProfileError(f"Write {what} as FIELD=VALUE, such as {allowed[0]}=…: '{pair}'.")
        if key not in allowed:
            raise ProfileError(f"'{key}' is not a {what} field: use {', '.join(allowed)}.")
        out[key] = value.strip()
    return out


def parse_header_line(text: str | None) -> int | None:
    if text is None or text.strip().lower() in ("", "auto"):
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise ProfileError(f"The header line is a line number from 1, or auto: '{text}'.")
    return int(text)


def parse_sheet(text: str | None) -> str | int | None:
    if text is None or not text.strip():
        return None
    return int(text) if text.strip().isdigit() else text.strip()


def parse_grain(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if text.strip().lower() not in GRAINS:
        raise ProfileError(f"The grain is day, week or month: '{text}'.")
    return text.strip().lower()


def parse_pages(pairs: list[str]) -> list[tuple[str, str]]:
    """["/bins=report-a-missed-bin"] → [("/bins", "report-a-missed-bin")]: page rules."""
    out = []
    for pair in pairs:
        prefix, sep, slug = pair.rpartition("=")
        prefix, slug = prefix.strip(), slug.strip()
        if not sep or not prefix or not slug:
            raise ProfileError(
                f"Write a page rule as PREFIX=SERVICE, such as /bins=report-a-missed-bin: '{pair}'."
            )
        if not prefix.startswith("/"):
            raise ProfileError(f"A page rule's prefix is a path starting with /: '{prefix}'.")
        out.append((prefix, slug))
    return out


PULL_KINDS = ("matomo", "plausible")


def parse_pull(kind: str, url: str | None, site: str | None, token: str | None) -> dict[str, str]:
    """The settings of a scheduled pull, checked: {"kind", "url", "site", "token"}."""
    if kind not in PULL_KINDS:
        raise ProfileError(f"A pull is from matomo or plausible: '{kind}'.")
    if not url or not url.startswith(("https://", "http://")):
        raise ProfileError(f"The pull's address starts with https://: '{url or ''}'.")
    if not site or not token:
        raise ProfileError(
            "A pull needs the site (Matomo's idSite, Plausible's domain) and a token."
        )
    return {"kind": kind, "url": url.rstrip("/"), "site": site, "token": token}

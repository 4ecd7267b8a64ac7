"""Reading campaigns and their activities from CSV. Pure: bytes in, rows and line-numbered
errors out.

One row per activity. The campaign columns are needed on the first row of each campaign and may
be left empty on the rest; a row with no medium adds a campaign with no activity.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from takeup.catalogue.csvimport import RowError, read_records
from takeup.core.text import parse_date

REQUIRED_COLUMNS = ("campaign",)
OPTIONAL_COLUMNS = (
    "services",
    "campaign_start",
    "campaign_end",
    "budget",
    "objective",
    "audience",
    "phase",
    "follows",
    "medium",
    "place",
    "ward",
    "start",
    "end",
    "cost",
)


@dataclass(frozen=True)
class ActivityRow:
    line: int
    medium: str
    place: str
    ward: str
    starts_on: date
    ends_on: date
    cost_pence: int


@dataclass
class CampaignRow:
    line: int
    name: str
    services: tuple[str, ...]
    starts_on: date
    ends_on: date
    budget_pence: int = 0
    objective: str = ""
    audience: str = ""
    phase: str = ""
    follows: str = ""
    activities: list[ActivityRow] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedCampaigns:
    campaigns: tuple[CampaignRow, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_pence(text: str) -> int:
    cleaned = text.strip().lstrip("£").replace(",", "")
    try:
        pounds = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"'{text}' is not an amount in pounds, like 1200.50") from exc
    if pounds < 0 or not pounds.is_finite():
        raise ValueError(f"'{text}' is not an amount in pounds, like 1200.50")
    return int((pounds * 100).to_integral_value())


def parse_campaigns(data: bytes, media: dict[str, str]) -> ParsedCampaigns:
    """media maps lower-case medium values and labels ("leaflet", "facebook advert") to values."""
    records, header_errors = read_records(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    if header_errors:
        return ParsedCampaigns(errors=tuple(header_errors))
    campaigns: dict[str, CampaignRow] = {}
    errors: list[RowError] = []
    for line, record in records:
        row_errors: list[RowError] = []

        def get(column: str, parse: object = None, *, _r: dict[str, str] = record) -> object:
            value = _r.get(column, "")
            if not value or parse is None:
                return value
            try:
                return parse(value)  # type: ignore[operator]
            except ValueError as exc:
                row_errors.append(RowError(line, column, str(exc)))  # noqa: B023
                return None

        name = str(get("campaign"))
        if not name:
            errors.append(RowError(line, "campaign", "campaign is empty."))
            continue
        key = name.casefold()
        campaign = campaigns.get(key)
        if campaign is None:
            services = tuple(
                s.strip() for s in str(get("services")).replace("|", ";").split(";") if s.strip()
            )
            start, end = get("campaign_start", parse_date), get("campaign_end", parse_date)
            for column, value in (
                ("services", services),
                ("campaign_start", start),
                ("campaign_end", end),
            ):
                if value == "" or value == ():
                    row_errors.append(
                        RowError(line, column, f"{column} is needed on a campaign's first row.")
                    )
            if isinstance(start, date) and isinstance(end, date) and end < start:
                row_errors.append(
                    RowError(line, "campaign_end", "The campaign ends before it starts.")
                )
            budget = get("budget", parse_pence)
            if not row_errors and isinstance(start, date) and isinstance(end, date):
                campaign = CampaignRow(
                    line=line,
                    name=name,
                    services=services,
                    starts_on=start,
                    ends_on=end,
                    budget_pence=budget if isinstance(budget, int) else 0,
                    objective=str(get("objective"))[:1000],
                    audience=str(get("audience"))[:300],
                    phase=str(get("phase"))[:60],
                    follows=str(get("follows")),
                )
                campaigns[key] = campaign
        medium_text = str(get("medium"))
        if medium_text:
            medium = media.get(medium_text.casefold(), "")
            if not medium:
                row_errors.append(
                    RowError(
                        line,
                        "medium",
                        f"'{medium_text}' is not a medium: use one of "
                        + ", ".join(sorted({v for v in media.values()}))
                        + ".",
                    )
                )
            start = get("start", parse_date) or (campaign.starts_on if campaign else None)
            end = get("end", parse_date) or (campaign.ends_on if campaign else None)
            if isinstance(start, date) and isinstance(end, date) and end < start:
                row_errors.append(RowError(line, "end", "The activity ends before it starts."))
            cost = get("cost", parse_pence)
            if (
                not row_errors
                and campaign is not None
                and isinstance(start, date)
                and isinstance(end, date)
            ):
                campaign.activities.append(
                    ActivityRow(
                        line=line,
                        medium=medium,
                        place=str(get("place"))[:200],
                        ward=str(get("ward"))[:100],
                        starts_on=start,
                        ends_on=end,
                        cost_pence=cost if isinstance(cost, int) else 0,
                    )
                )
        errors.extend(row_errors)
    if not campaigns and not errors:
        errors.append(RowError(2, "", "The file has a header row but no campaigns."))
    return ParsedCampaigns(campaigns=tuple(campaigns.values()), errors=tuple(errors))

"""The priority score of each neighbourhood: where help is likely to be needed most. Pure.

Each indicator becomes a need between 0 and 1 by its place among the organisation's
neighbourhoods: the neighbourhood with the least need gets 0, the one with the most gets 1, the
others are spread evenly between by rank (ties share the average of their places). So a count
with a long tail (Blue Badge holders) counts by its order, not its size, and indicators in
different units can be added.

- Deprivation: the IMD rank, where a lower rank is more deprived, so more need.
- Older people: the share of the population aged 60 and over; a higher share is more need.
- Each of the council's own indicators, in the direction the council says.

The score is the weighted average of the needs, times 100. A neighbourhood without a value for
an indicator is scored on the others, their weights scaled up to the same total, and the
indicator is listed as left out for it. A neighbourhood with no indicator at all, or whose
indicators all weigh 0, has no score and comes last.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEPRIVATION = "deprivation"
OLDER = "older"


@dataclass(frozen=True)
class Area:
    code: str
    imd_rank: int | None = None
    older_share: float | None = None
    own: Mapping[str, float] = field(default_factory=dict)  # indicator slug → value


@dataclass(frozen=True)
class Criterion:
    """One part of the score: `key` is "deprivation", "older" or an own indicator's slug."""

    key: str
    weight: float
    higher_means_more_need: bool = True


@dataclass(frozen=True)
class Scored:
    code: str
    score: float | None  # 0 to 100
    rank: int | None  # 1 = the highest score
    needs: dict[str, float | None]  # criterion key → need 0–1, None where the value is missing
    left_out: tuple[str, ...]  # criteria with weight that had no value here


def criteria(
    deprivation: float, older: float, own: Sequence[tuple[str, float, bool]] = ()
) -> list[Criterion]:
    """The criteria from the weights: the two published ones and the council's own."""
    return [
        Criterion(DEPRIVATION, deprivation, higher_means_more_need=False),
        Criterion(OLDER, older),
        *(Criterion(slug, weight, more) for slug, weight, more in own),
    ]


def value_of(area: Area, key: str) -> float | None:
    if key == DEPRIVATION:
        return None if area.imd_rank is None else float(area.imd_rank)
    if key == OLDER:
        return area.older_share
    return area.own.get(key)


def needs(values: Mapping[str, float | None], higher_means_more_need: bool) -> dict[str, float]:
    """Each value's need from 0 to 1 by its rank among the others (ties share their average
    rank); one value alone, or all equal, is 0.5. Missing values are left out."""
    present = sorted(
        ((v, k) for k, v in values.items() if v is not None),
        key=lambda pair: pair[0],
        reverse=not higher_means_more_need,
    )
    n = len(present)
    out: dict[str, float] = {}
    i = 0
    while i < n:
        j = i
        while j + 1 < n and present[j + 1][0] == present[i][0]:
            j += 1
        place = (i + j) / 2  # the average of the tied places, counted from 0
        for k in range(i, j + 1):
            out[present[k][1]] = 0.5 if n == 1 else place / (n - 1)
        i = j + 1
    if n > 1 and present[0][0] == present[-1][0]:
        out = dict.fromkeys(out, 0.5)
    return out


def score(areas: Sequence[Area], weighted: Sequence[Criterion]) -> list[Scored]:
    """Every area's score, highest first (ties by code); areas without a score last."""
    need_of = {
        c.key: needs({a.code: value_of(a, c.key) for a in areas}, c.higher_means_more_need)
        for c in weighted
    }
    scored = []
    for area in areas:
        total = weight = 0.0
        parts: dict[str, float | None] = {}
        left_out = []
        for c in weighted:
            need = need_of[c.key].get(area.code)
            parts[c.key] = need
            if c.weight <= 0:
                continue
            if need is None:
                left_out.append(c.key)
                continue
            total += c.weight * need
            weight += c.weight
        value = round(100 * total / weight, 1) if weight > 0 else None
        scored.append(Scored(area.code, value, None, parts, tuple(left_out)))
    scored.sort(key=lambda s: (s.score is None, -(s.score or 0), s.code))
    return [
        Scored(s.code, s.score, i + 1 if s.score is not None else None, s.needs, s.left_out)
        for i, s in enumerate(scored)
    ]

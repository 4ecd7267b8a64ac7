"""Exit-survey analysis: shares with Wilson intervals, two-segment comparisons, satisfaction,
task completion and avoided contacts. Pure: no Django. docs/methods.md says it in words."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scipy.stats import norm

Answers = Mapping[str, object]
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Share:
    """k of n, with its Wilson 95% interval."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n: right near 0% and 100% and for small n,
    where the normal approximation gives impossible bounds."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Difference:
    a: Share
    b: Share
    z: float | None
    p_value: float | None  # None: no test, since a side has no answers

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05

    @property
    def ratio(self) -> float | None:
        if not self.a.value or not self.b.value:
            return None
        return self.a.value / self.b.value


def two_proportions(a: Share, b: Share) -> Difference:
    """Two-sided z-test of two proportions with the pooled variance. No test at all when a side
    has no answers: there is nothing to compare."""
    if not a.n or not b.n:
        return Difference(a, b, None, None)
    pooled = (a.k + b.k) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    if se == 0:
        return Difference(a, b, 0.0, 1.0)
    z = (a.k / a.n - b.k / b.n) / se
    return Difference(a, b, z, float(2 * norm.sf(abs(z))))


def _has(answers: Answers, key: str, value: str) -> bool:
    given = answers.get(key)
    return value in given if isinstance(given, list) else given == value


def share(
    responses: Sequence[Answers], key: str, values: Iterable[str], exclude: Iterable[str] = ()
) -> Share:
    """Share of those who answered `key` (leaving out answers in `exclude`, such as "prefer not
    to say") whose answer is one of `values`."""
    wanted, skipped = set(values), set(exclude)
    answered = [
        r
        for r in responses
        if r.get(key) not in (None, "", []) and not any(_has(r, key, s) for s in skipped)
    ]
    return Share(sum(1 for r in answered if any(_has(r, key, v) for v in wanted)), len(answered))


def counts(responses: Sequence[Answers], key: str, values: Sequence[str]) -> dict[str, Share]:
    """For each answer, the share of those who answered the question that chose it."""
    answered = [r for r in responses if r.get(key) not in (None, "", [])]
    return {v: Share(sum(1 for r in answered if _has(r, key, v)), len(answered)) for v in values}


def satisfaction(responses: Sequence[Answers]) -> Share:
    """User satisfaction as GDS defined it (2013): satisfied or very satisfied, of five points."""
    return share(responses, "satisfaction", {"4", "5"})


def completion(responses: Sequence[Answers]) -> Share:
    """Task completion: found what they wanted ("yes"), of all who answered ("yes", "partly",
    "no")."""
    return share(responses, "found", {"yes"})


@dataclass(frozen=True)
class Avoided:
    """Contacts the website saved, scaled from the sample to all visits."""

    channel: str
    share: Share
    visits: int
    contacts: float
    low: float
    high: float
    saving_pence: float
    saving_low: float
    saving_high: float


def avoided_contacts(
    responses: Sequence[Answers],
    visits: int,
    unit_cost_pence: Mapping[str, int],
) -> list[Avoided]:
    """ "Would otherwise have contacted us by …": each channel's share (Wilson interval) of those
    who answered, times the visits the sample stands for, times that channel's unit cost."""
    out = []
    for channel, cost in unit_cost_pence.items():
        s = share(responses, "otherwise", {channel})
        if s.value is None:
            continue
        low, high = s.interval or (0.0, 0.0)
        out.append(
            Avoided(
                channel=channel,
                share=s,
                visits=visits,
                contacts=s.value * visits,
                low=low * visits,
                high=high * visits,
                saving_pence=s.value * visits * cost,
                saving_low=low * visits * cost,
                saving_high=high * visits * cost,
            )
        )
    return out


@dataclass(frozen=True)
class Comparison:
    label: str
    difference: Difference


SEGMENT_MEASURES: tuple[tuple[str, str, frozenset[str], frozenset[str]], ...] = (
    ("women", "gender", frozenset({"female"}), frozenset({"not-say"})),
    ("aged 60 or over", "age", frozenset({"60-74", "75-plus"}), frozenset({"not-say"})),
    ("intermediaries", "for_whom", frozenset({"intermediary"}), frozenset()),
    ("professionals", "for_whom", frozenset({"professional"}), frozenset()),
    ("looking for themselves", "for_whom", frozenset({"self"}), frozenset()),
)


def compare_segments(a: Sequence[Answers], b: Sequence[Answers]) -> list[Comparison]:
    """Segment A against segment B on each of SEGMENT_MEASURES (women, 60 or over, for whom)."""
    return [
        Comparison(label, two_proportions(share(a, key, vals, skip), share(b, key, vals, skip)))
        for label, key, vals, skip in SEGMENT_MEASURES
    ]

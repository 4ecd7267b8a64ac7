"""How many of a service's users will need help to use it online: the assisted-digital estimate.
Pure: no Django. docs/methods.md ("Assisted digital: who will need help") says it in words.

Over the last twelve whole months, of T transactions, D were digital self-service, A were
assisted digital (where the ledger records that channel) and N = T − D − A were by other
channels. Three groups need help:

1. **Helped already**: the A assisted-digital transactions the ledger records.
2. **Helped by someone else online**: the share s of the exit survey's answers for the service
   that were "for someone else: family, a friend, someone I care for", times D.
3. **Older than the online users suggest**: the share of the area's people aged 60 and over, a,
   against the share of the service's survey answers aged 60 and over, o. Where a > o, the
   service's online users are younger than its area, and g = a − o of the other channels' N
   transactions are counted as the older people most likely to need help when they move online.

The estimate is (A + s·D + g·N) / T. Its interval takes each survey share at the ends of its
Wilson 95% interval (s low and o high for the lower end; the reverse for the upper); A, D, N and
a are counts, taken as exact. A survey share from fewer than MIN_ANSWERS answers is not used, and
the estimate says that it leaves that group out.
"""

from dataclasses import dataclass

from takeup.insight.stats import Share

MIN_ANSWERS = 30


@dataclass(frozen=True)
class Part:
    """One group's count of transactions needing help, with its range."""

    key: str  # "recorded", "someone_else", "older"
    value: float | None  # None: not known (no channel, too few answers, no area figures)
    low: float | None
    high: float | None
    why_missing: str = ""


@dataclass(frozen=True)
class Estimate:
    total: int
    digital: int
    assisted: int
    other: int
    parts: tuple[Part, ...]
    someone_else: Share | None
    older_online: Share | None
    older_area: float | None

    @property
    def known(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.value is not None)

    @property
    def left_out(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.value is None)

    def _share(self, attr: str) -> float | None:
        if not self.total or not self.known:
            return None
        return sum(getattr(p, attr) or 0.0 for p in self.known) / self.total

    @property
    def share(self) -> float | None:
        return self._share("value")

    @property
    def low(self) -> float | None:
        return self._share("low")

    @property
    def high(self) -> float | None:
        return self._share("high")

    @property
    def people(self) -> float | None:
        """Transactions a year that will need help (the share times T)."""
        share = self.share
        return None if share is None else share * self.total


def _usable(share: Share | None) -> Share | None:
    return share if share is not None and share.n >= MIN_ANSWERS else None


def estimate(
    *,
    total: int,
    digital: int,
    assisted: int | None,
    someone_else: Share | None,
    older_online: Share | None,
    older_area: float | None,
) -> Estimate:
    """`assisted` is None where the ledger has no assisted-digital channel for the service;
    `older_area` is the area's share aged 60 and over (0–1), None where no figures are loaded."""
    recorded = assisted or 0
    other = max(0, total - digital - recorded)
    parts = [
        Part("recorded", float(recorded), float(recorded), float(recorded))
        if assisted is not None
        else Part("recorded", None, None, None, "no assisted-digital channel in the ledger")
    ]
    helper = _usable(someone_else)
    if helper is not None and helper.interval is not None and helper.value is not None:
        lo, hi = helper.interval
        parts.append(Part("someone_else", helper.value * digital, lo * digital, hi * digital))
    else:
        parts.append(
            Part("someone_else", None, None, None, f"fewer than {MIN_ANSWERS} survey answers")
        )
    older = _usable(older_online)
    if older_area is None:
        parts.append(Part("older", None, None, None, "no neighbourhood figures loaded"))
    elif older is None or older.interval is None or older.value is None:
        parts.append(Part("older", None, None, None, f"fewer than {MIN_ANSWERS} survey answers"))
    else:
        o_low, o_high = older.interval
        parts.append(
            Part(
                "older",
                max(0.0, older_area - older.value) * other,
                max(0.0, older_area - o_high) * other,
                max(0.0, older_area - o_low) * other,
            )
        )
    return Estimate(
        total=total,
        digital=digital,
        assisted=recorded,
        other=other,
        parts=tuple(parts),
        someone_else=someone_else,
        older_online=older_online,
        older_area=older_area,
    )

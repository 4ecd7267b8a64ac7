"""Breaks in a service's weekly digital take-up (ruptures' PELT). Pure: no Django.

A break that no campaign or note explains is shown on the service page, so that an outage or a
form redesign is noted before anyone credits a campaign with it. Take-up (the digital share),
not the count, is searched: demand's seasons move every channel together and are not breaks.
"""

from collections.abc import Sequence
from datetime import date

import numpy as np
import ruptures

MIN_WEEKS = 16
MIN_SEGMENT_WEEKS = 2
MERGE_WEEKS = 4  # a change spread over a few weeks is one change
PENALTY = 6.0  # in units of log(weeks), on the share scaled by its week-to-week noise
MIN_SHIFT = 0.03  # three percentage points: smaller moves are not worth a note
SIDE_WEEKS = 6


def breaks(weeks: Sequence[date], digital: Sequence[float], totals: Sequence[float]) -> list[date]:
    """The first week of each new level of take-up."""
    total = np.asarray(totals, dtype=float)
    keep = total > 0
    if keep.sum() < MIN_WEEKS:
        return []
    share = np.asarray(digital, dtype=float)[keep] / total[keep]
    kept = [w for w, k in zip(weeks, keep, strict=True) if k]
    # A robust sd from the week-to-week differences, never below a tenth of a point.
    noise = max(float(np.median(np.abs(np.diff(share)))) / 0.9539, 1e-3)
    algo = ruptures.Pelt(model="l2", min_size=MIN_SEGMENT_WEEKS, jump=1)
    ends = algo.fit((share / noise).reshape(-1, 1)).predict(pen=PENALTY * 2 * np.log(share.size))
    found: list[int] = []
    for i in ends[:-1]:
        before = share[max(0, i - SIDE_WEEKS) : i].mean()
        after = share[i : i + SIDE_WEEKS].mean()
        if abs(after - before) < MIN_SHIFT:
            continue
        if not found or i - found[-1] >= MERGE_WEEKS:
            found.append(i)
    return [kept[i] for i in found]

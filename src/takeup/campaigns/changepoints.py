"""Breaks in a service's weekly digital series (ruptures' PELT). Pure: no Django.

A break that no campaign or note explains is shown on the service page, so that an outage or a
form redesign is noted before anyone credits a campaign with it.
"""

from collections.abc import Sequence
from datetime import date

import numpy as np
import ruptures

MIN_WEEKS = 16
MIN_SEGMENT_WEEKS = 6


def breaks(weeks: Sequence[date], counts: Sequence[float], penalty: float = 3.0) -> list[date]:
    """The first week of each new level. The cost is a Gaussian change in mean on the series
    scaled by its week-to-week noise, so the penalty means the same for large and small services."""
    if len(weeks) < MIN_WEEKS:
        return []
    y = np.asarray(counts, dtype=float)
    noise = float(np.median(np.abs(np.diff(y)))) / 0.9539 or 1.0  # robust sd of the differences
    scaled = (y / noise).reshape(-1, 1)
    algo = ruptures.Pelt(model="l2", min_size=MIN_SEGMENT_WEEKS, jump=1).fit(scaled)
    ends = algo.predict(pen=penalty * np.log(len(y)) * 2)
    return [weeks[i] for i in ends[:-1]]

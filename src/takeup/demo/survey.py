"""A quarter of exit-survey answers for Millbrook, shaped like a real council's. Pure: no Django.

First-time visitors to adult social care are about two-thirds women (against under half
elsewhere), less often 60 or over (29% against 46%), about 2.5 times as often intermediaries and
twice as often professionals; 40% look for themselves.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

CARE = "Adult social care"
COMMENTS = [
    "Could not find the phone number for social services, so I filled in the form instead.",
    "The bin collection calendar was easy to use.",
    "I was looking for care homes near my mother, the directory helped.",
    "Paying council tax online took two minutes, much better than phoning.",
    "The parking permit form timed out twice.",
    "Please make the planning search work on a phone.",
    "I manage care for a client and needed the assessment form.",
    "Good site but the search results were confusing.",
    "Found the blue badge form quickly.",
    "Would like to track my request online.",
]


@dataclass(frozen=True)
class DemoResponse:
    path: str
    area: str
    received_at: datetime
    device: str
    language: str
    answers: dict[str, object]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def responses(
    paths_by_area: dict[str, list[str]], end: datetime, count: int = 5000, seed: int = 3
) -> list[DemoResponse]:
    rng = random.Random(seed)
    areas = sorted(paths_by_area)
    area_weights = {a: (0.16 if a == CARE else 0.84 / (len(areas) - 1)) for a in areas}
    out = []
    for _ in range(count):
        area = _pick(rng, area_weights)
        care = area == CARE
        first = rng.random() < (0.45 if care else 0.2)
        answers: dict[str, object] = {
            "visits": "first" if first else _pick(rng, {"occasional": 0.6, "regular": 0.4})
        }
        if first and care:
            female, older = 0.65, 0.29
            whom = {"self": 0.40, "intermediary": 0.40, "professional": 0.20}
        elif first:
            female, older = 0.47, 0.46
            whom = {"self": 0.74, "intermediary": 0.16, "professional": 0.10}
        else:
            female, older = 0.5, 0.4
            whom = {"self": 0.8, "intermediary": 0.12, "professional": 0.08}
        answers["for_whom"] = _pick(rng, whom)
        if rng.random() < 0.93:
            answers["gender"] = (
                "not-say"
                if rng.random() < 0.04
                else ("female" if rng.random() < female else "male")
            )
        if rng.random() < 0.95:
            if rng.random() < 0.03:
                answers["age"] = "not-say"
            elif rng.random() < older:
                answers["age"] = _pick(rng, {"60-74": 0.7, "75-plus": 0.3})
            else:
                answers["age"] = _pick(rng, {"under-25": 0.12, "25-44": 0.45, "45-59": 0.43})
        found_by = {
            "search": 0.55,
            "direct": 0.15,
            "link": 0.08,
            "social": 0.06,
            "print": 0.05,
            "staff": 0.04,
            "family": 0.04,
            "other": 0.03,
        }
        answers["found_by"] = sorted({_pick(rng, found_by) for _ in range(rng.choice([1, 1, 2]))})
        answers["found"] = _pick(rng, {"yes": 0.68, "partly": 0.2, "no": 0.12})
        good = answers["found"] == "yes"
        answers["satisfaction"] = _pick(
            rng,
            {"5": 0.35, "4": 0.4, "3": 0.12, "2": 0.08, "1": 0.05}
            if good
            else {"5": 0.05, "4": 0.2, "3": 0.25, "2": 0.3, "1": 0.2},
        )
        if rng.random() < 0.85:
            answers["otherwise"] = _pick(
                rng,
                {
                    "phone": 0.52,
                    "in-person": 0.12,
                    "email": 0.14,
                    "letter": 0.03,
                    "not": 0.12,
                    "dont-know": 0.07,
                },
            )
        if rng.random() < 0.12:
            answers["comments"] = rng.choice(COMMENTS)
        out.append(
            DemoResponse(
                path=rng.choice(paths_by_area[area]),
                area=area,
                received_at=end - timedelta(minutes=rng.randrange(91 * 24 * 60)),
                device=_pick(rng, {"mobile": 0.58, "desktop": 0.34, "tablet": 0.08}),
                language="cy" if rng.random() < 0.06 else "en",
                answers=answers,
            )
        )
    return out

"""Whether a recorded phone message sends callers to the website, and names the online service
for the most common reason they call. Pure. It reads the words of the message as typed in or
transcribed; it cannot hear how clearly they are said, or where in the queue they come."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

PASS, FAIL = "pass", "fail"
# How often a message is checked again: every quarter.
CHECK_EVERY = timedelta(days=92)

WEBSITE = re.compile(
    r"\b(website|web site|online|www\.|\.gov\.uk|\.org\.uk|dot gov dot uk|go online)\b",
    re.IGNORECASE,
)
STOP_WORDS = {"a", "an", "and", "the", "for", "of", "to", "your", "my", "it", "on", "in", "or"}


@dataclass(frozen=True)
class MessageCheck:
    id: str
    result: str
    evidence: str


def _sentence(text: str, start: int) -> str:
    before = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    after = text.find(".", start)
    return " ".join(text[before : after + 1 if after >= 0 else len(text)].split())[:300]


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", name.lower()) if w not in STOP_WORDS and len(w) > 2}


def check_message(
    text: str, reason_service: str | None, online_address: str = ""
) -> list[MessageCheck]:
    """`points_to_website`, and `names_online_service` when the top reason for calling is known:
    the message names most of that service's words, or its online address."""
    checks = []
    found = WEBSITE.search(text)
    checks.append(
        MessageCheck("points_to_website", PASS, _sentence(text, found.start()))
        if found
        else MessageCheck(
            "points_to_website", FAIL, "The message does not mention the website or going online."
        )
    )
    if reason_service:
        wanted = _words(reason_service)
        heard = _words(text)
        named = wanted and len(wanted & heard) >= max(1, (len(wanted) + 1) // 2)
        host = re.sub(r"^https?://(www\.)?", "", online_address).split("/")[0]
        if named or (host and host.lower() in text.lower()):
            checks.append(
                MessageCheck(
                    "names_online_service",
                    PASS,
                    f"Names “{reason_service}”: {', '.join(sorted(wanted & heard)) or host}.",
                )
            )
        else:
            checks.append(
                MessageCheck(
                    "names_online_service",
                    FAIL,
                    f"Does not name “{reason_service}”, the most common reason for calling.",
                )
            )
    return checks


def next_check(last_checked: date) -> date:
    return last_checked + CHECK_EVERY

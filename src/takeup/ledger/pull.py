"""Fetching a day's web visits from Matomo's Reporting API or Plausible's Stats API (v2), for a
source whose profile has a "pull". No Django: settings and a day in, the response's bytes out,
read then by the same import pipeline as an uploaded export (ledger/analytics.py).

Retry what can succeed, fail what can't: a timeout, a dropped connection or a 5xx is tried
again, three times, waiting longer each time; a 4xx (a wrong token, site or address) will not
mend itself, so it fails at once with the answer's reason."""

import json
import time
from datetime import date
from typing import Any

import httpx

RETRIES = 3
BACKOFF_SECONDS = 2.0  # waits of 2, 4 and 8 seconds
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_REASON = 300


class PullFailed(Exception):
    """The pull did not work; `permanent` when trying again will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def pause(seconds: float) -> None:
    time.sleep(seconds)


def request_for(settings: dict[str, str], day: date) -> dict[str, Any]:
    """The HTTP request (method, url and body) asking for one day's visits to each page."""
    url, site, token = settings["url"].rstrip("/"), settings["site"], settings["token"]
    if settings["kind"] == "matomo":
        # period=day over a range of one day: the answer is keyed by its date
        return {
            "method": "POST",
            "url": f"{url}/index.php",
            "params": {
                "module": "API",
                "method": "Actions.getPageUrls",
                "idSite": site,
                "period": "day",
                "date": f"{day},{day}",
                "format": "JSON",
                "flat": "1",
                "filter_limit": "-1",
            },
            "data": {"token_auth": token},  # in the body, never in the address
        }
    return {
        "method": "POST",
        "url": f"{url}/api/v2/query",
        "headers": {"Authorization": f"Bearer {token}"},
        "json": {
            "site_id": site,
            "metrics": ["visits"],
            "date_range": [day.isoformat(), day.isoformat()],
            "dimensions": ["event:page", "time:day"],
            "pagination": {"limit": 10000, "offset": 0},
        },
    }


def fetch(settings: dict[str, str], day: date, client: httpx.Client | None = None) -> bytes:
    """One day's report, or PullFailed."""
    request = request_for(settings, day)
    name = settings["kind"].capitalize()
    with client or httpx.Client(timeout=TIMEOUT, follow_redirects=False) as http:
        for attempt in range(RETRIES + 1):
            try:
                answer = http.request(**request)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{name} did not answer ({type(exc).__name__})"
            else:
                if answer.status_code < 400:
                    return _checked(name, answer)
                problem = f"{name} answered {answer.status_code}: {_reason(answer)}"
                if answer.status_code < 500:
                    raise PullFailed(problem, permanent=True)
            if attempt < RETRIES:
                pause(BACKOFF_SECONDS * 2**attempt)
    raise PullFailed(f"{problem}, after {RETRIES} retries", permanent=False)


def _checked(name: str, answer: httpx.Response) -> bytes:
    """Matomo answers 200 with {"result": "error"} for a wrong token or site."""
    try:
        doc = json.loads(answer.content)
    except ValueError as exc:
        raise PullFailed(f"{name} answered with something other than JSON", permanent=True) from exc
    if isinstance(doc, dict) and doc.get("result") == "error":
        message = str(doc.get("message", ""))[:MAX_REASON]
        raise PullFailed(f"{name} refused: {message}", permanent=True)
    return answer.content


def _reason(answer: httpx.Response) -> str:
    try:
        doc = answer.json()
    except ValueError:
        return answer.reason_phrase
    text = doc.get("error") or doc.get("message") if isinstance(doc, dict) else None
    return str(text or answer.reason_phrase)[:MAX_REASON]

"""A local fake of GOV.UK Notify's HTTP API, for the Notify backend's tests.

It speaks Notify's documented shapes (docs.notifications.service.gov.uk/rest-api.html): the
JWT each request carries (HS256, signed with the key's secret, `iss` the service id, `iat`
within 30 seconds), POST /v2/notifications/email, /sms and /letter answered 201 with the new
notification, and errors as {"status_code": N, "errors": [{"error": ..., "message": ...}]}.
A test scripts what the next requests get (`fail_next`), and builds the callbacks Notify
would send about a notification (`receipt`, `complaint`)."""

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

MOBILE = re.compile(r"(?:\+44|0044|0)7\d{9}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ERRORS = {
    400: "BadRequestError",
    403: "AuthError",
    429: "RateLimitError",
    500: "Exception",
}
MESSAGES = {
    400: "Can't send to this recipient using a team-only API key",
    403: "Invalid token: API key not found",
    429: "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    500: "Internal server error",
}


@dataclass
class FakeNotify:
    url: str = ""
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    # Every request that reached the fake, in order: (path, JSON body).
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Notifications made, by id.
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    _script: list[tuple[int, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_key(self) -> str:
        return f"takeup_test-{self.service_id}-{self.secret}"

    def fail_next(self, status: int, times: int = 1, error: str = "", message: str = "") -> None:
        """The next `times` sends are answered with this error instead."""
        with self._lock:
            self._script.extend(
                [(status, error or ERRORS[status], message or MESSAGES[status])] * times
            )

    def receipt(self, notification_id: str, status: str) -> dict[str, Any]:
        """The delivery receipt Notify posts to the service's callback URL."""
        made = self.notifications[notification_id]
        return {
            "id": notification_id,
            "reference": made["reference"],
            "to": made["to"],
            "status": status,
            "created_at": made["created_at"],
            "completed_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "sent_at": made["created_at"],
            "notification_type": made["type"],
            "template_id": made["template_id"],
            "template_version": 1,
        }

    def complaint(self, notification_id: str) -> dict[str, Any]:
        """The complaint callback Notify posts when someone marks an email as spam."""
        made = self.notifications[notification_id]
        return {
            "notification_id": notification_id,
            "complaint_id": str(uuid.uuid4()),
            "reference": made["reference"],
            "to": made["to"],
            "complaint_date": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime()),
        }

    # What the handler calls

    def answer(self, path: str, authorization: str, body: bytes) -> tuple[int, dict[str, Any]]:
        refused = self._auth_error(authorization)
        if refused:
            return _error(403, "AuthError", refused)
        try:
            data = json.loads(body)
        except ValueError:
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        with self._lock:
            self.requests.append((path, data))
            scripted = self._script.pop(0) if self._script else None
        if scripted:
            return _error(*scripted)
        kind = path.rsplit("/", 1)[-1]
        if kind not in ("email", "sms", "letter"):
            return _error(404, "BadRequestError", "Not found")
        invalid = _validate(kind, data)
        if invalid:
            return _error(400, "ValidationError", invalid)
        return 201, self._made(kind, data)

    def _auth_error(self, authorization: str) -> str:
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
        except jwt.InvalidTokenError:
            return "Invalid token: signature, api token not found"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - claims["iat"]) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return ""

    def _made(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        notification_id = str(uuid.uuid4())
        personalisation = data.get("personalisation") or {}
        to = {"email": data.get("email_address"), "sms": data.get("phone_number")}.get(
            kind, personalisation.get("address_line_1")
        )
        self.notifications[notification_id] = {
            "type": kind,
            "to": to,
            "reference": data.get("reference"),
            "template_id": data["template_id"],
            "personalisation": personalisation,
            "unsubscribe": data.get("one_click_unsubscribe_url"),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
        }
        template = {
            "id": data["template_id"],
            "version": 1,
            "uri": f"{self.url}/services/{self.service_id}/templates/{data['template_id']}",
        }
        body = personalisation.get("body", "")
        content: dict[str, Any] = {"body": body}
        if kind == "email":
            content |= {"subject": personalisation.get("subject", ""), "from_email": "t@x.gov.uk"}
            content["one_click_unsubscribe_url"] = data.get("one_click_unsubscribe_url")
        elif kind == "sms":
            content["from_number"] = "Millbrook"
        else:
            content["subject"] = personalisation.get("subject", "")
        answer = {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": template,
        }
        if kind == "letter":
            answer["scheduled_for"] = None
        return answer


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _validate(kind: str, data: dict[str, Any]) -> str:
    if not data.get("template_id"):
        return "template_id is a required property"
    if kind == "email" and not EMAIL.fullmatch(str(data.get("email_address", ""))):
        return "email_address Not a valid email address"
    if kind == "sms":
        number = re.sub(r"[\s()-]", "", str(data.get("phone_number", "")))
        if not number.replace("+", "").isdigit():
            return "phone_number Must not contain letters or symbols"
        if not MOBILE.fullmatch(number):
            return "phone_number Not a UK mobile number"
    if kind == "letter":
        personalisation = data.get("personalisation") or {}
        lines = [personalisation.get(f"address_line_{n}") for n in range(1, 8)]
        if len([line for line in lines if line]) + bool(personalisation.get("postcode")) < 3:
            return "Address must be at least 3 lines"
    return ""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeNotify

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, answer = self.fake.answer(self.path, self.headers.get("Authorization", ""), body)
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read `requests`


@contextmanager
def running() -> Iterator[FakeNotify]:
    """A fake Notify on a free local port, for the length of the block."""
    fake = FakeNotify()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()

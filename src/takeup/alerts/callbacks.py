"""What GOV.UK Notify tells us after a send: a delivery receipt (delivered, or failed and why)
and a complaint (someone marked an email as spam). Notify posts them to
/alerts/notify/callback with the bearer token set in its callback settings.

Each is safe to receive twice, and one about a delivery we do not know is answered 200 with
nothing done: Notify retries anything else, and would retry that one for ever."""

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import complaint_record, receipt_record

log = logging.getLogger(__name__)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.TAKEUP_NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    # No token set means no callback is accepted, never that any is.
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


@csrf_exempt
@require_POST
def notify_callback(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return JsonResponse({"error": "The bearer token is missing or wrong."}, status=401)
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "The body is not a JSON object."}, status=400)
    if "complaint_id" in body:
        done = complaint_record(body)
    elif "status" in body:
        done = receipt_record(body)
    else:
        return JsonResponse(
            {"error": "Neither a delivery receipt (status) nor a complaint (complaint_id)."},
            status=400,
        )
    if not done:
        log.info("Notify callback changed nothing: %s", body.get("reference"))
    return JsonResponse({"changed": done})

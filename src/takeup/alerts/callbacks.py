"""What GOV.UK Notify tells us after a send: a delivery receipt (delivered, or failed and why)
and a complaint (someone marked an email as spam). Notify posts them to
/alerts/notify/callback with the bearer token set in its callback settings.

Each is safe to receive twice, and one about a delivery we do not know is answered 200 with
nothing done: Notify retries anything else, and would retry that one for ever."""

import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .models import Delivery, Subscriber

log = logging.getLogger(__name__)
Status = Delivery.Status

# Notify's final statuses (and a letter's "received": printed and posted) → ours.
RECEIPT_STATUS = {
    "delivered": Status.DELIVERED,
    "received": Status.DELIVERED,
    "permanent-failure": Status.FAILED,
    "temporary-failure": Status.GAVE_UP,
    "technical-failure": Status.FAILED,
    "validation-failed": Status.FAILED,
}


def _delivery(reference: Any, provider_id: Any) -> Delivery | None:
    """Our reference ("campaign-12") names the delivery; Notify's id finds it when the
    reference is missing."""
    found = Q(pk__in=[])
    if isinstance(reference, str) and reference.rpartition("-")[2].isdigit():
        purpose, _, pk = reference.rpartition("-")
        found |= Q(pk=int(pk), purpose=purpose)
    if isinstance(provider_id, str) and provider_id:
        found |= Q(reference=provider_id)
    return Delivery.objects.filter(found).first()


@transaction.atomic
def receipt_record(body: dict[str, Any]) -> bool:
    """A delivery receipt: the delivery's final status. Only a delivery still marked sent
    changes, so a receipt received again does nothing more."""
    status = RECEIPT_STATUS.get(str(body.get("status")))
    delivery = _delivery(body.get("reference"), body.get("id"))
    if status is None or delivery is None:
        return False
    error = "" if status == Status.DELIVERED else f"Notify: {body.get('status')}"
    changed = Delivery.objects.filter(pk=delivery.pk, status=Status.SENT).update(
        status=status, finished_at=timezone.now(), error=error
    )
    if changed and body.get("status") == "permanent-failure" and delivery.subscriber_id:
        services.suppress(delivery.subscriber_id, "bounce")
    return bool(changed)


def complaint_record(body: dict[str, Any]) -> bool:
    """A complaint: the address is sent nothing more."""
    delivery = _delivery(body.get("reference"), body.get("notification_id"))
    if delivery is None or not delivery.subscriber_id:
        return False
    if Subscriber.objects.filter(pk=delivery.subscriber_id, suppressed_reason="complaint").exists():
        return False
    services.suppress(delivery.subscriber_id, "complaint")
    return True


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

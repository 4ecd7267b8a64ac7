"""The survey's public face: the widget's configuration and answers (JSON, CORS limited to the
survey's websites) and the hosted page for people without JavaScript."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language, gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from takeup.core.clients import client_address, device_class

from . import queries
from .models import Survey
from .services import (
    MAX_BODY_BYTES,
    IntakeError,
    client_key,
    origin_allowed,
    page_path,
    response_take,
    setup_of,
)


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _error(status: int, detail: str, errors: list[tuple[str, str]] | None = None) -> JsonResponse:
    return JsonResponse(
        {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors or []]},
        status=status,
    )


def _survey(key: str) -> Survey | None:
    return queries.survey_by_key(key)


def _origin_allowed(request: HttpRequest, survey: Survey) -> tuple[bool, str]:
    origin = request.headers.get("Origin", "")
    if not origin:
        return True, ""  # not a cross-site browser request
    own = request.build_absolute_uri("/").rstrip("/")
    return origin in survey.allowed_origins or origin == own, origin


def questions_json(survey: Survey) -> list[dict[str, Any]]:
    return [
        {
            "key": q.key,
            "kind": q.kind,
            "required": q.required,
            "en": q.text_en,
            "cy": q.text_cy,
            "hint_en": q.hint_en,
            "hint_cy": q.hint_cy,
            "choices": q.choices,
        }
        for q in queries.questions_of(survey)
    ]


@require_http_methods(["GET", "OPTIONS"])
def config(request: HttpRequest, key: str) -> HttpResponse:
    survey = _survey(key)
    if survey is None or not survey.active:
        return _error(404, "No survey has this key, or it is not taking answers.")
    allowed, origin = _origin_allowed(request, survey)
    if not allowed:
        return _error(403, "This website may not show this survey.", [("origin", origin[:100])])
    response = JsonResponse(
        {"sampling_percent": survey.sampling_percent, "questions": questions_json(survey)}
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Vary"] = "Origin"  # the CORS header differs by origin, so may the cached copy
    return _cors(response, origin) if origin else response


@csrf_exempt  # a cross-site form post from the council's page; CORS and the origin list guard it
@require_http_methods(["POST", "OPTIONS"])
def responses(request: HttpRequest, key: str) -> HttpResponse:
    """Answers from the widget. No query on the way in: the survey's set-up is this process's
    copy, which the statement saving the answer checks (services.response_take)."""
    origin = request.headers.get("Origin", "")
    own = request.build_absolute_uri("/").rstrip("/")
    setup = setup_of(key)
    if setup is None or not origin_allowed(setup, origin, own):
        setup = setup_of(key, fresh=True)  # a refusal is never made from the copy
    if setup is None:
        return _error(404, "No survey has this key.")
    if not origin_allowed(setup, origin, own):
        return _error(
            403, "This website may not send answers to this survey.", [("origin", origin[:100])]
        )
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin) if origin else HttpResponse(status=204)
    if len(request.body) > MAX_BODY_BYTES:
        response: HttpResponse = _error(
            413, f"Send at most {MAX_BODY_BYTES:,} bytes.", [("body", "Too large.")]
        )
    else:
        try:
            payload = json.loads(request.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            payload = None
            response = _error(400, "Send the answers as JSON.", [("body", "Not JSON.")])
        else:
            try:
                saved = response_take(
                    key=key,
                    payload=payload,
                    origin=origin,
                    own_origin=own,
                    device=device_class(request.META.get("HTTP_USER_AGENT", "")),
                    language=_language(payload),
                    client=client_key(client_address(request)),
                    arrived_by="widget",
                )
            except IntakeError as exc:
                response = _error(exc.status, exc.detail, exc.errors)
                if exc.status == 403:  # the website was taken off the list just now
                    return response
            else:
                response = JsonResponse({"received": saved}, status=201)
    return _cors(response, origin) if origin else response


def _language(payload: Any) -> str:
    return str(payload.get("language", "en")) if isinstance(payload, dict) else "en"


# No CSRF cookie: the page promises no cookie, and a forged post could only add one anonymous,
# rate-limited answer, which anyone can do anyway.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def hosted(request: HttpRequest, key: str) -> HttpResponse:
    """The survey as a page of its own: for people without JavaScript, and for QR codes."""
    survey = get_object_or_404(Survey, key=key, active=True)
    welsh = (get_language() or "en").startswith("cy")
    questions = queries.questions_of(survey)
    errors: dict[str, str] = {}
    done = False
    given: dict[str, Any] = {}
    if request.method == "POST":
        for q in questions:
            if q.kind == "multiple":
                given[q.key] = request.POST.getlist(q.key)
            else:
                given[q.key] = request.POST.get(q.key, "")
        payload = {"answers": given, "path": page_path(request.POST.get("path", ""))}
        if request.POST.get("website"):
            payload["website"] = request.POST["website"]
        try:
            response_take(
                key=key,
                payload=payload,
                origin="hosted",
                device=device_class(request.META.get("HTTP_USER_AGENT", "")),
                language="cy" if welsh else "en",
                client=client_key(client_address(request)),
                arrived_by=request.POST.get("arrived_by", "link"),
            )
            done = True
        except IntakeError as exc:
            # The API answers in English; the page in its own language.
            errors = {f.removeprefix("answers."): gettext(m) for f, m in exc.errors} or {
                "": gettext(exc.detail)
            }
    shown = [
        {
            "key": q.key,
            "kind": q.kind,
            "required": q.required,
            "text": q.text_cy if welsh else q.text_en,
            "hint": q.hint_cy if welsh else q.hint_en,
            "choices": [(c[0], c[2] if welsh else c[1]) for c in q.choices],
            "error": errors.get(q.key, ""),
            "given": given.get(q.key, [] if q.kind == "multiple" else ""),
        }
        for q in questions
    ]
    return render(
        request,
        "insight/hosted.html",
        {
            "survey": survey,
            "public_organisation": survey.organisation,
            "questions": shown,
            "errors": errors,
            "done": done,
            "path": page_path(
                request.GET.get("path") or request.GET.get("from") or request.POST.get("path", "")
            ),
            # A printed QR code adds ?qr (as /go/ addresses do) or ?arrived_by=qr.
            "arrived_by": "qr"
            if "qr" in request.GET or request.GET.get("arrived_by") == "qr"
            else request.POST.get("arrived_by", "link"),
        },
        status=400 if errors else 200,
    )

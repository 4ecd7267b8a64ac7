"""What residents see: sign up (a page, or a form a council embeds on its own site), confirm,
manage by a signed link, and leave in one click. No account and no password; nothing here
says whether an address is on the list."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from takeup.campaigns.public import is_bot
from takeup.core.clients import client_address
from takeup.core.dbrouting import reads_from_primary
from takeup.insight.services import client_key, over_limit
from takeup.organisations.queries import organisation_by_slug

from . import addresses, queries, services, tokens
from .content import frequency_words, topic_name, topic_promise
from .forms import FREQUENCY_CHOICES, ManageLinkForm, SignUpForm
from .models import Subscription
from .tasks import deliveries_send_task

SIGN_UPS_PER_CLIENT_PER_MINUTE = 10


def _language() -> str:
    return "cy" if (get_language() or "en").startswith("cy") else "en"


def _texts() -> bool:
    return bool(settings.TAKEUP_NOTIFY_API_KEY and settings.TAKEUP_NOTIFY_SMS_TEMPLATE)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _send_now() -> None:
    # Confirmations jump the queue: a high priority here, and the lowest number when claimed.
    deliveries_send_task.using(priority=50).enqueue()


@csrf_exempt  # the form can sit on the council's own site; double opt-in guards it instead
@require_http_methods(["GET", "HEAD", "POST"])
def sign_up(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_by_slug(org)
    if organisation is None:
        raise Http404
    topics = queries.open_topics(organisation)
    language = _language()
    chosen = request.GET.getlist("topic")
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        topics=topics,
        texts=_texts(),
        language=language,
        initial={"topics": chosen},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return _private(
                render(request, "alerts/check.html", {"public_organisation": organisation})
            )
        if over_limit(
            client_key(client_address(request)), SIGN_UPS_PER_CLIENT_PER_MINUTE, timezone.now()
        ):
            form.add_error(
                None, _("Too many sign-ups from here just now. Wait a minute and try again.")
            )
        else:
            picked = [t for t in topics if t.slug in form.cleaned_data["topics"]]
            services.subscribe(
                organisation=organisation,
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                topics=picked,
                frequency=form.cleaned_data["frequency"],
                language=language,
            )
            _send_now()
            return _private(
                render(
                    request,
                    "alerts/check.html",
                    {
                        "public_organisation": organisation,
                        "channel": form.cleaned_data["channel"],
                        "masked": addresses.masked(form.cleaned_data["address"]),
                        "asked": [
                            (topic_name(t, language), topic_promise(t, language)) for t in picked
                        ],
                        "when": frequency_words(form.cleaned_data["frequency"]),
                    },
                )
            )
    rows = [
        {
            "slug": t.slug,
            "name": topic_name(t, language),
            "description": (t.description_cy if language == "cy" else "") or t.description,
            "promise": topic_promise(t, language),
        }
        for t in topics
    ]
    response = render(
        request,
        "alerts/sign_up.html",
        {
            "public_organisation": organisation,
            "form": form,
            "topics": rows,
            "frequencies": FREQUENCY_CHOICES,
        },
        status=400 if form.errors else 200,
    )
    return _private(response)


@reads_from_primary  # a GET that changes a subscription
@require_http_methods(["GET", "HEAD"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    read = tokens.confirm_read(token)
    if read is None:
        return _private(render(request, "alerts/link_gone.html", {"what": "confirm"}, status=410))
    subscriptions = services.confirm(*read)
    if not subscriptions:
        return _private(render(request, "alerts/link_gone.html", {"what": "confirm"}, status=410))
    subscriber = subscriptions[0].subscriber
    language = _language()
    return _private(
        render(
            request,
            "alerts/confirmed.html",
            {
                "public_organisation": subscriber.organisation,
                "rows": [_row(s, language) for s in subscriptions if s.ended_at is None],
                "manage_url": _manage_path(subscriber.pk),
            },
        )
    )


def _row(s: Subscription, language: str) -> dict[str, str | int]:
    return {
        "pk": s.pk,
        "name": topic_name(s.topic, language),
        "promise": topic_promise(s.topic, language),
        "frequency": s.frequency,
        "when": frequency_words(s.frequency),
    }


def _manage_path(subscriber_id: int) -> str:
    return reverse("alerts-manage", kwargs={"token": tokens.manage_token(subscriber_id)})


@reads_from_primary  # a GET that changes a subscription
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber_id = tokens.manage_read(token)
    subscriber = queries.subscriber_of(subscriber_id) if subscriber_id else None
    if subscriber is None:
        return _private(render(request, "alerts/link_gone.html", {"what": "manage"}, status=410))
    live = {s.pk: s for s in queries.live_subscriptions(subscriber)}
    done = ""
    if request.method == "POST":
        action, __, value = request.POST.get("action", "").partition(":")
        if action == "end-all":
            services.end(live.values(), Subscription.Ended.UNSUBSCRIBED)
            done = "ended-all"
        elif action == "end" and value.isdigit() and int(value) in live:
            services.end([int(value)], Subscription.Ended.UNSUBSCRIBED)
            done = "ended"
        elif action == "frequency" and value.isdigit() and int(value) in live:
            frequency = request.POST.get(f"frequency-{value}", "")
            current = live[int(value)]
            if frequency in {f for f, __ in FREQUENCY_CHOICES} and frequency != current.frequency:
                services.frequency_change(current, frequency)
                done = "changed"
        return redirect(f"{request.path}?done={done or 'nothing'}")
    language = _language()
    return _private(
        render(
            request,
            "alerts/manage.html",
            {
                "public_organisation": subscriber.organisation,
                "rows": [_row(s, language) for s in live.values()],
                "masked": addresses.masked(subscriber.address or ""),
                "frequencies": FREQUENCY_CHOICES,
                "done": request.GET.get("done", ""),
                "sign_up_url": _sign_up_path(subscriber.organisation.slug),
            },
        )
    )


def _sign_up_path(org: str) -> str:
    return reverse("alerts-sign-up", kwargs={"org": org})


@csrf_exempt  # the form is posted from the page; it sends a link only to the address itself
@require_http_methods(["GET", "HEAD", "POST"])
def manage_link(request: HttpRequest, org: str) -> HttpResponse:
    """Ask for a new manage link: it goes to the address if it is subscribed; the page says the
    same either way."""
    organisation = organisation_by_slug(org)
    if organisation is None:
        raise Http404
    form = ManageLinkForm(request.POST if request.method == "POST" else None, texts=_texts())
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["address"]
        if not over_limit(
            client_key(client_address(request)), SIGN_UPS_PER_CLIENT_PER_MINUTE, timezone.now()
        ):
            subscriber = queries.subscriber_by_address(organisation, address)
            if subscriber is not None and queries.live_subscriptions(subscriber):
                services.subscribe(
                    organisation=organisation,
                    channel=subscriber.channel,
                    address=address,
                    topics=[],
                    frequency="immediately",
                    language=_language(),
                )
                _send_now()
        return _private(
            render(
                request,
                "alerts/check.html",
                {
                    "public_organisation": organisation,
                    "masked": addresses.masked(address),
                    "manage": True,
                    "channel": "sms" if address.startswith("+") else "email",
                },
            )
        )
    return _private(
        render(
            request,
            "alerts/manage_link.html",
            {"public_organisation": organisation, "form": form},
            status=400 if form.errors else 200,
        )
    )


@reads_from_primary  # a GET that changes a subscription
@csrf_exempt  # RFC 8058: mail programs POST here with no cookie and no token of ours
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click ends it. A POST (the mail program's one-click, or the button) ends it at once;
    so does a person's GET. A link checker's or scanner's GET gets the page with the button, so
    a mail filter that opens every link unsubscribes nobody."""
    read = tokens.unsubscribe_read(token)
    if read is None:
        return _private(
            render(request, "alerts/link_gone.html", {"what": "unsubscribe"}, status=404)
        )
    subscriber_id, topic_ids = read
    subscriptions = queries.subscriptions_to_topics(subscriber_id, topic_ids)
    if not subscriptions:
        return _private(
            render(request, "alerts/link_gone.html", {"what": "unsubscribe"}, status=404)
        )
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    acted = request.method == "POST" or not is_bot(request)
    if acted:
        reason = Subscription.Ended.ONE_CLICK if one_click else Subscription.Ended.UNSUBSCRIBED
        services.end([s for s in subscriptions if s.ended_at is None], reason)
    if one_click:
        return _private(HttpResponse("Unsubscribed\n", content_type="text/plain"))
    language = _language()
    organisation = subscriptions[0].subscriber.organisation
    return _private(
        render(
            request,
            "alerts/unsubscribed.html",
            {
                "public_organisation": organisation,
                "acted": acted,
                "names": [topic_name(s.topic, language) for s in subscriptions],
                "manage_url": _manage_path(subscriber_id),
                "sign_up_url": _sign_up_path(organisation.slug),
            },
        )
    )

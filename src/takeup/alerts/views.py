"""Staff screens for alerts: topics and their take-up, writing a message, and how its sending
is going."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from takeup.core.downloads import csv_response
from takeup.core.text import slugify
from takeup.forms import form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import queries, reports, services
from .forms import FREQUENCY_CHOICES, MessageForm, TopicForm
from .models import Topic

WRITE = Permission.EDIT_CAMPAIGNS


def _url(request: OrganisationRequest, name: str, **kw: Any) -> str:
    return reverse(f"alerts:{name}", kwargs={"org": request.organisation.slug, **kw})


@organisation_view()
def index(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    page = reports.take_up(org)
    if request.GET.get("download") == "subscribers":
        return csv_response(
            f"{org.slug}-alert-subscribers",
            [_("topic"), _("month"), _("subscribers")],
            [
                (name, month, n)
                for name, series in page.by_topic
                for month, n in zip(page.months, series, strict=True)
            ],
        )
    sign_up = request.build_absolute_uri(reverse("alerts-sign-up", kwargs={"org": org.slug}))
    return render(
        request,
        "alerts/index.html",
        {
            "page": page,
            "topics": queries.topics_of(org),
            "messages_sent": queries.messages_of(org, 20),
            "deliveries": queries.delivery_counts(org),
            "sign_up_url": sign_up,
            "frequencies": FREQUENCY_CHOICES,
            "can_write": can(request, WRITE),
        },
    )


def _topic_save(request: OrganisationRequest, topic: Topic | None) -> Any:
    def save(**data: Any) -> Topic:
        row = topic or Topic(organisation=request.organisation)
        for key, value in data.items():
            setattr(row, key, value)
        if not row.slug:
            row.slug = slugify(row.name) or "topic"
        if queries.topic_of(request.organisation, row.slug) not in (None, topic):
            raise ValidationError({"name": _("You have a topic with this name already.")})
        row.save()
        return row

    return save


@organisation_view()
def topic_edit(request: OrganisationRequest, slug: str = "") -> HttpResponse:
    require(request, WRITE)
    topic = queries.topic_of(request.organisation, slug) if slug else None
    if slug and topic is None:
        raise Http404
    form = TopicForm(request.POST or None, instance=topic)
    return form_page(
        request,
        form,
        title=_("Change a topic") if topic else _("Add a topic"),
        save=_topic_save(request, topic),
        next_url=lambda _t: _url(request, "index"),
        done=_("Saved %(name)s."),
        cancel_url=_url(request, "index"),
    )


@organisation_view()
def message_add(request: OrganisationRequest) -> HttpResponse:
    require(request, WRITE)
    topics = queries.topics_of(request.organisation)
    form = MessageForm(
        request.POST or None, topics=topics, initial={"topics": request.GET.getlist("topic")}
    )
    if request.method == "POST" and form.is_valid():
        message = services.message_create(
            organisation=request.organisation,
            topics=[t for t in topics if t.slug in form.cleaned_data["topics"]],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            url=form.cleaned_data["url"],
            actor=request.user,
        )
        messages.success(request, _("Your message is being sent."))
        return redirect(_url(request, "message", pk=message.pk))
    return render(
        request,
        "alerts/message_form.html",
        {"form": form, "title": _("Write a message"), "cancel_url": _url(request, "index")},
    )


@organisation_view()
def message(request: OrganisationRequest, pk: int) -> HttpResponse:
    row = queries.message_of(request.organisation, pk)
    if row is None:
        raise Http404
    return render(
        request, "alerts/message.html", {"message": row, "counts": queries.message_counts(row)}
    )

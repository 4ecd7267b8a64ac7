"""Staff screens for campaign sends: choose the message and upload the list, check the first
recipient's message, send, and then the send's reach and response."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from takeup.forms import form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view
from takeup.organisations.roles import Permission

from . import send_queries, sends
from .models import CampaignSend
from .send_forms import SendForm, SendTemplateForm

EDIT = Permission.EDIT_CAMPAIGNS


def _url(request: OrganisationRequest, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org": request.organisation.slug, **kwargs})


def _refused(form: SendForm, exc: sends.SendRefused) -> list[Any]:
    """Problems with the whole file go on the form; those on a line go in the table below."""
    lines = [e for e in exc.errors if e.line > 1]
    for whole in (e for e in exc.errors if e.line <= 1):
        form.add_error("file", whole.message)
    if lines:
        form.add_error(
            "file",
            ngettext(
                "Nothing was sent: fix the %(n)d problem in the table below.",
                "Nothing was sent: fix the %(n)d problems in the table below.",
                len(lines),
            )
            % {"n": len(lines)},
        )
    return lines


@organisation_view(EDIT)
def send_new(request: OrganisationRequest, pk: int) -> HttpResponse:
    activity = send_queries.activity_of(request.organisation, pk)
    channel = sends.channel_for(activity)
    if channel is None:
        raise Http404(_("Only texts, letters and email newsletters can be sent from here."))
    templates = send_queries.templates_for(request.organisation, channel)
    form = SendForm(request.POST or None, request.FILES or None, templates=templates)
    row_errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            send = sends.send_prepare(
                activity=activity,
                template=form.cleaned_data["template"],
                data=form.cleaned_data["file"].read(),
                actor=request.user,
            )
        except sends.SendRefused as exc:
            row_errors = _refused(form, exc)
        else:
            return redirect(_url(request, "alerts-send-detail", code=send.code))
    return render(
        request,
        "alerts/send_new.html",
        {
            "activity": activity,
            "channel": channel,
            "form": form,
            "has_templates": templates.exists(),
            "row_errors": row_errors,
        },
    )


@organisation_view(EDIT)
def template_add(request: OrganisationRequest, pk: int) -> HttpResponse:
    activity = send_queries.activity_of(request.organisation, pk)
    channel = sends.channel_for(activity)
    if channel is None:
        raise Http404(_("Only texts, letters and email newsletters can be sent from here."))
    back = _url(request, "alerts-send-new", pk=pk)
    return form_page(
        request,
        SendTemplateForm(request.POST or None),
        title=_("Write a message to send"),
        caption=str(activity),
        save=lambda **data: sends.send_template_save(
            organisation=request.organisation, channel=channel, **data
        ),
        next_url=lambda obj: back,
        done=_("The message “%(name)s” is saved."),
        cancel_url=back,
    )


@organisation_view()
def send_detail(request: OrganisationRequest, code: str) -> HttpResponse:
    send = send_queries.send_of(request.organisation, code)
    context: dict[str, Any] = {"send": send, "can_edit": can(request, EDIT)}
    if send.status == CampaignSend.Status.DRAFT:
        try:
            context["preview"] = sends.send_preview(send)
        except sends.SendRefused as exc:
            context["gone"] = exc.errors[0].message
    else:
        context["row"] = next(
            (r for r in sends.sends_report(send.activity) if r.send.pk == send.pk), None
        )
    return render(request, "alerts/send_detail.html", context)


@require_POST
@organisation_view(EDIT)
def send_start(request: OrganisationRequest, code: str) -> HttpResponse:
    send = send_queries.send_of(request.organisation, code)
    try:
        started = sends.send_start(send, request.user)
    except sends.SendRefused as exc:
        messages.error(request, exc.errors[0].message)
    else:
        if started:
            messages.success(
                request,
                ngettext(
                    "%(n)d message is on its way.", "%(n)d messages are on their way.", started
                )
                % {"n": started},
            )
    return redirect(_url(request, "alerts-send-detail", code=code))


@require_POST
@organisation_view(EDIT)
def send_cancel(request: OrganisationRequest, code: str) -> HttpResponse:
    send = send_queries.send_of(request.organisation, code)
    sends.send_cancel(send)
    messages.success(request, _("Nothing was sent, and the file is deleted."))
    return redirect(
        reverse(
            "campaigns:campaign",
            kwargs={"org": request.organisation.slug, "pk": send.activity.campaign_id},
        )
    )

"""Staff screens for digital principles: the services' checklist scores, one service's checklist,
stages and actions, the open actions, the phone-message register and findability."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.core.downloads import csv_response
from takeup.forms import apply_errors, form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import havering, queries, reports, services, tasks
from .forms import (
    ActionEditForm,
    ActionForm,
    ChecklistForm,
    PhoneMessageForm,
    SearchTermForm,
    SiteSearchForm,
    StagesForm,
)

EDIT = Permission.EDIT_CATALOGUE


def _url(request: OrganisationRequest, name: str, **kw: Any) -> str:
    return reverse(f"principles:{name}", kwargs={"org": request.organisation.slug, **kw})


@organisation_view()
def index(request: OrganisationRequest) -> HttpResponse:
    page = reports.principles_page(request.organisation)
    if request.GET.get("download") == "csv":
        return csv_response(
            f"{request.organisation.slug}-principles",
            [
                _("service"),
                _("service area"),
                _("state"),
                _("principles met"),
                _("principles checked"),
                _("failing"),
                _("open actions"),
            ],
            [
                (
                    r.service.name,
                    r.service.area.name,
                    r.state_label,
                    r.passed,
                    r.answered,
                    "; ".join(r.failing),
                    r.open_actions,
                )
                for r in page.rows
            ],
        )
    return render(request, "principles/index.html", {"page": page})


@organisation_view()
def service(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    svc = queries.service_of(org, slug)
    state = queries.state_of(svc)
    items = havering.items_for(state)
    answers = queries.checklist_of(svc)
    stages = {s.stage: s for s in svc.stages.all()}
    checklist = ChecklistForm(
        request.POST if request.POST.get("form") == "checklist" else None,
        items=items,
        initial={
            **{i: answers[i].result for i in items if i in answers},
            **{f"{i}__evidence": answers[i].evidence for i in items if i in answers},
        },
        prefix="c",
    )
    stage_form = StagesForm(
        request.POST if request.POST.get("form") == "stages" else None,
        initial={
            **{f"{k}_planned": s.planned_on for k, s in stages.items()},
            **{f"{k}_actual": s.actual_on for k, s in stages.items()},
        },
        prefix="s",
    )
    action_form = ActionForm(
        request.POST if request.POST.get("form") == "action" else None, items=items, prefix="a"
    )
    if request.method == "POST":
        require(request, EDIT)
        which = request.POST.get("form")
        if which == "checklist" and checklist.is_valid():
            services.checklist_set(svc, checklist.answers(), actor=request.user)
            messages.success(request, _("The checklist is saved."))
            return redirect(_url(request, "service", slug=slug))
        if which == "stages" and stage_form.is_valid():
            services.stages_set(svc, stage_form.dates(), actor=request.user)
            messages.success(request, _("The stages are saved."))
            return redirect(_url(request, "service", slug=slug))
        if which == "action" and action_form.is_valid():
            try:
                services.action_save(
                    organisation=org, actor=request.user, service=svc, **action_form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(action_form, exc)
            else:
                messages.success(request, _("The action is added."))
                return redirect(_url(request, "service", slug=slug))
        if which == "read":
            try:
                found = services.checklist_read_page(svc, actor=request.user)
            except services.FetchError as exc:
                messages.error(
                    request, _("The service's page could not be read: %(why)s") % {"why": exc}
                )
            else:
                messages.success(
                    request,
                    _("Read the service's page: %(n)d principles filled in.") % {"n": len(found)},
                )
            return redirect(_url(request, "service", slug=slug))
    rows = [
        {
            "item": i,
            "text": reports.item_text(i),
            "answer": answers.get(i),
        }
        for i in items
    ]
    return render(
        request,
        "principles/service.html",
        {
            "service": svc,
            "state": reports.STATE_LABELS[state],
            "rows": rows,
            "checklist": checklist,
            "stage_form": stage_form,
            "action_form": action_form,
            "actions": queries.actions_of(org, svc),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view()
def actions(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "principles/actions.html",
        {
            "actions": queries.actions_of(request.organisation),
            "today": timezone.localdate(),
            "can_edit": can(request, EDIT),
        },
    )


@organisation_view(EDIT)
def action_edit(request: OrganisationRequest, pk: int) -> HttpResponse:
    action = queries.action_of(request.organisation, pk)
    return form_page(
        request,
        ActionEditForm(
            request.POST or None,
            initial={
                "text": action.text,
                "owner": action.owner,
                "due_on": action.due_on,
                "done_on": action.done_on,
            },
        ),
        title=_("Change an action"),
        caption=action.service.name,
        save=lambda **data: services.action_save(
            organisation=request.organisation, action=action, actor=request.user, **data
        ),
        next_url=lambda _obj: _url(request, "actions"),
        done=_("The action “%(name)s” is saved."),
        cancel_url=_url(request, "actions"),
    )


@require_POST
@organisation_view(EDIT)
def action_done(request: OrganisationRequest, pk: int) -> HttpResponse:
    action = queries.action_of(request.organisation, pk)
    services.action_save(
        organisation=request.organisation,
        action=action,
        actor=request.user,
        done_on=None if action.done_on else timezone.localdate(),
    )
    messages.success(request, _("The action is updated."))
    return redirect(_url(request, "actions"))


@organisation_view()
def phone_messages(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "principles/phones.html",
        {"rows": reports.message_rows(request.organisation), "can_edit": can(request, EDIT)},
    )


@organisation_view(EDIT)
def phone_message_edit(request: OrganisationRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation
    message = queries.phone_message_of(org, pk) if pk else None
    return form_page(
        request,
        PhoneMessageForm(request.POST or None, instance=message, organisation=org),
        title=_("Change a recorded message") if message else _("Add a recorded message"),
        save=lambda **data: services.phone_message_save(
            organisation=org, message=message, actor=request.user, **data
        ),
        next_url=lambda _obj: _url(request, "phones"),
        done=_("The message “%(name)s” is saved."),
        cancel_url=_url(request, "phones"),
    )


@organisation_view()
def search(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    current = queries.site_search_of(org)
    template_form = SiteSearchForm(
        request.POST if request.POST.get("form") == "template" else None,
        organisation=org,
        initial={"url_template": current.url_template if current else ""},
        prefix="t",
    )
    term_form = SearchTermForm(
        request.POST if request.POST.get("form") == "term" else None, organisation=org, prefix="w"
    )
    if request.method == "POST":
        require(request, EDIT)
        which = request.POST.get("form")
        if which == "template" and template_form.is_valid():
            services.site_search_set(org, template_form.cleaned_data["url_template"], request.user)
            messages.success(request, _("The search address is saved."))
            return redirect(_url(request, "search"))
        if which == "term" and term_form.is_valid():
            try:
                services.search_term_save(
                    organisation=org, actor=request.user, **term_form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(term_form, exc)
            else:
                messages.success(request, _("The words are added."))
                return redirect(_url(request, "search"))
        if which == "check":
            queued = tasks.queue(list(queries.search_terms_of(org).values_list("pk", flat=True)))
            messages.success(
                request,
                _(
                    "%(n)d searches are queued. Reload this page in a minute to see where the "
                    "pages came."
                )
                % {"n": len(queued)},
            )
            return redirect(_url(request, "search"))
    return render(
        request,
        "principles/search.html",
        {
            "rows": reports.search_rows(org),
            "template_form": template_form,
            "term_form": term_form,
            "has_template": current is not None,
            "can_edit": can(request, EDIT),
        },
    )

"""Staff views for signing in, choosing an organisation and running it."""

from functools import partial
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from takeup.core.clients import client_address
from takeup.forms import apply_errors

from . import queries, services
from .access import OrganisationRequest, organisation_view
from .forms import (
    ROLE_DESCRIPTIONS,
    ApiKeyForm,
    MemberAddForm,
    MemberRoleForm,
    OrganisationForm,
    ResetRequestForm,
    SharingForm,
    SignInForm,
)
from .models import ROLE_CHOICES, User
from .roles import Permission
from .tasks import send_password_reset_email


class SignInView(auth_views.LoginView):
    """Sign-in, throttled twice over: django-axes locks a user name tried wrongly five times
    from one address, and here one address that has failed too often across every user name
    is refused for the same cool-off (someone trying many names from one place)."""

    form_class = SignInForm
    template_name = "organisations/sign_in.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        failures = queries.failures_from_address(client_address(request))
        if failures >= settings.TAKEUP_SIGN_IN_FAILURES_PER_ADDRESS:
            return render(request, "organisations/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    pass


class ResetRequestView(auth_views.PasswordResetView):
    """Queues the email as a task; the page says the same whether or not the address is known."""

    form_class = ResetRequestForm
    template_name = "organisations/password_reset.html"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:  # type: ignore[override]
        email = form.cleaned_data["email"].lower()
        base_url = self.request.build_absolute_uri("/")
        language = get_language() or "en"
        # The same work whether or not the address is known (one task, looked up there), so
        # that how long the answer takes does not tell which addresses have accounts.
        transaction.on_commit(partial(send_password_reset_email.enqueue, email, base_url, language))
        return redirect(self.get_success_url())


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "organisations/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "organisations/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def get_form(self, form_class=None):  # type: ignore[no-untyped-def]
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "govuk-input govuk-password-input__input"
        return form


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "organisations/password_reset_complete.html"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(queries.memberships_for_user(cast(User, request.user)))
    if len(memberships) == 1:
        return redirect("organisation-home", org=memberships[0].organisation.slug)
    return render(request, "organisations/organisations.html", {"memberships": memberships})


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    memberships = queries.memberships_for_user(cast(User, request.user))
    return render(request, "organisations/organisations.html", {"memberships": memberships})


@organisation_view(Permission.MANAGE_ORGANISATION)
def settings_page(request: OrganisationRequest) -> HttpResponse:
    return render(request, "organisations/settings.html")


@organisation_view(Permission.MANAGE_ORGANISATION)
def organisation_edit(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    form = OrganisationForm(
        request.POST or None,
        initial={
            "name": org.name,
            "kind": org.kind,
            "nation": org.nation,
            "allowed_domains": "\n".join(org.allowed_domains),
            "website": org.website,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The organisation's details were saved."))
            return redirect("settings", org=org.slug)
    return render(request, "organisations/organisation_edit.html", {"form": form})


@organisation_view(Permission.MANAGE_ORGANISATION)
def sharing_edit(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    # An unticked box sends nothing, so a POST with no fields is still a choice.
    form = SharingForm(
        request.POST if request.method == "POST" else None,
        initial={"shares_figures": org.shares_figures},
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_sharing_set(organisation=org, actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Your figures are shared for comparison.")
            if org.shares_figures
            else _("Your figures are not shared."),
        )
        return redirect("settings", org=org.slug)
    return render(request, "organisations/sharing_edit.html", {"form": form})


@organisation_view(Permission.MANAGE_ORGANISATION)
def members(request: OrganisationRequest) -> HttpResponse:
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                organisation=request.organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(email)s was added.") % form.cleaned_data)
            return redirect("members", org=request.organisation.slug)
    return render(
        request,
        "organisations/members.html",
        {
            "members": queries.members_of(request.organisation),
            "form": form,
            "role_descriptions": {
                dict(ROLE_CHOICES)[role.value]: text for role, text in ROLE_DESCRIPTIONS.items()
            },
        },
    )


@organisation_view(Permission.MANAGE_ORGANISATION)
def member_edit(request: OrganisationRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(queries.members_of(request.organisation), pk=pk)
    form = MemberRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            if "remove" in request.POST:
                services.membership_remove(membership=membership, actor=request.user)
                messages.success(
                    request, _("%(email)s was removed.") % {"email": membership.user.email}
                )
            else:
                services.membership_change_role(
                    membership=membership, actor=request.user, role=form.cleaned_data["role"]
                )
                messages.success(request, _("The role was changed."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("members", org=request.organisation.slug)
    return render(request, "organisations/member_edit.html", {"member": membership, "form": form})


@organisation_view(Permission.MANAGE_ORGANISATION)
def api_keys(request: OrganisationRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, raw = services.api_key_create(
            organisation=request.organisation, name=form.cleaned_data["name"], actor=request.user
        )
        # The secret is shown in this response only; it is never stored or shown again.
        return render(
            request, "organisations/api_key_created.html", {"api_key": api_key, "raw_key": raw}
        )
    return render(
        request,
        "organisations/api_keys.html",
        {
            "api_keys": queries.api_keys_of(request.organisation),
            "form": form,
        },
    )


@require_POST
@organisation_view(Permission.MANAGE_ORGANISATION)
def api_key_revoke(request: OrganisationRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(queries.api_keys_of(request.organisation), pk=pk)
    services.api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(request, _("The key “%(name)s” was revoked.") % {"name": api_key.name})
    return redirect("api-keys", org=request.organisation.slug)


@organisation_view(Permission.MANAGE_ORGANISATION)
def audit_log(request: OrganisationRequest) -> HttpResponse:
    page = Paginator(queries.audit_events_of(request.organisation), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "organisations/audit_log.html", {"page": page})

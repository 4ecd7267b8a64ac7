"""Resolving the organisation for a staff view: only through the signed-in user's membership."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import queries
from .models import ROLE_CHOICES, Membership, Organisation, User
from .roles import Permission, role_allows, roles_allowing


class OrganisationRequest(HttpRequest):
    """A request to a staff view, with the organisation and the user's membership resolved."""

    user: User
    organisation: Organisation
    membership: Membership


View = Callable[..., HttpResponse]


def organisation_view(permission: Permission = Permission.VIEW) -> Callable[[View], View]:
    """Decorate a view taking `org` from the URL: 404 unless a member, 403 unless allowed."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            user = cast(User, request.user)
            membership = queries.membership_for(user, org)
            if not role_allows(membership.role, permission):
                raise denied(permission, membership.role)
            org_request = cast(OrganisationRequest, request)
            org_request.organisation = membership.organisation
            org_request.membership = membership
            return view(org_request, *args, **kwargs)

        return wrapper

    return decorate


def can(request: HttpRequest, permission: Permission) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and role_allows(membership.role, permission)


def denied(permission: Permission, role: str = "") -> PermissionDenied:
    """A refusal that says which roles may do this (the styled 403 page shows it)."""
    labels = dict(ROLE_CHOICES)
    names = ", ".join(str(labels[r.value]).lower() for r in roles_allowing(permission))
    yours = (
        _("Your role is %(role)s.") % {"role": str(labels[role]).lower()} if role in labels else ""
    )
    return PermissionDenied(
        " ".join(
            m
            for m in (
                _("Only these roles can do this: %(roles)s.") % {"roles": names},
                yours,
                _("Ask an admin of your organisation."),
            )
            if m
        )
    )


def require(request: HttpRequest, permission: Permission) -> None:
    """Refuse (403, styled) unless the signed-in member's role allows this."""
    if not can(request, permission):
        membership = getattr(request, "membership", None)
        raise denied(permission, membership.role if membership else "")

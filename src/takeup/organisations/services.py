"""Writes for organisations, memberships, API keys and the audit log."""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import (
    ApiKey,
    AuditEvent,
    Membership,
    Organisation,
    User,
    WorkerBeat,
    domain_validator,
)
from .roles import Role

logger = logging.getLogger(__name__)

API_KEY_PREFIX = "tk"
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def audit_record(
    *,
    organisation: Organisation,
    action: str,
    obj: models.Model | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        api_key=api_key,
        action=action,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields that differ, as JSON-safe strings."""
    return {
        field: [_jsonable(before.get(field)), _jsonable(value)]
        for field, value in after.items()
        if before.get(field) != value
    }


M = TypeVar("M", bound=models.Model)


def model_save(
    obj: M,
    *,
    organisation: Organisation,
    fields: Sequence[str],
    values: dict[str, Any],
    action: str,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    check: Callable[[M], None] | None = None,
    after: Callable[[M], None] | None = None,
    exclude: Sequence[str] = (),
    validate_constraints: bool = True,
) -> M:
    """What every `*_save` service does, once: refuse fields it does not know, remember what was
    stored, set the values, run the service's own `check` and the model's validation, save, and
    record the change in the audit log (`<action>.create` or `<action>.update`); `after` runs
    once the object is saved (its many-to-many fields, its tracked link). "Before" always comes
    from the database, not from an object a bound form may have changed already."""
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Unknown {action} fields: {sorted(unknown)}")
    creating = obj.pk is None
    before = {} if creating else _field_values(type(obj)._default_manager.get(pk=obj.pk), fields)
    for name, value in values.items():
        setattr(obj, name, value)
    if check is not None:
        check(obj)
    obj.full_clean(exclude=list(exclude), validate_constraints=validate_constraints)
    obj.save()
    if after is not None:
        after(obj)
    audit_record(
        organisation=organisation,
        obj=obj,
        actor=actor,
        api_key=api_key,
        action=f"{action}.{'create' if creating else 'update'}",
        changes=changes_between(before, _field_values(obj, fields)),
    )
    return obj


def _field_values(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str,
    kind: str,
    nation: str,
    allowed_domains: list[str] | None = None,
    actor: User | None = None,
) -> Organisation:
    """Create an organisation and run each app's set-up for it (TAKEUP_ORGANISATION_SETUP)."""
    try:
        domains = _clean_domains(allowed_domains or [])
    except ValidationError as exc:
        raise ValidationError({"allowed_domains": exc.messages}) from exc
    organisation = Organisation(
        name=name, slug=slug, kind=kind, nation=nation, allowed_domains=domains
    )
    organisation.full_clean()
    organisation.save()
    for path in settings.TAKEUP_ORGANISATION_SETUP:
        import_string(path)(organisation=organisation)
    audit_record(
        organisation=organisation, action="organisation.create", obj=organisation, actor=actor
    )
    return organisation


def _clean_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for domain in domains:
        domain = domain.strip().lower().removeprefix("https://").removeprefix("http://")
        domain = domain.removeprefix("www.").rstrip("/")
        if domain and domain not in cleaned:
            domain_validator(domain)
            cleaned.append(domain)
    return cleaned


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    kind: str,
    nation: str,
    allowed_domains: list[str],
    website: str | None = None,
) -> Organisation:
    before = {
        "name": organisation.name,
        "kind": organisation.kind,
        "nation": organisation.nation,
        "allowed_domains": list(organisation.allowed_domains),
        "website": organisation.website,
    }
    try:
        domains = _clean_domains(allowed_domains)
    except ValidationError as exc:
        raise ValidationError({"allowed_domains": exc.messages}) from exc
    organisation.name, organisation.kind, organisation.nation = name.strip(), kind, nation
    organisation.allowed_domains = domains
    if website is not None:  # left as it was when not given
        organisation.website = website.strip()
    organisation.full_clean()
    organisation.save()
    after = {
        "name": organisation.name,
        "kind": organisation.kind,
        "nation": organisation.nation,
        "allowed_domains": domains,
        "website": organisation.website,
    }
    audit_record(
        organisation=organisation,
        action="organisation.update",
        obj=organisation,
        actor=actor,
        changes=changes_between(before, after),
    )
    return organisation


@transaction.atomic
def organisation_sharing_set(
    *, organisation: Organisation, actor: User, shares_figures: bool
) -> Organisation:
    """Start or stop sharing figures with other organisations for comparison (benchmark)."""
    before = organisation.shares_figures
    organisation.shares_figures = shares_figures
    organisation.save(update_fields=["shares_figures"])
    audit_record(
        organisation=organisation,
        action="organisation.sharing",
        obj=organisation,
        actor=actor,
        changes=changes_between({"shares_figures": before}, {"shares_figures": shares_figures}),
    )
    return organisation


@transaction.atomic
def membership_add(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: User | None = None,
    full_name: str = "",
    password: str | None = None,
) -> Membership:
    """Give a user (made if new, with no usable password) a role in the organisation."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    membership = Membership(organisation=organisation, user=user, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        organisation=organisation,
        action="membership.add",
        obj=membership,
        actor=actor,
        changes={"role": [None, role]},
    )
    return membership


def _ensure_an_admin_remains(membership: Membership) -> None:
    others = Membership.objects.filter(
        organisation=membership.organisation, role=Role.ADMIN
    ).exclude(pk=membership.pk)
    if membership.role == Role.ADMIN and not others.exists():
        raise ValidationError(
            {"role": _("An organisation needs at least one admin. Make someone else admin first.")}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role != Role.ADMIN:
        _ensure_an_admin_remains(membership)
    old = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        organisation=membership.organisation,
        action="membership.change_role",
        obj=membership,
        actor=actor,
        changes={"role": [old, role]},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _ensure_an_admin_remains(membership)
    audit_record(
        organisation=membership.organisation,
        action="membership.remove",
        obj=membership,
        actor=actor,
    )
    membership.delete()


def _hash_key(raw: str) -> str:
    # The key carries 256 bits of randomness, so a fast keyed hash is enough (no stretching).
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, actor: User | None = None
) -> tuple[ApiKey, str]:
    """Make a key and return it with its secret, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organisation=organisation,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash_key(raw),
        created_by=actor,
    )
    api_key.full_clean()
    api_key.save()
    audit_record(organisation=organisation, action="api_key.create", obj=api_key, actor=actor)
    return api_key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User | None = None) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            organisation=api_key.organisation, action="api_key.revoke", obj=api_key, actor=actor
        )
    return api_key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key matching `raw`, with its last use recorded; None for anything else."""
    parts = raw.strip().split("_")
    if len(parts) < 3 or parts[0] != API_KEY_PREFIX:
        return None
    api_key = (
        ApiKey.objects.select_related("organisation")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash_key(raw.strip())):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def worker_beat(worker_id: str) -> None:
    """Say that this worker is alive (every few seconds, from a thread beside its tasks)."""
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now()})


def lost_tasks_requeue(now: Any = None) -> list[str]:
    """Queue again each task marked running whose worker has been quiet for
    TAKEUP_WORKER_LOST_SECONDS: the worker was killed, or its machine stopped, mid-task. Its
    transaction was rolled back, and every task is safe to run again. The ids queued again."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    quiet = now - timedelta(seconds=settings.TAKEUP_WORKER_LOST_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=quiet).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=quiet)
    lost = [
        str(task.pk)
        for task in running.only("pk", "worker_ids")
        if not task.worker_ids or task.worker_ids[-1] not in alive
    ]
    if lost:
        # Only rows still running: a worker that finished meanwhile keeps its result.
        DBTaskResult.objects.filter(pk__in=lost, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("queued again %d tasks of workers that stopped: %s", len(lost), lost)
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return lost

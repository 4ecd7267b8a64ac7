"""Writes for the service catalogue. Each takes keyword arguments, validates with full_clean()
and records what it changed in the audit log."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from takeup.core import weburls
from takeup.core.text import slugify
from takeup.organisations.models import ApiKey, Organisation, User
from takeup.organisations.services import audit_record, model_save

from .csvimport import ParsedCatalogue, RowError
from .models import Channel, Service, ServiceArea, UnitCost

# The standard channels: (slug, name, digital, self-service, assisted digital).
STANDARD_CHANNELS = [
    ("web", "Web", True, True, False),
    ("app", "App", True, True, False),
    ("webchat", "Webchat", True, False, False),
    ("email", "Email", True, False, False),
    ("phone", "Phone", False, False, False),
    ("automated-phone", "Automated phone", False, True, False),
    ("face-to-face", "Face-to-face", False, False, False),
    ("post", "Post", False, False, False),
    ("assisted-digital", "Assisted digital", True, False, True),
]
SOCITM_2012_SOURCE = "Socitm Insight, 2012: average cost per contact (used for transactions too)"
SOCITM_2012_PENCE = {"face-to-face": 862, "phone": 283, "web": 15}
SOCITM_2012_FROM = date(2012, 4, 1)


def domain_allowed(url: str, domains: list[str]) -> bool:
    """Whether a browser following `url` stays on these domains (core/weburls.py)."""
    return weburls.host_allowed(url, domains)


def _validate_online_url(service: Service) -> None:
    if service.online_url:
        try:
            weburls.checked(service.online_url)
        except weburls.UnsafeAddress as exc:
            raise ValidationError({"online_url": str(exc)}) from exc
    domains = service.organisation.allowed_domains
    if service.online_url and domains and not domain_allowed(service.online_url, domains):
        raise ValidationError(
            {
                "online_url": _(
                    "This address is not on one of the organisation's allowed domains "
                    "(%(domains)s)."
                )
                % {"domains": ", ".join(domains)}
            }
        )


def _unit_costs_changed(organisation: Organisation) -> None:
    """Let the apps that price figures reprice them (TAKEUP_UNIT_COSTS_CHANGED)."""
    for path in settings.TAKEUP_UNIT_COSTS_CHANGED:
        import_string(path)(organisation=organisation)


def _ensure_unique_name(obj: Any, message: str) -> None:
    """Name the field a resident typed when the slug made from it is taken (the database's
    unique constraint is the guarantee; this is the friendly error)."""
    taken = type(obj).objects.filter(organisation=obj.organisation_id).exclude(pk=obj.pk)
    if taken.filter(Q(slug=obj.slug) | Q(name__iexact=obj.name)).exists():
        raise ValidationError({"name": message})


def catalogue_defaults_create(*, organisation: Organisation) -> None:
    """Give a new organisation the standard channels and the Socitm 2012 unit costs."""
    for position, (slug, name, digital, self_service, assisted) in enumerate(STANDARD_CHANNELS):
        channel = Channel.objects.create(
            organisation=organisation,
            slug=slug,
            name=name,
            is_digital=digital,
            is_self_service=self_service,
            is_assisted_digital=assisted,
            standard=True,
            position=position * 10,
        )
        if slug in SOCITM_2012_PENCE:
            pence = SOCITM_2012_PENCE[slug]
            UnitCost.objects.create(
                organisation=organisation,
                channel=channel,
                pence_per_contact=pence,
                pence_per_transaction=pence,
                effective_from=SOCITM_2012_FROM,
                source=SOCITM_2012_SOURCE,
            )


@transaction.atomic
def service_area_save(
    *,
    organisation: Organisation,
    name: str,
    active: bool = True,
    area: ServiceArea | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
) -> ServiceArea:
    return model_save(
        area or ServiceArea(organisation=organisation, slug=slugify(name)),
        organisation=organisation,
        fields=["name", "active"],
        values={"name": name.strip(), "active": active},
        action="service_area",
        actor=actor,
        api_key=api_key,
        check=lambda a: _ensure_unique_name(a, _("A service area with this name already exists.")),
    )


SERVICE_FIELDS = [
    "name",
    "area",
    "kind",
    "online_url",
    "online_since",
    "online_only_since",
    "target_percent",
    "target_date",
    "public",
    "active",
    "lgsl",
]


@transaction.atomic
def service_save(
    *,
    organisation: Organisation,
    service: Service | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    slug: str = "",
    **values: Any,
) -> Service:
    """Create a service (service=None) or update one; `values` are SERVICE_FIELDS."""

    def check(service: Service) -> None:
        if service.area_id is not None and service.area.organisation_id != organisation.pk:
            raise ValidationError({"area": _("Choose one of your organisation's service areas.")})
        _validate_online_url(service)
        _ensure_unique_name(
            service, _("A service with this name already exists. Choose another name.")
        )

    return model_save(
        service or Service(organisation=organisation, slug=slug or slugify(values.get("name", ""))),
        organisation=organisation,
        fields=SERVICE_FIELDS,
        values=values,
        action="service",
        actor=actor,
        api_key=api_key,
        check=check,
    )


CHANNEL_FIELDS = [
    "name",
    "is_digital",
    "is_self_service",
    "is_assisted_digital",
    "no_cost",
    "saving_cashable",
    "cashable_note",
    "active",
]


@transaction.atomic
def channel_save(
    *,
    organisation: Organisation,
    channel: Channel | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> Channel:
    def check(channel: Channel) -> None:
        _ensure_unique_name(channel, _("A channel with this name already exists."))
        if channel.saving_cashable and not channel.cashable_note.strip():
            raise ValidationError(
                {
                    "cashable_note": _(
                        "Say why savings in this channel are cashable, such as the posts removed."
                    )
                }
            )

    return model_save(
        channel or Channel(organisation=organisation, slug=slugify(values.get("name", ""))[:40]),
        organisation=organisation,
        fields=CHANNEL_FIELDS,
        values=values,
        action="channel",
        actor=actor,
        api_key=api_key,
        check=check,
    )


UNIT_COST_FIELDS = [
    "channel",
    "pence_per_transaction",
    "pence_per_contact",
    "effective_from",
    "source",
]


@transaction.atomic
def unit_cost_save(
    *,
    organisation: Organisation,
    unit_cost: UnitCost | None = None,
    actor: User | None = None,
    **values: Any,
) -> UnitCost:
    def check(unit_cost: UnitCost) -> None:
        if unit_cost.channel.organisation_id != organisation.pk:
            raise ValidationError({"channel": _("Choose one of your organisation's channels.")})

    saved = model_save(
        unit_cost or UnitCost(organisation=organisation),
        organisation=organisation,
        fields=UNIT_COST_FIELDS,
        values=values,
        action="unit_cost",
        actor=actor,
        check=check,
    )
    _unit_costs_changed(organisation)
    return saved


@transaction.atomic
def unit_cost_delete(*, unit_cost: UnitCost, actor: User) -> None:
    audit_record(
        organisation=unit_cost.organisation, obj=unit_cost, actor=actor, action="unit_cost.delete"
    )
    unit_cost.delete()
    _unit_costs_changed(unit_cost.organisation)


class CatalogueRejected(Exception):
    """A catalogue file with errors; nothing from it was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the catalogue file")
        self.errors = errors


@dataclass(frozen=True)
class CatalogueImportResult:
    created: int
    updated: int
    areas_created: int


@transaction.atomic
def catalogue_import(
    *,
    organisation: Organisation,
    parsed: ParsedCatalogue,
    actor: User | None = None,
    file_name: str = "",
) -> CatalogueImportResult:
    """Add or update every service in the file, or, if any row is wrong, save nothing at all."""
    if parsed.errors:
        raise CatalogueRejected(list(parsed.errors))
    areas = {a.name.lower(): a for a in ServiceArea.objects.filter(organisation=organisation)}
    existing = {s.slug: s for s in Service.objects.filter(organisation=organisation)}
    errors: list[RowError] = []
    created = updated = areas_created = 0
    for row in parsed.rows:
        area = areas.get(row.area.lower())
        if area is None:
            area = ServiceArea(organisation=organisation, name=row.area, slug=slugify(row.area))
            try:
                area.full_clean()
            except ValidationError as exc:
                errors.extend(RowError(row.line, "area", m) for m in exc.messages)
                continue
            area.save()
            areas[row.area.lower()] = area
            areas_created += 1
        service = existing.get(row.slug) or Service(organisation=organisation, slug=row.slug)
        is_new = service.pk is None
        for name in SERVICE_FIELDS:
            if name == "lgsl" and not row.has_lgsl:
                continue  # a file without the column leaves the codes as they are
            setattr(service, name, area if name == "area" else getattr(row, name))
        try:
            _validate_online_url(service)
            service.full_clean()
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                errors.extend(RowError(row.line, column, m) for m in messages)
            continue
        service.save()
        created, updated = created + is_new, updated + (not is_new)
    if errors:
        raise CatalogueRejected(errors)
    result = CatalogueImportResult(created=created, updated=updated, areas_created=areas_created)
    audit_record(
        organisation=organisation,
        action="catalogue.import",
        actor=actor,
        changes={
            "file": file_name,
            "created": created,
            "updated": updated,
            "areas_created": areas_created,
        },
    )
    return result

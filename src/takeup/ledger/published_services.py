"""Importing published performance data with a built-in profile (ledger/published.py reads it).

The publisher's file is also its catalogue: a service the organisation's catalogue does not have
yet is added, in a service area named after its department. Figures are stored as published
(PublishedFigure), each replacing the figure it restates. As everywhere else, a file with a
rejected figure imports nothing unless only the valid figures were asked for."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from takeup.catalogue.models import Service, ServiceArea
from takeup.core.text import slugify
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record

from . import published
from .models import DataSource, ImportBatch, PublishedFigure
from .names import normalise
from .services import data_source_get_or_create, organisation_lock

INSERT_BATCH = 2000


@dataclass
class PublishedOutcome:
    reading: published.PublishedReading
    batch: ImportBatch | None = None
    imported: int = 0
    replaced: int = 0
    services_added: int = 0


def published_import(
    *,
    organisation: Organisation,
    profile: str,
    data: bytes,
    file_name: str = "",
    source_name: str = "",
    only_valid: bool = False,
    dry_run: bool = False,
    actor: User | None = None,
) -> PublishedOutcome:
    """Read one published file with a built-in profile and keep its figures; with `dry_run`,
    read and check it exactly so and change nothing."""
    if profile not in published.PROFILES:
        raise ValueError(f"No built-in profile called '{profile}'.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        reading = published.PublishedReading(profile=profile)
        reading.refused = 'The file is not UTF-8: save it as "CSV UTF-8" (or UTF-8 JSON).'
        return PublishedOutcome(reading)
    reading = published.read(profile, text)
    outcome = PublishedOutcome(reading)
    if dry_run or reading.refused or (reading.errors and not only_valid):
        return outcome
    name = source_name or published.PROFILE_SOURCES[profile]
    with transaction.atomic():
        organisation_lock(organisation.pk)
        source = data_source_get_or_create(organisation, name)
        source.profile = {**(source.profile or {}), "builtin": profile}
        source.save(update_fields=["profile"])
        services, outcome.services_added = _services(organisation, reading)
        outcome.batch = _batch(organisation, source, reading, data, file_name, only_valid, actor)
        outcome.replaced, outcome.imported = _store(source, outcome.batch, reading, services)
        audit_record(
            organisation=organisation,
            action="published.import",
            obj=outcome.batch,
            actor=actor,
            changes={
                "profile": profile,
                "file": file_name,
                "figures": outcome.imported,
                "replaced": outcome.replaced,
                "rejected": len(reading.errors),
                "services_added": outcome.services_added,
            },
        )
    return outcome


def _services(
    organisation: Organisation, reading: published.PublishedReading
) -> tuple[dict[str, Service], int]:
    """Each normalised service name in the file → its catalogue service, added if missing."""
    known = {normalise(s.name): s for s in Service.objects.filter(organisation=organisation)}
    slugs = {s.slug for s in known.values()}
    areas = {normalise(a.name): a for a in ServiceArea.objects.filter(organisation=organisation)}
    added: list[Service] = []
    for name, group in reading.services.items():
        key = normalise(name)
        if key in known:
            continue
        area_name = group or "Published services"
        area = areas.get(normalise(area_name))
        if area is None:
            area = ServiceArea.objects.create(
                organisation=organisation, name=area_name[:100], slug=_free(area_name, set())
            )
            areas[normalise(area_name)] = area
        service = Service(
            organisation=organisation,
            area=area,
            name=name[:200],
            slug=_free(name, slugs),
            kind=Service.Kind.APPLY,
        )
        slugs.add(service.slug)
        known[key] = service
        added.append(service)
    Service.objects.bulk_create(added, batch_size=INSERT_BATCH)
    return known, len(added)


def _free(name: str, taken: set[str]) -> str:
    base = slugify(name)[:72] or "service"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _store(
    source: DataSource,
    batch: ImportBatch,
    reading: published.PublishedReading,
    services: dict[str, Service],
) -> tuple[int, int]:
    """Upsert the figures: one restating a figure already kept replaces it."""
    rows = {
        (services[normalise(f.service)].pk, f.kind, f.months, f.period_end): f.value
        for f in reading.figures
    }
    existing = set(
        PublishedFigure.objects.filter(source=source).values_list(
            "service_id", "kind", "months", "period_end"
        )
    )
    replaced = len(existing & rows.keys())
    PublishedFigure.objects.bulk_create(
        [
            PublishedFigure(
                organisation_id=source.organisation_id,
                service_id=service_id,
                source=source,
                batch=batch,
                kind=kind,
                months=months,
                period_end=end,
                value=value,
            )
            for (service_id, kind, months, end), value in rows.items()
        ],
        batch_size=INSERT_BATCH,
        update_conflicts=True,
        unique_fields=["service", "source", "kind", "months", "period_end"],
        update_fields=["value", "batch"],
    )
    return replaced, len(rows)


def _batch(
    organisation: Organisation,
    source: DataSource,
    reading: published.PublishedReading,
    data: bytes,
    file_name: str,
    only_valid: bool,
    actor: User | None,
) -> ImportBatch:
    ends = [f.period_end for f in reading.figures]
    starts = [_start(f.period_end, f.months) for f in reading.figures]
    return ImportBatch.objects.create(
        organisation=organisation,
        source=source,
        file_name=file_name[:255],
        checksum=hashlib.sha256(data).hexdigest(),
        file_format=reading.profile[:20],
        status=ImportBatch.Status.APPLIED,
        rows_read=reading.lines,
        rows_accepted=len(reading.figures),
        rows_rejected=len(reading.errors),
        period_from=min(starts, default=None),
        period_to=max(ends, default=None),
        errors=[
            {"line": line, "column": column, "message": message}
            for line, column, message in reading.errors[:1000]
        ],
        only_valid=only_valid,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )


def _start(period_end: date, months: int) -> date:
    index = period_end.year * 12 + period_end.month - months
    return date(index // 12, index % 12 + 1, 1)

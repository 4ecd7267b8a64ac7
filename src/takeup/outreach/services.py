"""Writes for outreach, each recorded in the audit log."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from takeup.catalogue.csvimport import RowError
from takeup.organisations.models import ApiKey, Organisation, User
from takeup.organisations.services import audit_record, model_save

from . import areacsv, imd, maps, queries, sessioncsv
from .models import (
    AreaVolume,
    Boundary,
    Champion,
    Helped,
    Indicator,
    IndicatorValue,
    Neighbourhood,
    Place,
    Pledge,
    PriorityWeights,
    Session,
    SessionImport,
    Training,
)

PLACE_FIELDS = [
    "name",
    "kind",
    "address",
    "neighbourhood",
    "partner",
    "opening_times",
    "equipment",
    "opened_on",
    "closed_on",
]
HELPED_FIELDS = ("age_band", "motivation", "service", "confidence", "completed", "referred_to")


def _same_organisation(organisation: Organisation, field: str, *objects: Any) -> None:
    if any(o is not None and o.organisation_id != organisation.pk for o in objects):
        raise ValidationError({field: "Choose one of your organisation's own."})


EARLIEST_SESSION = date(2000, 1, 1)


def session_problems(
    *, place: Place | None, held_on: date | None, kind: str, people: int | None, recorded: int
) -> dict[str, str]:
    """What is wrong with a session, all at once (the form shows every problem together)."""
    problems: dict[str, str] = {}
    if held_on is not None:
        if held_on > timezone.localdate():
            problems["held_on"] = _("The date is in the future: record a session once held.")
        elif held_on < EARLIEST_SESSION:
            problems["held_on"] = _("The date is before 2000: check the year.")
        elif place is not None and place.opened_on and held_on < place.opened_on:
            problems["held_on"] = _("%(place)s opened on %(day)s: the date is before that.") % {
                "place": place.name,
                "day": place.opened_on.strftime("%d/%m/%Y"),
            }
        elif place is not None and place.closed_on and held_on > place.closed_on:
            problems["held_on"] = _("%(place)s closed on %(day)s: the date is after that.") % {
                "place": place.name,
                "day": place.closed_on.strftime("%d/%m/%Y"),
            }
    if people is not None and recorded > people:
        problems["people"] = _(
            "%(n)d people are recorded one by one: the number of people must be at least that."
        ) % {"n": recorded}
    elif kind == Session.Kind.ONE_TO_ONE and max(people or 0, recorded) > 1:
        problems["kind"] = _("A session with more than one person is a group.")
    return problems


def place_save(
    *,
    organisation: Organisation,
    place: Place | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> Place:
    def check(obj: Place) -> None:
        _same_organisation(organisation, "neighbourhood", obj.neighbourhood)
        if obj.opened_on and obj.closed_on and obj.closed_on < obj.opened_on:
            raise ValidationError({"closed_on": _("A place cannot close before it opens.")})
        soon = timezone.localdate() + timedelta(days=366)
        if obj.opened_on and obj.opened_on > soon:
            raise ValidationError(
                {"opened_on": _("The opening date is more than a year ahead: check the year.")}
            )
        if obj.opened_on and obj.opened_on < EARLIEST_SESSION:
            raise ValidationError(
                {"opened_on": _("The opening date is before 2000: check the year.")}
            )

    return model_save(
        place or Place(organisation=organisation),
        organisation=organisation,
        fields=PLACE_FIELDS,
        values=values,
        action="outreach.place",
        actor=actor,
        api_key=api_key,
        check=check,
    )


def champion_save(
    *,
    organisation: Organisation,
    champion: Champion | None = None,
    actor: User | None = None,
    **values: Any,
) -> Champion:
    return model_save(
        champion or Champion(organisation=organisation),
        organisation=organisation,
        fields=["name", "kind", "team", "on_honour_roll", "active"],
        values=values,
        action="outreach.champion",
        actor=actor,
    )


def pledge_add(
    *, champion: Champion, hours: Decimal, made_on: date, actor: User | None = None
) -> Pledge:
    return model_save(
        Pledge(champion=champion),
        organisation=champion.organisation,
        fields=["hours", "made_on"],
        values={"hours": hours, "made_on": made_on},
        action="outreach.pledge",
        actor=actor,
    )


def training_save(
    *,
    organisation: Organisation,
    training: Training | None = None,
    actor: User | None = None,
    champions: Sequence[Champion] = (),
    **values: Any,
) -> Training:
    _same_organisation(organisation, "champions", *champions)
    if len(champions) > values.get("attendees", 0):
        raise ValidationError(
            {"attendees": "More champions attended than people: count them among the people."}
        )
    with transaction.atomic():
        return model_save(
            training or Training(organisation=organisation),
            organisation=organisation,
            fields=["title", "kind", "held_on", "duration_minutes", "team", "attendees"],
            values=values,
            action="outreach.training",
            actor=actor,
            after=lambda obj: obj.champions.set(champions),
        )


def session_record(
    *,
    organisation: Organisation,
    place: Place,
    held_on: date,
    duration_minutes: int,
    kind: str,
    people: int,
    champions: Sequence[Champion] = (),
    helped: Sequence[dict[str, Any]] = (),
    source: str = Session.Source.FORM,
    actor: User | None = None,
    api_key: ApiKey | None = None,
) -> Session:
    """A session and the people helped in it, all saved or none."""
    _same_organisation(organisation, "place", place)
    _same_organisation(organisation, "champions", *champions)
    for person in helped:
        _same_organisation(organisation, "service", person.get("service"))
    problems = session_problems(
        place=place, held_on=held_on, kind=kind, people=people, recorded=len(helped)
    )
    if problems:
        raise ValidationError(problems)
    session = Session(
        organisation=organisation,
        place=place,
        held_on=held_on,
        duration_minutes=duration_minutes,
        kind=kind,
        people=people,
        source=source,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    session.full_clean(exclude=["recorded_by"])
    rows = [
        Helped(session=session, **{k: p.get(k) for k in HELPED_FIELDS if k in p}) for p in helped
    ]
    for row in rows:
        row.referred_to = row.referred_to or ""
        row.full_clean(exclude=["session"])
    with transaction.atomic():
        session.save()
        session.champions.set(champions)
        Helped.objects.bulk_create(rows)
        audit_record(
            organisation=organisation,
            action="outreach.session.create",
            obj=session,
            actor=actor,
            api_key=api_key,
            changes={"people": [None, people], "recorded": [None, len(rows)]},
        )
    return session


def session_delete(session: Session, actor: User | None = None) -> None:
    with transaction.atomic():
        audit_record(
            organisation=session.organisation,
            action="outreach.session.delete",
            obj=session,
            actor=actor,
        )
        session.delete()


class ImportRefused(Exception):
    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def sessions_import(
    organisation: Organisation, data: bytes, *, filename: str = "", actor: User | None = None
) -> SessionImport:
    """Every session of a CSV, or none of them. The same file twice is refused: a day's
    sessions are never counted twice."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = queries.session_import_of(organisation, digest)
    if earlier is not None:
        raise ImportRefused(
            [
                RowError(
                    0,
                    "",
                    f"This file was imported on {earlier.imported_at:%Y-%m-%d at %H:%M}: its "
                    "sessions are already counted.",
                )
            ]
        )
    parsed = sessioncsv.parse(
        data,
        places=queries.place_names(organisation),
        champions=queries.champion_names(organisation),
        services=queries.service_slugs(organisation),
        today=timezone.localdate(),
    )
    if not parsed.ok:
        raise ImportRefused(parsed.errors)
    places = queries.places_by_id(organisation)
    champions = queries.champions_by_id(organisation)
    services = queries.services_by_id(organisation)
    wrong = [
        RowError(row.line, field, message)
        for row in parsed.sessions
        for field, message in session_problems(
            place=places[row.place],
            held_on=row.held_on,
            kind=row.kind,
            people=row.head_count,
            recorded=len(row.helped),
        ).items()
    ]
    if wrong:
        raise ImportRefused(wrong)
    try:
        with transaction.atomic():
            record = SessionImport.objects.create(
                organisation=organisation,
                sha256=digest,
                filename=filename[:200],
                sessions=len(parsed.sessions),
                imported_by=actor if actor is not None and actor.is_authenticated else None,
            )
            for row in parsed.sessions:
                session_record(
                    organisation=organisation,
                    place=places[row.place],
                    held_on=row.held_on,
                    duration_minutes=row.minutes,
                    kind=row.kind,
                    people=row.head_count,
                    champions=[champions[c] for c in row.champions],
                    helped=[
                        {
                            "age_band": p.age_band,
                            "motivation": p.motivation,
                            "service": services.get(p.service) if p.service else None,
                            "confidence": p.confidence,
                            "completed": p.completed,
                            "referred_to": p.referred_to,
                        }
                        for p in row.helped
                    ],
                    source=Session.Source.CSV,
                    actor=actor,
                )
    except IntegrityError as exc:  # the same file, taken in by another request a moment ago
        raise ImportRefused(
            [RowError(0, "", "This file is being imported already: its sessions are counted.")]
        ) from exc
    except ValidationError as exc:
        raise ImportRefused([RowError(0, "", m) for m in exc.messages]) from exc
    return record


# Neighbourhoods


class AreaRejected(Exception):
    """A neighbourhood file with problems; nothing was saved. `errors` are line-numbered."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = list(errors)


IMD_FIELDS = [
    "official_name",
    "district_code",
    "district_name",
    "imd_rank",
    "imd_decile",
    "population",
    "aged_60_plus",
    "updated_at",
]


@dataclass(frozen=True)
class NeighbourhoodsImported:
    created: int
    updated: int
    without_population: int


@transaction.atomic
def neighbourhoods_import(
    organisation: Organisation,
    district: imd.District,
    *,
    actor: User | None = None,
    names: dict[str, str] | None = None,
) -> NeighbourhoodsImported:
    """The district's LSOAs as the organisation's neighbourhoods: new ones added, existing ones
    (by code) given the new figures. A neighbourhood keeps the name staff gave it; a new one is
    called by `names` (code → name, the demo's relabelling) or its official name."""
    existing = {n.code: n for n in Neighbourhood.objects.filter(organisation=organisation)}
    now = timezone.now()
    new, changed = [], []
    for lsoa in district.lsoas:
        figures = {
            "official_name": lsoa.name,
            "district_code": lsoa.district_code,
            "district_name": lsoa.district_name,
            "imd_rank": lsoa.imd_rank,
            "imd_decile": lsoa.imd_decile,
            "population": lsoa.population,
            "aged_60_plus": lsoa.aged_60_plus,
            "updated_at": now,
        }
        found = existing.get(lsoa.code)
        if found is None:
            name = (names or {}).get(lsoa.code, lsoa.name)
            new.append(
                Neighbourhood(organisation=organisation, code=lsoa.code, name=name, **figures)
            )
        else:
            for attr, value in figures.items():
                setattr(found, attr, value)
            changed.append(found)
    Neighbourhood.objects.bulk_create(new)
    Neighbourhood.objects.bulk_update(changed, IMD_FIELDS)
    result = NeighbourhoodsImported(len(new), len(changed), len(district.without_population))
    audit_record(
        organisation=organisation,
        action="outreach.neighbourhoods_import",
        actor=actor,
        changes={
            "district": sorted({lsoa.district_name for lsoa in district.lsoas}),
            "created": result.created,
            "updated": result.updated,
        },
    )
    return result


@transaction.atomic
def indicators_import(
    organisation: Organisation,
    parsed: areacsv.ParsedIndicators,
    *,
    actor: User | None = None,
) -> int:
    """The council's own indicators from a parsed file, all or nothing: each column becomes an
    indicator (by its short name; an existing one keeps its weight and direction) and its values
    replace the earlier ones. Returns the number of values saved."""
    if parsed.errors:
        raise AreaRejected(parsed.errors)
    codes = queries.neighbourhood_codes(organisation)
    saved = 0
    for column in parsed.columns:
        indicator, _created = Indicator.objects.get_or_create(
            organisation=organisation, slug=column.slug, defaults={"name": column.name}
        )
        IndicatorValue.objects.filter(indicator=indicator).delete()
        values = parsed.values.get(column.slug, {})
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator=indicator, neighbourhood_id=codes[code], value=value)
            for code, value in values.items()
        )
        saved += len(values)
    audit_record(
        organisation=organisation,
        action="outreach.indicators_import",
        actor=actor,
        changes={"indicators": [c.slug for c in parsed.columns], "values": saved},
    )
    return saved


@transaction.atomic
def weights_set(
    organisation: Organisation,
    *,
    deprivation: Decimal,
    older: Decimal,
    own: dict[int, tuple[Decimal, bool]],
    actor: User | None = None,
    api_key: ApiKey | None = None,
) -> PriorityWeights:
    """The weights of the score's parts; `own` is indicator id → (weight, higher means more
    need). Indicators of another organisation are ignored."""
    weights, _created = PriorityWeights.objects.get_or_create(organisation=organisation)
    model_save(
        weights,
        organisation=organisation,
        fields=["deprivation", "older", "updated_at"],
        values={"deprivation": deprivation, "older": older, "updated_at": timezone.now()},
        action="outreach.weights",
        actor=actor,
        api_key=api_key,
    )
    for indicator in queries.indicators_of(organisation):
        if indicator.pk in own:
            weight, more = own[indicator.pk]
            model_save(
                indicator,
                organisation=organisation,
                fields=["weight", "higher_means_more_need"],
                values={"weight": weight, "higher_means_more_need": more},
                action="outreach.indicator",
                actor=actor,
                api_key=api_key,
            )
    return weights


@transaction.atomic
def boundary_set(
    organisation: Organisation,
    name: str,
    found: maps.Boundary,
    *,
    actor: User | None = None,
) -> Boundary:
    """The organisation's boundary file, replacing any earlier one."""
    boundary = queries.boundary_of(organisation) or Boundary(organisation=organisation)
    boundary.name = name
    boundary.key = found.key
    boundary.geojson = found.geojson
    boundary.features = found.features
    boundary.matched = found.matched
    boundary.uploaded_at = timezone.now()
    boundary.save()
    audit_record(
        organisation=organisation,
        action="outreach.boundary",
        obj=boundary,
        actor=actor,
        changes={"key": found.key, "features": found.features, "matched": found.matched},
    )
    return boundary


@transaction.atomic
def boundary_delete(organisation: Organisation, actor: User | None = None) -> None:
    boundary = queries.boundary_of(organisation)
    if boundary is not None:
        audit_record(
            organisation=organisation, action="outreach.boundary.delete", obj=boundary, actor=actor
        )
        boundary.delete()


@transaction.atomic
def area_volumes_import(
    organisation: Organisation,
    parsed: areacsv.ParsedAreaVolumes,
    *,
    actor: User | None = None,
) -> int:
    """Monthly figures per service and neighbourhood, all or nothing: a row replaces the one
    already kept for its service, neighbourhood and month. They sit beside the ledger and are
    never added to its totals (decision 16)."""
    if parsed.errors:
        raise AreaRejected(parsed.errors)
    services = queries.area_service_slugs(organisation)
    codes = queries.neighbourhood_codes(organisation)
    rows = [
        AreaVolume(
            organisation=organisation,
            service_id=services[r.service],
            neighbourhood_id=codes[r.neighbourhood],
            month=r.month,
            online=r.online,
            total=r.total,
        )
        for r in parsed.rows
    ]
    AreaVolume.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["service", "neighbourhood", "month"],
        update_fields=["online", "total"],
    )
    audit_record(
        organisation=organisation,
        action="outreach.area_volumes_import",
        actor=actor,
        changes={"rows": len(rows)},
    )
    return len(rows)

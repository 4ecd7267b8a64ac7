"""Staff screens for outreach: the inclusion lead's summary, places, sessions, champions, pledges,
training, the neighbourhoods and their map, and each service's assisted-digital estimate."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from takeup.catalogue.queries import service_of
from takeup.core.downloads import csv_response
from takeup.forms import apply_errors, form_page
from takeup.organisations.access import OrganisationRequest, can, organisation_view, require
from takeup.organisations.roles import Permission

from . import areacsv, imd, maps, queries, reports, services
from . import didit as didit_maths
from .forms import (
    AreaVolumesUploadForm,
    BoundaryUploadForm,
    ChampionForm,
    DistrictForm,
    HelpedFormSet,
    IndicatorsUploadForm,
    PlaceForm,
    PledgeForm,
    SessionForm,
    SessionImportForm,
    TrainingForm,
    WeightsForm,
)

RECORD = Permission.EDIT_CAMPAIGNS


def _url(request: OrganisationRequest, name: str, **kw: Any) -> str:
    return reverse(f"outreach:{name}", kwargs={"org": request.organisation.slug, **kw})


def _hours(value: Any) -> str:
    return f"{value:.1f}"


@organisation_view()
def index(request: OrganisationRequest) -> HttpResponse:
    page = reports.summary(request.organisation)
    download = request.GET.get("download")
    slug = request.organisation.slug
    if download == "months":
        return csv_response(
            f"{slug}-outreach-by-month",
            [_("month"), _("hours pledged"), _("hours delivered"), _("sessions"), _("people")],
            [
                (r.label, _hours(r.pledged), _hours(r.delivered), r.sessions, r.people)
                for r in page.by_month
            ],
        )
    if download == "teams":
        return csv_response(
            f"{slug}-outreach-by-team",
            [_("team"), _("hours pledged"), _("hours delivered"), _("sessions"), _("people")],
            [
                (r.label, _hours(r.pledged), _hours(r.delivered), r.sessions, r.people)
                for r in page.by_team
            ],
        )
    if download == "honour-roll":
        return csv_response(
            f"{slug}-honour-roll",
            [_("name"), _("team"), _("hours delivered")],
            [(name, team, _hours(hours)) for name, team, hours in page.honour_roll],
        )
    return render(
        request, "outreach/index.html", {"page": page, "can_record": can(request, RECORD)}
    )


@organisation_view()
def places(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "outreach/places.html",
        {"places": queries.places_of(request.organisation), "can_record": can(request, RECORD)},
    )


@organisation_view(RECORD)
def place_edit(request: OrganisationRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation
    place = queries.place_of(org, pk) if pk else None
    return form_page(
        request,
        PlaceForm(request.POST or None, instance=place, organisation=org),
        title=_("Change a place") if place else _("Add a place"),
        save=lambda **data: services.place_save(
            organisation=org, place=place, actor=request.user, **data
        ),
        next_url=lambda _obj: _url(request, "places"),
        done=_("The place “%(name)s” is saved."),
        cancel_url=_url(request, "places"),
    )


@organisation_view()
def sessions(request: OrganisationRequest) -> HttpResponse:
    found = queries.sessions_of(request.organisation)
    if request.GET.get("download") == "csv":
        return csv_response(
            f"{request.organisation.slug}-sessions",
            [_("date"), _("place"), _("kind"), _("minutes"), _("people"), _("champions")],
            [
                (
                    s.held_on.isoformat(),
                    s.place.name,
                    s.get_kind_display(),
                    s.duration_minutes,
                    s.people,
                    "; ".join(c.name for c in s.champions.all()),
                )
                for s in found
            ],
        )
    return render(
        request,
        "outreach/sessions.html",
        {"sessions": found[:100], "can_record": can(request, RECORD)},
    )


@organisation_view(RECORD)
def session_add(request: OrganisationRequest) -> HttpResponse:
    """Record a session on a phone: the session, then one block for each person helped.
    “Add another person” posts the form back with one more block, so it works without
    JavaScript."""
    org = request.organisation
    post = request.POST if request.method == "POST" else None
    form = SessionForm(
        post, organisation=org, initial={"held_on": timezone.localdate()}, prefix="s"
    )
    people = HelpedFormSet(post, prefix="p", form_kwargs={"organisation": org})
    if post is None:
        people = HelpedFormSet(prefix="p", form_kwargs={"organisation": org}, initial=[{}])
    elif "add_person" in post:
        return _session_page(request, *_rebuilt(form, people, org))
    elif "remove_person" in post:
        try:
            gone = int(post["remove_person"])
        except ValueError:
            gone = -1
        return _session_page(request, *_rebuilt(form, people, org, remove=gone))
    elif _checked(form, people):
        helped = [f.cleaned_data for f in people.forms if not f.is_blank()]
        try:
            session = services.session_record(
                organisation=org, actor=request.user, helped=helped, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The session at %(place)s on %(day)s is recorded.")
                % {"place": session.place.name, "day": session.held_on.strftime("%d/%m/%Y")},
            )
            return redirect(
                _url(request, "session-add") if "again" in post else _url(request, "sessions")
            )
    return _session_page(request, form, people)


def _checked(form: SessionForm, people: Any) -> bool:
    """Every problem at once: each field's own, and those between the fields (the date against
    the place, the kind against the number of people and the people recorded)."""
    valid = form.is_valid() & people.is_valid()
    data = form.cleaned_data
    recorded = sum(1 for f in people.forms if hasattr(f, "cleaned_data") and not f.is_blank())
    problems = services.session_problems(
        place=data.get("place"),
        held_on=data.get("held_on"),
        kind=data.get("kind", ""),
        people=data.get("people"),
        recorded=recorded,
    )
    for field, message in problems.items():
        if field not in form.errors:
            form.add_error(field, message)
    return valid and not problems


def _rebuilt(
    form: SessionForm, people: Any, organisation: Any, remove: int | None = None
) -> tuple[SessionForm, Any]:
    """The same answers, not yet checked, with one more empty person after them (up to the
    formset's limit), or without the person numbered `remove` (from 0)."""
    initial = [{n: f[n].data for n in f.fields} for f in people.forms]
    if remove is None and len(initial) < people.max_num:
        initial.append({})
    elif remove is not None and 0 <= remove < len(initial):
        del initial[remove]
    initial = initial or [{}]
    session = {n: form[n].data for n in form.fields}
    if remove is None and len(initial) > 1:  # a group, of at least as many as recorded
        session["kind"] = "group"
        try:
            session["people"] = max(int(session.get("people") or 0), len(initial))
        except ValueError:
            session["people"] = len(initial)
    again = SessionForm(organisation=organisation, prefix="s", initial=session)
    return again, HelpedFormSet(
        prefix="p", initial=initial, form_kwargs={"organisation": organisation}
    )


def _session_page(request: OrganisationRequest, form: SessionForm, people: Any) -> HttpResponse:
    return render(
        request,
        "outreach/session_form.html",
        {
            "form": form,
            "people": people,
            "next_person": people.total_form_count() + 1,
            "cancel_url": _url(request, "sessions"),
        },
    )


@organisation_view()
def session(request: OrganisationRequest, pk: int) -> HttpResponse:
    found = queries.session_of(request.organisation, pk)
    if request.method == "POST":
        require(request, RECORD)
        services.session_delete(found, actor=request.user)
        messages.success(request, _("The session is deleted."))
        return redirect(_url(request, "sessions"))
    return render(
        request,
        "outreach/session.html",
        {"session": found, "can_record": can(request, RECORD)},
    )


@organisation_view(RECORD)
def session_import(request: OrganisationRequest) -> HttpResponse:
    form = SessionImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.sessions_import(
                request.organisation, upload.read(), filename=upload.name, actor=request.user
            )
        except services.ImportRefused as exc:
            errors = [e for e in exc.errors if e.line]
            for whole in (e for e in exc.errors if not e.line):
                form.add_error("file", whole.message)
            if errors:
                form.add_error(
                    "file",
                    ngettext(
                        "The file was not imported: fix the %(n)d problem in the table below.",
                        "The file was not imported: fix the %(n)d problems in the table below.",
                        len(errors),
                    )
                    % {"n": len(errors)},
                )
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d session is imported.", "%(n)d sessions are imported.", record.sessions
                )
                % {"n": record.sessions},
            )
            return redirect(_url(request, "sessions"))
    return render(request, "outreach/session_import.html", {"form": form, "row_errors": errors})


@organisation_view()
def champions(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "outreach/champions.html",
        {
            "rows": reports.champion_rows(request.organisation),
            "can_record": can(request, RECORD),
        },
    )


@organisation_view()
def champion(request: OrganisationRequest, pk: int) -> HttpResponse:
    org = request.organisation
    found = queries.champion_of(org, pk)
    form = PledgeForm(request.POST or None, initial={"made_on": timezone.localdate()})
    if request.method == "POST":
        require(request, RECORD)
        if form.is_valid():
            try:
                services.pledge_add(champion=found, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The pledge is added."))
                return redirect(_url(request, "champion", pk=pk))
    row = next(r for r in reports.champion_rows(org) if r["champion"].pk == found.pk)
    return render(
        request,
        "outreach/champion.html",
        {
            "champion": found,
            "row": row,
            "pledges": found.pledges.all(),
            "form": form,
            "can_record": can(request, RECORD),
        },
    )


@organisation_view(RECORD)
def champion_edit(request: OrganisationRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation
    found = queries.champion_of(org, pk) if pk else None
    return form_page(
        request,
        ChampionForm(request.POST or None, instance=found),
        title=_("Change a champion") if found else _("Add a champion"),
        save=lambda **data: services.champion_save(
            organisation=org, champion=found, actor=request.user, **data
        ),
        next_url=lambda obj: _url(request, "champion", pk=obj.pk),
        done=_("The champion “%(name)s” is saved."),
        cancel_url=_url(request, "champions"),
    )


@organisation_view()
def trainings(request: OrganisationRequest) -> HttpResponse:
    return render(
        request,
        "outreach/trainings.html",
        {
            "trainings": queries.trainings_of(request.organisation),
            "can_record": can(request, RECORD),
        },
    )


@organisation_view(RECORD)
def training_edit(request: OrganisationRequest, pk: int | None = None) -> HttpResponse:
    org = request.organisation
    found = queries.training_of(org, pk) if pk else None
    return form_page(
        request,
        TrainingForm(request.POST or None, instance=found, organisation=org),
        title=_("Change a training session") if found else _("Add a training session"),
        save=lambda **data: services.training_save(
            organisation=org, training=found, actor=request.user, **data
        ),
        next_url=lambda _obj: _url(request, "trainings"),
        done=_("The training “%(name)s” is saved."),
        cancel_url=_url(request, "trainings"),
    )


@organisation_view()
def assisted_list(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    rows = reports.assisted_rows(org)
    if request.GET.get("download") == "csv":
        return csv_response(
            f"{org.slug}-assisted-digital",
            [
                _("service"),
                _("transactions"),
                _("share needing help %"),
                _("low %"),
                _("high %"),
                _("leaves out"),
            ],
            [
                (
                    r.service.name,
                    r.estimate.total,
                    _pct(r.estimate.share),
                    _pct(r.estimate.low),
                    _pct(r.estimate.high),
                    "; ".join(p["label"] for p in r.parts if p["value"] is None),
                )
                for r in rows
            ],
        )
    return render(
        request,
        "outreach/assisted.html",
        {"rows": rows, "period": reports.assisted_period(org)},
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


@organisation_view()
def assisted_service(request: OrganisationRequest, slug: str) -> HttpResponse:
    org = request.organisation
    found = service_of(org, slug)
    rows = reports.assisted_rows(org, [found])
    return render(
        request,
        "outreach/assisted_service.html",
        {
            "service": found,
            "row": rows[0] if rows else None,
            "period": reports.assisted_period(org),
            "helped": queries.helped_for_service(org, found),
        },
    )


# Neighbourhoods


IMPORT = Permission.IMPORT_DATA


def _areas_url(request: OrganisationRequest, name: str) -> str:
    return reverse(f"outreach:{name}", kwargs={"org": request.organisation.slug})


def _neighbourhoods_csv(
    request: OrganisationRequest, page: reports.NeighbourhoodsPage
) -> HttpResponse:
    return csv_response(
        f"{request.organisation.slug}-neighbourhoods",
        [
            _("rank"),
            _("code"),
            _("neighbourhood"),
            _("official name"),
            _("priority score"),
            _("IMD rank"),
            _("IMD decile"),
            _("population"),
            _("aged 60 and over"),
            _("share aged 60 and over (%)"),
            *[i.name for i in page.indicators],
            _("places"),
            _("sessions"),
            _("people helped"),
            _("left out of the score"),
        ],
        [
            (
                r.scored.rank,
                r.neighbourhood.code,
                r.neighbourhood.name,
                r.neighbourhood.official_name,
                r.scored.score,
                r.neighbourhood.imd_rank,
                r.neighbourhood.imd_decile,
                r.neighbourhood.population,
                r.neighbourhood.aged_60_plus,
                None if r.older_percent is None else round(r.older_percent, 1),
                *r.own_list,
                r.here.places,
                r.here.sessions,
                r.here.people,
                r.left_out,
            )
            for r in page.rows
        ],
    )


def _upload_bytes(form: Any, limit: int) -> bytes | None:
    upload = form.cleaned_data["file"]
    if upload.size > limit:
        form.add_error(
            "file",
            _("The file is larger than %(mb)s MB; nothing was saved.") % {"mb": limit // 1_000_000},
        )
        return None
    data: bytes = upload.read()
    return data


@organisation_view()
def neighbourhoods(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    if request.GET.get("download") == "csv":
        return _neighbourhoods_csv(request, reports.neighbourhoods_page(org))
    which = request.POST.get("form") if request.method == "POST" else None
    errors: list[Any] = []
    page = reports.neighbourhoods_page(org)
    weights_form = WeightsForm(
        request.POST if which == "weights" else None,
        indicators=page.indicators,
        initial={"deprivation": page.weights.deprivation, "older": page.weights.older},
        prefix="w",
    )
    district_form = DistrictForm(request.POST if which == "district" else None, prefix="d")
    indicators_form = IndicatorsUploadForm(
        request.POST if which == "indicators" else None,
        request.FILES if which == "indicators" else None,
        prefix="i",
    )
    boundary_form = BoundaryUploadForm(
        request.POST if which == "boundary" else None,
        request.FILES if which == "boundary" else None,
        prefix="b",
    )
    if which:
        require(request, IMPORT)
        done = _neighbourhoods_post(
            request, which, weights_form, district_form, indicators_form, boundary_form, errors
        )
        if done:
            return redirect(_areas_url(request, "neighbourhoods"))
    return render(
        request,
        "outreach/neighbourhoods.html",
        {
            "page": page,
            "weights_form": weights_form,
            "district_form": district_form,
            "indicators_form": indicators_form,
            "boundary_form": boundary_form,
            "errors": errors,
            "forms_with_errors": [
                f for f in (weights_form, district_form, indicators_form, boundary_form) if f.errors
            ],
            "can_import": can(request, IMPORT),
            "imd_source": reports.IMD_SOURCE,
        },
    )


def _neighbourhoods_post(
    request: OrganisationRequest,
    which: str,
    weights_form: WeightsForm,
    district_form: DistrictForm,
    indicators_form: IndicatorsUploadForm,
    boundary_form: BoundaryUploadForm,
    errors: list[Any],
) -> bool:
    """Handle one of the page's forms; True when it is done and the page should reload."""
    org = request.organisation
    if which == "weights" and weights_form.is_valid():
        services.weights_set(
            org,
            deprivation=weights_form.cleaned_data["deprivation"],
            older=weights_form.cleaned_data["older"],
            own=weights_form.own(),
            actor=request.user,
        )
        messages.success(request, _("The weights are saved and the scores worked out again."))
        return True
    if which == "district" and district_form.is_valid():
        try:
            district = imd.read_district(
                imd.BUNDLED_FILE1.read_bytes(),
                imd.BUNDLED_FILE6.read_bytes(),
                district_form.cleaned_data["district"],
            )
        except imd.ImdError as exc:
            district_form.add_error("district", exc.message)
            return False
        result = services.neighbourhoods_import(org, district, actor=request.user)
        messages.success(
            request,
            _("Neighbourhoods imported: %(created)d added, %(updated)d updated.")
            % {"created": result.created, "updated": result.updated},
        )
        return True
    if which == "indicators" and indicators_form.is_valid():
        data = _upload_bytes(indicators_form, areacsv.MAX_BYTES)
        if data is None:
            return False
        parsed = areacsv.parse_indicators(data, set(queries.neighbourhood_codes(org)))
        try:
            saved = services.indicators_import(org, parsed, actor=request.user)
        except services.AreaRejected as rejected:
            errors.extend(rejected.errors)
            indicators_form.add_error(
                "file",
                _(
                    "The file has %(count)d problem(s), listed below. Nothing was saved: "
                    "correct the file and upload it again."
                )
                % {"count": len(rejected.errors)},
            )
            return False
        messages.success(request, _("Indicators imported: %(n)d values.") % {"n": saved})
        return True
    if which == "boundary" and boundary_form.is_valid():
        data = _upload_bytes(boundary_form, maps.MAX_BYTES)
        if data is None:
            return False
        try:
            found = maps.read_boundary(
                data, queries.neighbourhood_codes(org), boundary_form.cleaned_data["key"]
            )
        except maps.BoundaryError as exc:
            boundary_form.add_error(
                "file",
                _("The boundary file was not saved: %(why)s") % {"why": str(exc)},
            )
            return False
        services.boundary_set(org, boundary_form.cleaned_data["name"], found, actor=request.user)
        messages.success(
            request,
            _(
                "The boundaries are saved: %(matched)d of %(features)d shapes are your "
                "neighbourhoods."
            )
            % {"matched": found.matched, "features": found.features},
        )
        return True
    if which == "boundary-delete":
        services.boundary_delete(org, actor=request.user)
        messages.success(request, _("The boundaries are removed."))
        return True
    return False


@organisation_view()
def didit(request: OrganisationRequest) -> HttpResponse:
    org = request.organisation
    if request.GET.get("download") == "csv":
        page = reports.didit_page(org)
        return csv_response(
            f"{org.slug}-people-helped-and-take-up",
            [
                _("code"),
                _("neighbourhood"),
                _("people helped"),
                _("first session"),
                _("take-up before (%)"),
                _("take-up after (%)"),
                _("change (points)"),
            ],
            [
                (
                    r.neighbourhood.code,
                    r.neighbourhood.name,
                    r.change.people,
                    r.change.first_session,
                    None if r.change.before is None else round(r.change.before, 1),
                    None if r.change.after is None else round(r.change.after, 1),
                    None if r.change.change is None else round(r.change.change, 1),
                )
                for r in page.rows
            ],
        )
    form = AreaVolumesUploadForm(request.POST or None, request.FILES or None, prefix="v")
    errors: list[Any] = []
    if request.method == "POST":
        require(request, IMPORT)
        if form.is_valid() and (data := _upload_bytes(form, areacsv.MAX_BYTES)) is not None:
            parsed = areacsv.parse_area_volumes(
                data,
                set(queries.area_service_slugs(org)),
                set(queries.neighbourhood_codes(org)),
                timezone.localdate(),
            )
            try:
                saved = services.area_volumes_import(org, parsed, actor=request.user)
            except services.AreaRejected as rejected:
                errors = rejected.errors
                form.add_error(
                    "file",
                    _(
                        "The file has %(count)d problem(s), listed below. Nothing was saved: "
                        "correct the file and upload it again."
                    )
                    % {"count": len(errors)},
                )
            else:
                messages.success(
                    request, _("Transactions by neighbourhood imported: %(n)d rows.") % {"n": saved}
                )
                return redirect(_areas_url(request, "didit"))
    return render(
        request,
        "outreach/didit.html",
        {
            "page": reports.didit_page(org),
            "form": form,
            "errors": errors,
            "can_import": can(request, IMPORT),
            "min_areas": didit_maths.MIN_AREAS,
            "min_months": didit_maths.MIN_MONTHS,
        },
    )

"""Writes for campaigns: the register, tracked links, arrivals and notes. Estimates are in
estimates.py. Each write validates with full_clean() and is recorded in the audit log."""

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from takeup.catalogue.models import Service
from takeup.catalogue.services import domain_allowed
from takeup.core.statements import prepared_cursor
from takeup.core.text import slugify
from takeup.organisations.models import ApiKey, Organisation, User
from takeup.organisations.services import audit_record, model_save

from .csvimport import ParsedCampaigns
from .models import Activity, Annotation, Campaign, ReportShare, TrackedLink, VisitorSalt
from .queries import RedirectLink, link_for_redirect

CAMPAIGN_FIELDS = [
    "name",
    "objective",
    "audience",
    "starts_on",
    "ends_on",
    "budget_pence",
    "phase",
    "parent",
]
ACTIVITY_FIELDS = ["medium", "place", "ward", "starts_on", "ends_on", "cost_pence"]
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper


@transaction.atomic
def campaign_save(
    *,
    organisation: Organisation,
    services: list[Service],
    campaign: Campaign | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> Campaign:
    """Create a campaign (campaign=None) or update one; values are CAMPAIGN_FIELDS."""

    def check(campaign: Campaign) -> None:
        if not services:
            raise ValidationError(
                {"services": _("Choose at least one service the campaign promotes.")}
            )
        if any(s.organisation_id != organisation.pk for s in services):
            raise ValidationError({"services": _("Choose your organisation's services.")})
        parent = campaign.parent
        if parent is not None and (
            parent.organisation_id != organisation.pk or parent.pk == campaign.pk
        ):
            raise ValidationError({"parent": _("Choose an earlier campaign of your organisation.")})
        _check_dates(campaign.starts_on, campaign.ends_on)
        if (
            Campaign.objects.filter(organisation=organisation, name__iexact=campaign.name)
            .exclude(pk=campaign.pk)
            .exists()
        ):
            raise ValidationError({"name": _("A campaign with this name already exists.")})

    return model_save(
        campaign or Campaign(organisation=organisation),
        organisation=organisation,
        fields=CAMPAIGN_FIELDS,
        values=values,
        action="campaign",
        actor=actor,
        api_key=api_key,
        check=check,
        after=lambda campaign: campaign.services.set(services),
        exclude=["organisation"],
        validate_constraints=False,
    )


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


def own_page(url: str) -> bool:
    """A page of Takeup's own, such as the alerts sign-up page: always a safe destination."""
    return url.startswith(settings.TAKEUP_SITE_URL.rstrip("/") + "/")


def sign_up_page(organisation: Organisation) -> str:
    """The organisation's alerts sign-up page, for a link whose campaign asks people to sign up
    (by name: the alerts app, below this one, serves it)."""
    with translation.override("en"):
        path = reverse("alerts-sign-up", kwargs={"org": organisation.slug})
    return settings.TAKEUP_SITE_URL.rstrip("/") + path


def _check_destination(organisation: Organisation, url: str) -> None:
    if own_page(url):
        return
    if not url:
        raise ValidationError(
            {"service": _("This service has no online address to send visitors to. Add one.")}
        )
    if not domain_allowed(url, organisation.allowed_domains):
        raise ValidationError(
            {
                "service": _(
                    "Links may only go to your organisation's allowed domains (%(domains)s)."
                )
                % {"domains": ", ".join(organisation.allowed_domains) or _("none set")}
            }
        )


@transaction.atomic
def activity_save(
    *,
    organisation: Organisation,
    campaign: Campaign,
    activity: Activity | None = None,
    link_service: Service | None = None,
    vanity: str | None = None,
    to_sign_up: bool | None = None,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    **values: Any,
) -> Activity:
    """Create or update an activity. A new activity gets its tracked link, to link_service (by
    default the campaign's first service)."""
    if campaign.organisation_id != organisation.pk:
        raise ValidationError({"campaign": _("Choose one of your organisation's campaigns.")})
    creating = activity is None

    def link(activity: Activity) -> None:
        if creating or link_service is not None or vanity is not None or to_sign_up is not None:
            link_save(
                organisation=organisation,
                activity=activity,
                service=link_service,
                vanity=vanity,
                to_sign_up=to_sign_up,
            )

    return model_save(
        activity or Activity(organisation=organisation, campaign=campaign),
        organisation=organisation,
        fields=ACTIVITY_FIELDS,
        values=values,
        action="activity",
        actor=actor,
        api_key=api_key,
        check=lambda a: _check_dates(a.starts_on, a.ends_on),
        after=link,
        exclude=["organisation", "campaign"],
        validate_constraints=False,
    )


def link_save(
    *,
    organisation: Organisation,
    activity: Activity,
    service: Service | None = None,
    vanity: str | None = None,
    expires_on: date | None = None,
    to_sign_up: bool | None = None,
) -> TrackedLink:
    """Create or update an activity's tracked link. vanity "" removes the easy-to-say address;
    to_sign_up sends visitors to the alerts sign-up page instead of the service's page."""
    link = TrackedLink.objects.filter(activity=activity).first()
    previous_vanity = link.vanity if link else None
    if link is None:
        service = service or activity.campaign.services.order_by("name").first()
        if service is None:
            raise ValidationError({"service": _("The campaign has no services to link to.")})
        link = TrackedLink(organisation=organisation, activity=activity, code=_new_code())
    if service is not None:
        if service.organisation_id != organisation.pk:
            raise ValidationError({"service": _("Choose one of your organisation's services.")})
        link.service = service
        link.destination = service.online_url
    if to_sign_up:
        link.destination = sign_up_page(organisation)
    elif to_sign_up is False and own_page(link.destination):
        link.destination = link.service.online_url
    if vanity is not None:
        link.vanity = slugify(vanity)[:40] or None
        if vanity.strip() and link.vanity is None:
            raise ValidationError({"vanity": _("Use letters and numbers, for example bins.")})
        if link.vanity and (
            TrackedLink.objects.filter(vanity=link.vanity).exclude(pk=link.pk).exists()
            or TrackedLink.objects.filter(code=link.vanity).exists()
        ):
            raise ValidationError({"vanity": _("This address is taken. Choose another.")})
    if expires_on is not None:
        link.expires_on = expires_on
    _check_destination(organisation, link.destination)
    link.full_clean(exclude=["organisation", "activity", "service"], validate_unique=False)
    link.save()
    from .counter import forget_link  # counter builds on this module

    forget_link(link.code, link.vanity, previous_vanity)
    return link


def link_target(destination: str, code: str, campaign_name: str, medium: str, via: str) -> str:
    """The destination with UTM parameters, so web analytics see the campaign too."""
    parts = urlsplit(destination)
    utm = urlencode(
        {
            "utm_source": "takeup",
            "utm_medium": medium,
            "utm_campaign": slugify(campaign_name),
            "utm_content": f"{code}-{via}",
        }
    )
    query = f"{parts.query}&{utm}" if parts.query else utm
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def salt_for(day: date) -> str:
    """The day's salt for visitor hashes, made on the day's first visit; older ones are deleted."""
    salt = VisitorSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is not None:
        return salt
    try:
        with transaction.atomic():
            VisitorSalt.objects.create(day=day, salt=secrets.token_hex(32))
    except IntegrityError:
        pass  # another process made today's salt first
    VisitorSalt.objects.filter(day__lt=day).delete()
    return VisitorSalt.objects.values_list("salt", flat=True).get(day=day)


ARRIVAL_ADD = (
    "INSERT INTO campaigns_arrival "
    "(organisation_id, link_id, day, device, referrer_host, via, is_bot, send, count) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (organisation_id, link_id, day, device, referrer_host, via, is_bot, send) "
    "DO UPDATE SET count = campaigns_arrival.count + excluded.count"
)
VISITOR_INSERT = (
    "INSERT INTO campaigns_arrivalvisitor (link_id, day, visitor) VALUES (%s, %s, %s) "
    "ON CONFLICT (link_id, day, visitor) DO NOTHING"
)


def visitor_hash(salt: str, client: str) -> str:
    # The same formula as VISIT_SQL's, so the day's first visitor (hashed here) and the rest
    # (hashed by PostgreSQL) are counted alike. It is kept per link, so it need not name one.
    return hashlib.sha256(f"{salt}|{client}".encode()).hexdigest()[:32]


# PostgreSQL: find the link, count the arrival and the visitor, in one statement and one round
# trip. Expired links are not counted. (SQLite takes the same steps one query at a time.)
# The statement's own transaction commits without waiting for the disk (`async`, joined below so
# that it runs): waiting took half of each visit. A crash of the database server itself can lose
# the last fraction of a second's counts, as a crash of Redis can lose a minute's (decision 10).
VISIT_SQL = """
WITH async AS (
  SELECT set_config('synchronous_commit', 'off', true)
), l AS (
  SELECT l.id, l.code, l.destination, l.expires_on, l.organisation_id, o.allowed_domains,
         a.medium, c.name, (SELECT s.salt FROM campaigns_visitorsalt s WHERE s.day = %(day)s) salt
  FROM campaigns_trackedlink l
  JOIN organisations_organisation o ON o.id = l.organisation_id
  JOIN campaigns_activity a ON a.id = l.activity_id
  JOIN campaigns_campaign c ON c.id = a.campaign_id
  WHERE l.code = %(code)s OR l.vanity = %(code)s
  LIMIT 1
), live AS (
  SELECT * FROM l WHERE l.expires_on IS NULL OR l.expires_on >= %(day)s
), counted AS (
  INSERT INTO campaigns_arrival
    (organisation_id, link_id, day, device, referrer_host, via, is_bot, send, count)
  SELECT organisation_id, id, %(day)s, %(device)s, %(referrer)s, %(via)s, %(bot)s, %(send)s, 1
  FROM live
  ON CONFLICT (organisation_id, link_id, day, device, referrer_host, via, is_bot, send)
  DO UPDATE SET count = campaigns_arrival.count + 1
), visitor AS (
  INSERT INTO campaigns_arrivalvisitor (link_id, day, visitor)
  SELECT id, %(day)s,
         left(encode(sha256(convert_to(salt || '|' || %(client)s, 'UTF8')), 'hex'), 32)
  FROM live WHERE salt IS NOT NULL AND NOT %(bot)s
  ON CONFLICT (link_id, day, visitor) DO NOTHING
)
SELECT id, code, destination, expires_on, organisation_id, allowed_domains, medium, name, salt
FROM l, async
"""


def arrival_visit(
    *,
    code: str,
    day: date,
    device: str,
    referrer_host: str,
    via: str,
    is_bot: bool,
    client: str,
    send: str = "",
) -> RedirectLink | None:
    """Find the link for /go/<code> and count one arrival through it, unless it has expired.

    client (address and user agent) is hashed with the day's salt and then forgotten; only the
    hash is kept, for the unique count, and only for people, not bots (decision 0007)."""
    if connection.vendor == "postgresql":
        # A server-side prepared statement: planning this query cost more than running it.
        with prepared_cursor() as cursor:
            cursor.execute(
                VISIT_SQL,
                {
                    "code": code,
                    "day": day,
                    "device": device,
                    "referrer": referrer_host,
                    "via": via,
                    "bot": is_bot,
                    "send": send,
                    "client": client,
                },
                prepare=settings.TAKEUP_SERVER_PREPARE,
            )
            row = cursor.fetchone()
        link = RedirectLink.of(row) if row else None
        counted = link is not None and link.salt is not None
    else:
        link = link_for_redirect(code, day)
        counted = False
    if counted or link is None or (link.expires_on is not None and link.expires_on < day):
        return link
    arrival: tuple[Any, ...] = (
        link.organisation_id,
        link.pk,
        day,
        device,
        referrer_host,
        via,
        is_bot,
        send,
        1,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(ARRIVAL_ADD, arrival)
        if not is_bot:  # on PostgreSQL, only the day's first visit comes here
            visitor = visitor_hash(link.salt or salt_for(day), client)
            cursor.execute(VISITOR_INSERT, [link.pk, day, visitor])
    return link


@transaction.atomic
def annotation_save(
    *,
    organisation: Organisation,
    services: list[Service],
    starts_on: date,
    ends_on: date | None,
    text: str,
    actor: User | None = None,
) -> Annotation:
    def check(note: Annotation) -> None:
        if any(s.organisation_id != organisation.pk for s in services):
            raise ValidationError({"services": _("Choose your organisation's services.")})
        if note.ends_on is not None and note.ends_on < note.starts_on:
            raise ValidationError({"ends_on": _("The end date must be on or after the date.")})

    return model_save(
        Annotation(organisation=organisation, created_by=actor),
        organisation=organisation,
        fields=["starts_on", "ends_on", "text"],
        values={"starts_on": starts_on, "ends_on": ends_on, "text": text},
        action="annotation",
        actor=actor,
        check=check,
        after=lambda note: note.services.set(services),
        exclude=["organisation", "created_by"],
        validate_constraints=False,
    )


@transaction.atomic
def annotation_delete(*, annotation: Annotation, actor: User | None = None) -> None:
    audit_record(
        organisation=annotation.organisation,
        obj=annotation,
        actor=actor,
        action="annotation.delete",
    )
    annotation.delete()


@contextmanager
def _at_line(line: int) -> Iterator[None]:
    """Name the file's line in any validation error raised inside."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(
            [_("Line %(line)s: %(error)s") % {"line": line, "error": m} for m in exc.messages]
        ) from exc


@transaction.atomic
def campaigns_import(
    *, organisation: Organisation, parsed: ParsedCampaigns, actor: User | None = None
) -> tuple[int, int]:
    """Add or update the file's campaigns and activities, all or nothing. A campaign is matched
    by name and an activity by medium, place and dates, so loading a file twice doubles nothing.
    Returns (campaigns, activities) written."""
    services = {s.slug: s for s in Service.objects.filter(organisation=organisation)}
    existing = {c.name.casefold(): c for c in Campaign.objects.filter(organisation=organisation)}
    errors = []
    for row in parsed.campaigns:
        unknown = [s for s in row.services if s not in services]
        if unknown:
            errors.append(
                _("Line %(line)s: no service with the short name %(names)s.")
                % {"line": row.line, "names": ", ".join(unknown)}
            )
        names = {r.name.casefold() for r in parsed.campaigns}
        if row.follows and row.follows.casefold() not in set(existing) | names:
            errors.append(
                _("Line %(line)s: no campaign called “%(name)s” to follow on from.")
                % {"line": row.line, "name": row.follows}
            )
    if errors:
        raise ValidationError(errors)
    written = {}
    activities = 0
    for row in parsed.campaigns:
        campaign = existing.get(row.name.casefold())
        with _at_line(row.line):
            campaign = campaign_save(
                organisation=organisation,
                campaign=campaign,
                services=[services[s] for s in row.services],
                actor=actor,
                name=row.name,
                objective=row.objective,
                audience=row.audience,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                budget_pence=row.budget_pence,
                phase=row.phase,
            )
        written[row.name.casefold()] = campaign
        for a in row.activities:
            found = Activity.objects.filter(
                campaign=campaign,
                medium=a.medium,
                place=a.place,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
            ).first()
            with _at_line(a.line):
                activity_save(
                    organisation=organisation,
                    campaign=campaign,
                    activity=found,
                    actor=actor,
                    medium=a.medium,
                    place=a.place,
                    ward=a.ward,
                    starts_on=a.starts_on,
                    ends_on=a.ends_on,
                    cost_pence=a.cost_pence,
                )
            activities += 1
    for row in parsed.campaigns:
        if row.follows:
            campaign = written[row.name.casefold()]
            campaign.parent = (
                written.get(row.follows.casefold()) or existing[row.follows.casefold()]
            )
            if campaign.parent.pk == campaign.pk:
                raise ValidationError(
                    _("Line %(line)s: a campaign cannot follow on from itself.")
                    % {"line": row.line}
                )
            campaign.save(update_fields=["parent"])
    return len(written), activities


# --- the evaluation report: what we learnt, and links to share it --------------------------

SHARE_SALT = "takeup.campaigns.report-share"


def learnt_save(campaign: Campaign, text: str, actor: User) -> None:
    before = campaign.learnt
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(learnt=text)
        campaign.learnt = text
        audit_record(
            organisation=campaign.organisation,
            action="campaign.learnt",
            obj=campaign,
            actor=actor,
            changes={"learnt": [before, text]},
        )


def share_token(share: ReportShare) -> str:
    """The share's id, signed with the site's secret: the address cannot be guessed or altered."""
    return signing.dumps(share.pk, salt=SHARE_SALT, compress=True)


def share_from_token(token: str) -> ReportShare | None:
    """The live share the token names; None for a forged, altered or revoked one."""
    try:
        pk = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return (
        ReportShare.objects.select_related("campaign__organisation")
        .filter(pk=pk, revoked_at=None)
        .first()
    )


def share_create(campaign: Campaign, actor: User) -> ReportShare:
    with transaction.atomic():
        share = ReportShare.objects.create(campaign=campaign, created_by=actor)
        audit_record(
            organisation=campaign.organisation, action="report.share", obj=share, actor=actor
        )
    return share


def share_revoke(share: ReportShare, actor: User) -> None:
    with transaction.atomic():
        ReportShare.objects.filter(pk=share.pk, revoked_at=None).update(revoked_at=timezone.now())
        audit_record(
            organisation=share.campaign.organisation,
            action="report.revoke",
            obj=share,
            actor=actor,
        )

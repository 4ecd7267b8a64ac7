"""Sending the monthly briefing. Each month's run and each person's email are rows claimed before
anything is sent, so that a worker that stops and starts again never sends a briefing twice."""

from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record

from .models import BriefingDelivery, BriefingOptIn, BriefingRun
from .pdf import briefing_pdf
from .reports import briefing


def languages_for(org: Organisation) -> list[str]:
    """Welsh organisations get the briefing in Welsh and English; the rest in English."""
    return ["cy", "en"] if org.nation == Organisation.Nation.WALES else ["en"]


def briefing_file(org: Organisation, month: date, language: str) -> tuple[str, bytes]:
    """The PDF's file name and bytes, built in `language`."""
    with translation.override(language):
        pdf = briefing_pdf(briefing(org, month))
    suffix = "" if language == "en" else f"-{language}"
    return f"{org.slug}-briefing-{month:%Y-%m}{suffix}.pdf", pdf


def opt_in_set(org: Organisation, user: User, wanted: bool) -> None:
    """Start or stop a person's monthly email. Repeating either is harmless."""
    with transaction.atomic():
        if wanted:
            BriefingOptIn.objects.get_or_create(organisation=org, user=user)
        else:
            BriefingOptIn.objects.filter(organisation=org, user=user).delete()
        audit_record(
            organisation=org,
            action="briefing.opt_in" if wanted else "briefing.opt_out",
            obj=user,
            actor=user,
        )


def run_claim(org: Organisation, month: date, now: datetime) -> BriefingRun | None:
    """The month's run, created now; None if it exists already (queued or sent before)."""
    try:
        with transaction.atomic():
            return BriefingRun.objects.create(
                organisation=org, month=month.replace(day=1), created_at=now, queued_at=now
            )
    except IntegrityError:
        return None


def _claim(run: BriefingRun, user: User) -> bool:
    """Whether this worker may email `user`: the first to claim the delivery wins, and a claim
    left SENDING by a worker that stopped is never retried (the mail may have gone)."""
    try:
        with transaction.atomic():
            BriefingDelivery.objects.create(
                run=run, user=user, status=BriefingDelivery.Status.SENDING
            )
    except IntegrityError:
        return False
    return True


def briefing_send(run: BriefingRun) -> dict[str, int]:
    """Email the run's briefing to everyone who opted in and has not had it. Safe to repeat."""
    org = run.organisation
    recipients = [
        o.user
        for o in BriefingOptIn.objects.filter(
            organisation=org, user__is_active=True, user__memberships__organisation=org
        ).select_related("user")
    ]
    files = (
        [briefing_file(org, run.month, language) for language in languages_for(org)]
        if recipients
        else []
    )
    sent = skipped = failed = 0
    for user in recipients:
        if not _claim(run, user):
            skipped += 1
            continue
        with translation.override(languages_for(org)[0]):
            subject = _("%(org)s: digital take-up briefing for %(month)s") % {
                "org": org.name,
                "month": date_format(run.month, "F Y"),
            }
            body = _(
                "The monthly briefing for the top management team is attached as a PDF. "
                "You get it because you asked to on Takeup's briefing page; you can stop "
                "it there."
            )
        message = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            # The same id however often it is built, so a mail system can spot a repeat.
            headers={"Message-ID": f"<briefing-{org.slug}-{run.month:%Y-%m}-{user.pk}@takeup>"},
        )
        for name, pdf in files:
            message.attach(name, pdf, "application/pdf")
        try:
            message.send()
        except OSError as error:
            BriefingDelivery.objects.filter(run=run, user=user).update(
                status=BriefingDelivery.Status.FAILED, error=str(error)[:300]
            )
            failed += 1
            continue
        BriefingDelivery.objects.filter(run=run, user=user).update(
            status=BriefingDelivery.Status.SENT, sent_at=timezone.now()
        )
        sent += 1
    BriefingRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return {"sent": sent, "skipped": skipped, "failed": failed}

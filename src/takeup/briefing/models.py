from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.organisations.models import Organisation, User


class BriefingOptIn(models.Model):
    """A member of staff who asked for the monthly briefing by email."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_opt_in_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.organisation}"


class BriefingRun(models.Model):
    """One month's briefing for one organisation. There is one at most, whatever the worker
    does: the schedule creates it before queueing the send, so a restart finds it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the briefing covers")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="one_briefing_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m}"


class BriefingDelivery(models.Model):
    """The briefing's email to one person. Claimed as SENDING before the mail goes, so that a
    send cut short is never repeated: it is left for a person to check (at most once)."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(BriefingRun, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="one_delivery_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.run} to {self.user}: {self.status}"

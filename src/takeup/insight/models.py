"""Exit surveys: their questions, the rules that map a page to a service, and the answers."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service, ServiceArea
from takeup.organisations.models import Organisation

from .questions import MULTIPLE, SCALE, SINGLE, TEXT, Choice, QuestionSpec


def _key() -> str:
    return secrets.token_urlsafe(9)


class Survey(models.Model):
    """An exit survey a council embeds on its website, or links to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(max_length=20, unique=True, default=_key, editable=False)
    active = models.BooleanField(_("taking answers"), default=True)
    sampling_percent = models.PositiveSmallIntegerField(
        _("share of visitors invited (%)"),
        default=20,
        help_text=_("Socitm invited every fifth visitor: 20."),
    )
    allowed_origins = models.JSONField(
        _("websites that may show it"),
        default=list,
        blank=True,
        help_text=_("One address a line, such as https://www.millbrook.gov.uk"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sampling_percent__lte=100), name="survey_sampling_lte_100"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a survey, in English and Welsh.

    A question is never changed where answers may point at it: a change makes a new version
    with the same key, and the old one is kept, retired, so that each answer can be read against
    the wording it was given (Response.versions)."""

    class Kind(models.TextChoices):
        SINGLE = SINGLE, _("One choice")
        MULTIPLE = MULTIPLE, _("Several choices")
        SCALE = SCALE, _("Scale of 1 to 5")
        TEXT = TEXT, _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text_en = models.CharField(_("question in English"), max_length=300)
    text_cy = models.CharField(_("question in Welsh"), max_length=300)
    hint_en = models.CharField(max_length=300, blank=True)
    hint_cy = models.CharField(max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)  # [[value, English, Welsh], …]
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(_("required"), default=False)
    version = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True, help_text="False: an earlier version, kept")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "key", "version"], name="question_version_unique"
            ),
            models.UniqueConstraint(
                fields=["survey", "key"],
                condition=models.Q(active=True),
                name="one_active_question_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.text_en

    def spec(self) -> QuestionSpec:
        return QuestionSpec(
            self.key,
            self.kind,
            self.text_en,
            self.text_cy,
            self.required,
            tuple(Choice(*c) for c in self.choices),
            self.hint_en,
            self.hint_cy,
        )


class PathRule(models.Model):
    """Pages whose address starts with `prefix` belong to a service (or a service area)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    prefix = models.CharField(_("address starts with"), max_length=200)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, null=True, blank=True)

    class Meta:
        ordering = ["-prefix"]  # the longest matching prefix wins

    def __str__(self) -> str:
        return self.prefix


class Response(models.Model):
    """One visitor's answers. No IP address, no cookie, nothing of the user agent beyond a
    device class."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    path = models.CharField(max_length=300, blank=True)
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True)
    area = models.ForeignKey(ServiceArea, on_delete=models.SET_NULL, null=True, blank=True)
    language = models.CharField(max_length=2, default="en")
    device = models.CharField(max_length=10, blank=True)
    arrived_by = models.CharField(
        max_length=10,
        blank=True,
        choices=[("widget", "Snippet on the website"), ("qr", "QR code"), ("link", "Link")],
        help_text="How the visitor reached the survey",
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    answers = models.JSONField(default=dict)
    versions = models.JSONField(
        default=dict, blank=True, help_text="{question key: the version the visitor was shown}"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.received_at:%Y-%m-%d %H:%M}"


class IntakeWindow(models.Model):
    """Responses taken from one origin in one minute, for the rate limit."""

    origin = models.CharField(max_length=200)
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "minute"], name="intake_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.origin} {self.minute}"

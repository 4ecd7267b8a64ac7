"""Digital principles: the Havering checklist per service, its actions and score history, each
service's stages towards digital by default, the register of recorded phone messages, and the
findability of services through the site's own search."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation


class Result(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    UNKNOWN = "unknown", _("Unknown")


class ServiceState(models.TextChoices):
    """Which half of Havering's principles a service answers to."""

    ONLINE = "online", _("Online")
    NOT_ONLINE = "not_online", _("Not online yet")
    NEW = "new", _("New")


class ChecklistItem(models.Model):
    """One Havering principle for one service: its result and the evidence that decided it."""

    class Source(models.TextChoices):
        PAGE = "page", _("Read from the service's page")
        STAFF = "staff", _("Set by staff")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="principles")
    item = models.CharField(max_length=40)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.UNKNOWN)
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service__name", "item"]
        constraints = [
            models.UniqueConstraint(fields=["service", "item"], name="one_answer_per_principle")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.item} {self.result}"


class Action(models.Model):
    """What someone will do about a principle a service fails, and by when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=40)
    text = models.CharField(_("what to do"), max_length=300)
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text


class ScoreSnapshot(models.Model):
    """A service's principles score on a day: the history behind the score's chart."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    passed = models.PositiveSmallIntegerField()
    answered = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="one_score_a_day")]

    def __str__(self) -> str:
        return f"{self.service} {self.day}: {self.passed}/{self.answered}"


class Stage(models.Model):
    """A service's road to digital by default (Peterborough's Appendix A): each stage's planned
    and actual dates."""

    class Name(models.TextChoices):
        SCOPING = "scoping", _("Scoping")
        DEVELOPING = "developing", _("Developing")
        DEPLOYING = "deploying", _("Deploying")
        LIVE = "live", _("Live")
        ONLINE_ONLY = "online_only", _("Online only")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=12, choices=Name.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    actual_on = models.DateField(_("actual"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "stage"], name="one_of_each_stage")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.stage}"


class PhoneMessage(models.Model):
    """A recorded message callers hear, as typed in or transcribed."""

    class Kind(models.TextChoices):
        OUT_OF_HOURS = "out_of_hours", _("Out of hours")
        BUSY = "busy", _("Busy queue")
        SWITCHBOARD = "switchboard", _("Switchboard")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    number = models.CharField(_("phone number"), max_length=30)
    text = models.TextField(_("what it says"), max_length=3000)
    reason = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("most common reason for calling"),
    )
    last_checked_on = models.DateField(_("last checked"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["number", "kind"]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"


class SiteSearch(models.Model):
    """How to query the council's own site search: a URL with {terms} where the words go."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="site_search"
    )
    url_template = models.URLField(_("search address"), max_length=500)

    def __str__(self) -> str:
        return self.url_template


class SearchTerm(models.Model):
    """Residents' own words for something, and the page they should find."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    terms = models.CharField(_("words residents use"), max_length=120)
    expected_url = models.URLField(_("page it should find"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["terms"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "terms"], name="search_terms_unique")
        ]

    def __str__(self) -> str:
        return self.terms


class SearchResult(models.Model):
    """One search on the site: where the expected page came, if anywhere."""

    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="results")
    checked_at = models.DateTimeField(default=timezone.now)
    rank = models.PositiveSmallIntegerField(null=True, help_text="1 is the first result")
    found = models.JSONField(default=list, help_text="The result addresses, in order")
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.term}: {self.rank}"

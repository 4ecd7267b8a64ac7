"""A website engagement check's runs, the pages each read and each check's result.

- `Run`: one crawl of an organisation's website, queued, running, done or failed, with its
  progress (pages read of the budget) and Better connected's D16 and D17 scores (0–3).
- `Page`: a page the run read (or tried to), its status and title; `kind` names a key page
  ("home", "contact", "emergencies", "jobs", "planning", "a_to_z", "councillor" or
  "service:<slug>", with `service` set) and is blank for the rest.
- `Check`: one check's result with its evidence. `check_id` is one of `checks.IDS`, the identifiers
  the CLI's JSON and the API keep; `detail` holds what the evidence lists (links, rules, pages).

Later parts of issue 14 (findability, phone messages, principles) add their own models beside
these and may read `Page` and `Check` of a run.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webcheck_runs"
    )
    url = models.URLField(_("website"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    max_pages = models.PositiveIntegerField(default=500)
    pages_read = models.PositiveIntegerField(default=0)
    budget_reached = models.BooleanField(default=False)
    d16 = models.PositiveSmallIntegerField(null=True, blank=True)
    d17 = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.url} {self.created_at:%Y-%m-%d}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.pages_read / self.max_pages)) if self.max_pages else 0

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Page(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="pages")
    url = models.URLField(max_length=2000)
    status = models.PositiveSmallIntegerField()  # 0: the request failed
    title = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=100, blank=True)  # a key page's kind, blank for others
    depth = models.PositiveSmallIntegerField(null=True, blank=True)  # clicks from home
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class Check(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        UNKNOWN = "unknown", _("Unknown")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="checks")
    check_id = models.CharField(max_length=60)  # one of checks.IDS
    result = models.CharField(max_length=10, choices=Result.choices)
    url = models.URLField(max_length=2000, blank=True)
    evidence = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "check_id"], name="webcheck_one_result_per_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_id}: {self.result}"

"""Organisations, their staff, API keys and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role

ROLE_CHOICES = [
    (Role.ADMIN.value, _("Admin")),
    (Role.ANALYST.value, _("Analyst")),
    (Role.EDITOR.value, _("Editor")),
    (Role.VIEWER.value, _("Viewer")),
]

domain_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("Enter a domain such as millbrook.gov.uk, without https:// or a path."),
)


class Organisation(models.Model):
    """A council or government department. Everything else belongs to exactly one."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("County council")
        SHIRE_DISTRICT = "shire_district", _("Shire district")
        UNITARY = "unitary", _("Unitary authority")
        METROPOLITAN_DISTRICT = "metropolitan_district", _("Metropolitan district")
        LONDON_BOROUGH = "london_borough", _("London borough")
        WELSH_UNITARY = "welsh_unitary", _("Welsh unitary authority")
        SCOTTISH_UNITARY = "scottish_unitary", _("Scottish unitary authority")
        NI_DISTRICT = "ni_district", _("Northern Ireland district")
        CENTRAL_GOVERNMENT = "central_government", _("Central government department")
        OTHER = "other", _("Other")

    class Nation(models.TextChoices):
        ENGLAND = "england", _("England")
        WALES = "wales", _("Wales")
        SCOTLAND = "scotland", _("Scotland")
        NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")
        UK = "uk", _("United Kingdom")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    nation = models.CharField(_("nation"), max_length=20, choices=Nation.choices)
    allowed_domains = models.JSONField(
        _("allowed web domains"),
        default=list,
        blank=True,
        help_text=_("Links and redirects may only go to these domains and their subdomains."),
    )
    # The council's own website, which the website engagement check (webcheck) crawls.
    website = models.URLField(_("website"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Opt-in: other organisations on this installation may compare with its figures.
    shares_figures = models.BooleanField(_("share figures for comparison"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff, who signs in with an email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A user's role in one organisation. A user may belong to several."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=ROLE_CHOICES)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.organisation}"


class ApiKey(models.Model):
    """A key for scripted access to one organisation's API. Only its hash is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=10, default=Role.ANALYST.value)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """Who changed what, and when. Written by services, read by admins; never edited."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_lines(self) -> list[str]:
        """The changes as short lines: "role: viewer → editor", or "file: catalogue.csv"."""
        lines = []
        for field, change in self.changes.items():
            if isinstance(change, list) and len(change) == 2:
                old, new = ("–" if v is None or v == "" else v for v in change)
                lines.append(f"{field}: {new}" if change[0] is None else f"{field}: {old} → {new}")
            else:
                lines.append(f"{field}: {change}")
        return lines


class WorkerBeat(models.Model):
    """A background worker's last sign of life. Workers on any machine share the task queue; a
    task still marked running by a worker that has gone quiet is queued again (services)."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen_at:%H:%M:%S}"

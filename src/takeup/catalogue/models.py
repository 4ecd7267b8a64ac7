"""Service areas, services, channels and their unit costs."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from takeup.organisations.models import Organisation

from .lgsl import lgsl_label, lgsl_services


def validate_lgsl(code: int) -> None:
    if code not in lgsl_services():
        raise ValidationError(
            _("Enter a real LGSL code, such as 524, or choose a service from the list."),
            code="lgsl",
        )


class ServiceArea(models.Model):
    """A group of services run by one part of the council: Waste, Parking, Adult social care."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="service_areas"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                name="area_slug_unique",
                violation_error_message=_("A service area with a name like this already exists."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="area_name_unique",
                violation_error_message=_("A service area with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """Something a resident does, such as Report a missed bin, in one service area."""

    class Kind(models.TextChoices):
        PAY = "pay", _("Pay it")
        APPLY = "apply", _("Apply for it")
        REPORT = "report", _("Report it")
        BOOK = "book", _("Book it")
        ASK = "ask", _("Ask it")
        FIND = "find", _("Find it")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    area = models.ForeignKey(
        ServiceArea,
        on_delete=models.RESTRICT,  # an area with services goes only with its organisation
        related_name="services",
        verbose_name=_("service area"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    online_url = models.URLField(_("online address"), max_length=500, blank=True)
    online_since = models.DateField(_("date it went online"), null=True, blank=True)
    online_only_since = models.DateField(
        _("date it went online-only"),
        null=True,
        blank=True,
        help_text=_(
            "When the other ways to do it closed, if they have: its forecast reads the jump in "
            "take-up as a step, not a trend."
        ),
    )
    target_percent = models.DecimalField(
        _("take-up target (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    public = models.BooleanField(_("show on public performance pages"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # The same service at every council (catalogue/lgsl.py): what comparisons match on.
    lgsl = models.PositiveIntegerField(
        _("LGSL code"), null=True, blank=True, validators=[validate_lgsl]
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                name="service_slug_unique",
                violation_error_message=_(
                    "A service with this name already exists. Choose another name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_percent__isnull=True)
                | Q(target_percent__gte=0, target_percent__lte=100),
                name="service_target_percent_range",
                violation_error_message=_("The take-up target must be between 0% and 100%."),
            ),
            models.CheckConstraint(
                condition=Q(target_percent__isnull=True, target_date__isnull=True)
                | Q(target_percent__isnull=False, target_date__isnull=False),
                name="service_target_has_date",
                violation_error_message=_(
                    "Give a take-up target and the date to reach it, or neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lgsl_label(self) -> str:
        return lgsl_label(self.lgsl)


class Channel(models.Model):
    """A way residents reach a service: web, phone, face-to-face… Digital or not, self-service or
    mediated. Assisted digital (online with help) is digital but kept out of digital take-up."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="channels"
    )
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("short name"), max_length=40)
    is_digital = models.BooleanField(_("digital"), default=False)
    is_self_service = models.BooleanField(_("self-service"), default=False)
    is_assisted_digital = models.BooleanField(_("assisted digital"), default=False)
    no_cost = models.BooleanField(
        _("no cost to us"),
        default=False,
        help_text=_(
            "Residents use it at no cost to the council (an automated line paid for "
            "elsewhere, say). Different from a channel whose cost is not known."
        ),
    )
    saving_cashable = models.BooleanField(
        _("savings are cashable"),
        default=False,
        help_text=_(
            "Contacts avoided here save money the council can take (posts removed, a contract "
            "cut). Otherwise they free capacity."
        ),
    )
    cashable_note = models.CharField(
        _("why savings are cashable"),
        max_length=300,
        blank=True,
        help_text=_(
            "Needed when savings are cashable, such as “phone posts removed in the 2026 "
            "restructure”."
        ),
    )
    standard = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                name="channel_slug_unique",
                violation_error_message=_("A channel with a name like this already exists."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="channel_name_unique",
                violation_error_message=_("A channel with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(is_assisted_digital=False) | Q(is_digital=True),
                name="assisted_digital_is_digital",
                violation_error_message=_("An assisted digital channel must also be digital."),
            ),
            models.CheckConstraint(
                condition=Q(saving_cashable=False) | ~Q(cashable_note=""),
                name="cashable_saving_says_why",
                violation_error_message=_(
                    "Say why savings in this channel are cashable, such as the posts removed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_towards_take_up(self) -> bool:
        """Digital take-up counts what residents complete online themselves (GDS): digital and
        self-service. Webchat and email are digital but mediated; assisted digital has help."""
        return self.is_digital and self.is_self_service and not self.is_assisted_digital


class UnitCost(models.Model):
    """What one transaction or contact costs in a channel, from a date, with where it came from."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="unit_costs"
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="unit_costs", verbose_name=_("channel")
    )
    pence_per_transaction = models.PositiveIntegerField(
        _("cost per transaction (pence)"), null=True, blank=True
    )
    pence_per_contact = models.PositiveIntegerField(
        _("cost per contact (pence)"), null=True, blank=True
    )
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["channel__position", "channel__name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "effective_from"],
                name="unit_cost_one_per_channel_date",
                violation_error_message=_(
                    "This channel already has a unit cost from that date. Change that one instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(pence_per_transaction__isnull=False)
                | Q(pence_per_contact__isnull=False),
                name="unit_cost_has_a_cost",
                violation_error_message=_(
                    "Give a cost per transaction, a cost per contact, or both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("%(channel)s from %(date)s") % {
            "channel": self.channel,
            "date": date_format(self.effective_from, "d M Y"),
        }

"""Outreach and assisted digital: the places where people get help, the sessions held there and
what they did for each person (bands and counts, never a name), the champions who help, their
pledges and training, the neighbourhoods with their indicators and priority, a boundary file for
the map, and take-up by neighbourhood where a council has it."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation


class Neighbourhood(models.Model):
    """A small area: an LSOA from the indices of deprivation, or one the council names itself.
    `name` is what staff see; `official_name` keeps the published one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    official_name = models.CharField(max_length=120, blank=True)
    district_code = models.CharField(max_length=12, blank=True)
    district_name = models.CharField(max_length=120, blank=True)
    imd_rank = models.PositiveIntegerField(null=True, blank=True)  # 1 = most deprived in England
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    aged_60_plus = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="one_neighbourhood_per_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def older_share(self) -> float | None:
        if not self.population or self.aged_60_plus is None:
            return None
        return self.aged_60_plus / self.population


class Indicator(models.Model):
    """A council's own measure per neighbourhood (broadband coverage, share of contacts by phone,
    Blue Badge holders), with its weight in the priority score."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=120)
    higher_means_more_need = models.BooleanField(_("a higher value means more need"), default=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="one_indicator_per_slug")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "neighbourhood"], name="one_value_per_indicator_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.neighbourhood_id}: {self.value}"


class PriorityWeights(models.Model):
    """The weights of the two published indicators in an organisation's priority score; its own
    indicators carry their weights on Indicator."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    deprivation = models.DecimalField(
        _("weight of deprivation"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    older = models.DecimalField(
        _("weight of the share aged 60 and over"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.deprivation} {self.older}"


class Boundary(models.Model):
    """The council's own GeoJSON of its neighbourhoods or wards, drawn as the priority map.
    `key` is the feature property that holds a neighbourhood's code."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(_("property with the neighbourhood code"), max_length=60)
    geojson = models.JSONField()
    features = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """Where help is given: a digital zone, a library, a partner's premises, a pop-up or home
    visits."""

    class Kind(models.TextChoices):
        DIGITAL_ZONE = "digital_zone", _("Digital zone")
        LIBRARY = "library", _("Library")
        PARTNER = "partner", _("Partner's premises")
        POP_UP = "pop_up", _("Pop-up")
        HOME_VISIT = "home_visit", _("Home visits")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind of place"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("neighbourhood"),
    )
    partner = models.CharField(_("partner"), max_length=120, blank=True)
    opening_times = models.CharField(_("when help is there"), max_length=300, blank=True)
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_place_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class Champion(models.Model):
    """A member of staff or a volunteer who helps people online. Their name is seen only by
    the organisation's staff; `on_honour_roll` is their choice to appear in the newsletter."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        VOLUNTEER = "volunteer", _("Volunteer")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("staff or volunteer"), max_length=10, choices=Kind.choices)
    team = models.CharField(_("team"), max_length=120, blank=True)
    on_honour_roll = models.BooleanField(_("appears on the honour roll"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_champion_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class Pledge(models.Model):
    """Hours a champion promises to give, from a date."""

    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="pledges")
    hours = models.DecimalField(
        _("hours pledged"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("2000"))],
    )
    made_on = models.DateField(_("pledged on"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-made_on", "pk"]

    def __str__(self) -> str:
        return f"{self.champion}: {self.hours} h"


class Training(models.Model):
    """A training or awareness session for staff and champions: how the online services work,
    so that they can help others use them."""

    class Kind(models.TextChoices):
        CHAMPION = "champion", _("Champion training")
        AWARENESS = "awareness", _("Staff awareness")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of training"), max_length=10, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    duration_minutes = models.PositiveIntegerField(
        _("length in minutes"), validators=[MinValueValidator(5), MaxValueValidator(60 * 12)]
    )
    team = models.CharField(_("team"), max_length=120, blank=True)
    attendees = models.PositiveIntegerField(
        _("people who attended"), validators=[MaxValueValidator(10_000)]
    )
    champions = models.ManyToManyField(
        Champion, blank=True, related_name="trainings", verbose_name=_("champions who attended")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title


class AgeBand(models.TextChoices):
    """The exit survey's age bands, so that sessions and survey answers can be set side by side."""

    UNDER_25 = "under-25", _("Under 25")
    FROM_25 = "25-44", _("25 to 44")
    FROM_45 = "45-59", _("45 to 59")
    FROM_60 = "60-74", _("60 to 74")
    FROM_75 = "75-plus", _("75 or over")
    NOT_SAID = "not-say", _("Not said")


class Motivation(models.TextChoices):
    """What brought them, in Croydon's words."""

    SAVING_MONEY = "saving-money", _("Saving money")
    KEEPING_IN_TOUCH = "keeping-in-touch", _("Keeping in touch")
    INTERESTS = "interests", _("Interests")
    COUNCIL_SERVICES = "council-services", _("Using council services")
    OTHER = "other", _("Other")


class Session(models.Model):
    """Help given at a place on a day: one to one or to a group."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One to one")
        GROUP = "group", _("Group")

    class Source(models.TextChoices):
        FORM = "form", _("Recorded on the page")
        CSV = "csv", _("Imported from CSV")
        API = "api", _("Sent through the API")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("place")
    )
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(
        _("length in minutes"), validators=[MinValueValidator(5), MaxValueValidator(60 * 12)]
    )
    kind = models.CharField(_("one to one or group"), max_length=10, choices=Kind.choices)
    people = models.PositiveIntegerField(
        _("number of people"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    champions = models.ManyToManyField(
        Champion, blank=True, related_name="sessions", verbose_name=_("champions")
    )
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.FORM)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "held_on"])]

    def __str__(self) -> str:
        return f"{self.place} {self.held_on:%Y-%m-%d}"


class Helped(models.Model):
    """One person helped in a session: bands and answers only, never a name or a contact."""

    class Completed(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NOT_ASKED = "not-asked", _("Not asked")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="helped")
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.NOT_SAID
    )
    motivation = models.CharField(_("what brought them"), max_length=20, choices=Motivation.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("council service helped with"),
    )
    # Croydon's question, on a five-point scale: "Today has helped me feel more confident …"
    confidence = models.PositiveSmallIntegerField(
        _("more confident"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    completed = models.CharField(
        _("completed the task they came for"),
        max_length=10,
        choices=Completed.choices,
        default=Completed.NOT_ASKED,
    )
    referred_to = models.CharField(_("referred on to"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.age_band} {self.motivation}"


class SessionImport(models.Model):
    """A CSV of sessions taken in, by the hash of its bytes: the same file twice is refused."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200, blank=True)
    sessions = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sha256"], name="one_import_per_file")
        ]

    def __str__(self) -> str:
        return self.filename or self.sha256[:12]


class AreaVolume(models.Model):
    """Transactions of a service in one neighbourhood in a month, online and in all, where a
    council's data carries an area (decision 16: kept here, beside the ledger's totals)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first of the month
    online = models.PositiveIntegerField()
    total = models.PositiveIntegerField()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "neighbourhood", "month"], name="one_area_volume_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(online__lte=models.F("total")), name="area_online_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.neighbourhood_id} {self.month:%Y-%m}"

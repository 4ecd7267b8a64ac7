"""Forms for outreach: places, sessions (quick to fill on a phone), champions, pledges and
training."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.forms import DateInput, GovukForm, date_field
from takeup.organisations.models import Organisation

from .models import (
    AgeBand,
    Champion,
    Helped,
    Indicator,
    Motivation,
    Neighbourhood,
    Place,
    Session,
    Training,
)
from .services import PLACE_FIELDS

MAX_PEOPLE_ROWS = 30


def _champions(organisation: Organisation) -> Any:
    return Champion.objects.filter(organisation=organisation, active=True)


class PlaceForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Place
        fields = PLACE_FIELDS
        help_texts = {
            "partner": _("Who runs the premises, such as Age UK or the job centre."),
            "opening_times": _("For example “Tuesdays 10:00 to 12:00”."),
            "equipment": _("For example “6 computers, 4 tablets, a printer”."),
        }
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )


class ChampionForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Champion
        fields = ["name", "kind", "team", "on_honour_roll", "active"]
        help_texts = {
            "name": _("Only your organisation's staff see it."),
            "on_honour_roll": _("Untick if they would rather not appear in the newsletter."),
        }


class PledgeForm(GovukForm, forms.Form):
    hours = forms.DecimalField(
        label=_("Hours pledged"),
        min_value=0.25,
        max_value=2000,
        decimal_places=2,
        error_messages={
            "min_value": _("Enter hours pledged between 0.25 and 2,000."),
            "max_value": _("Enter hours pledged between 0.25 and 2,000."),
            "max_decimal_places": _("Enter hours pledged to two decimal places at most."),
        },
    )
    made_on = date_field(_("Pledged on"))


class TrainingForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Training
        fields = ["title", "kind", "held_on", "duration_minutes", "team", "attendees", "champions"]
        widgets = {"held_on": DateInput(), "champions": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["champions"].queryset = _champions(organisation)  # type: ignore[attr-defined]


class SessionForm(GovukForm, forms.Form):
    """The session itself; the people helped are a formset of HelpedForm beside it."""

    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        empty_label=_("Choose a place"),
        error_messages={"required": _("Choose the place where the session was held.")},
    )
    held_on = date_field(_("Date"))
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=5,
        max_value=720,
        initial=60,
        error_messages={
            "min_value": _("Enter a length between 5 and 720 minutes."),
            "max_value": _("Enter a length between 5 and 720 minutes."),
        },
    )
    kind = forms.ChoiceField(
        label=_("One to one or group"), choices=Session.Kind.choices, initial="one_to_one"
    )
    people = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("For a group, everyone who came, even if you record fewer below."),
        error_messages={
            "min_value": _("Enter a number of people between 1 and 500."),
            "max_value": _("Enter a number of people between 1 and 500."),
        },
    )
    champions = forms.ModelMultipleChoiceField(
        label=_("Champions"),
        queryset=Champion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["place"].queryset = Place.objects.filter(  # type: ignore[attr-defined]
            Q(opened_on__isnull=True) | Q(opened_on__lte=today),
            Q(closed_on__isnull=True) | Q(closed_on__gte=today),
            organisation=organisation,
        )
        self.fields["champions"].queryset = _champions(organisation)  # type: ignore[attr-defined]
        for name in ("duration_minutes", "people"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
            self.fields[name].govuk_width = "3"  # type: ignore[attr-defined]
            self.govuk_field(name, self.fields[name])


class HelpedForm(GovukForm, forms.Form):
    """One person: bands and answers, never a name. A row left wholly blank is skipped."""

    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[("", "–"), *AgeBand.choices], required=False
    )
    motivation = forms.ChoiceField(
        label=_("What brought them"), choices=[("", "–"), *Motivation.choices], required=False
    )
    service = forms.ModelChoiceField(
        label=_("Council service helped with"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    confidence = forms.TypedChoiceField(
        label=_(
            "“Today has helped me feel more confident about basic digital skills and the "
            "opportunities and benefits of using the internet”"
        ),
        choices=[
            ("", "–"),
            ("5", _("Strongly agree")),
            ("4", _("Agree")),
            ("3", _("Neither agree nor disagree")),
            ("2", _("Disagree")),
            ("1", _("Strongly disagree")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    completed = forms.ChoiceField(
        label=_("Did they complete the task they came for?"),
        choices=Helped.Completed.choices,
        initial=Helped.Completed.NOT_ASKED,
        required=False,
    )
    referred_to = forms.CharField(
        label=_("Referred on to"),
        max_length=120,
        required=False,
        help_text=_("For example “library computer course”. Leave blank if not referred."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("name")

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(
            data.get(k) for k in ("age_band", "motivation", "service", "confidence", "referred_to")
        ) and data.get("completed") in (None, "", Helped.Completed.NOT_ASKED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank() and not data.get("motivation"):
            self.add_error("motivation", _("Choose what brought them."))
        return data


HelpedFormSet = forms.formset_factory(
    HelpedForm,
    extra=0,
    max_num=MAX_PEOPLE_ROWS,
    validate_max=True,
    absolute_max=MAX_PEOPLE_ROWS * 2,
)


class SessionImportForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("CSV file of sessions"),
        help_text=_(
            "One row for each person helped; rows with the same “session” are one session."
        ),
    )


# Neighbourhoods


class DistrictForm(GovukForm, forms.Form):
    district = forms.CharField(
        label=_("Local authority district"),
        max_length=120,
        help_text=_(
            "Its name or code, as in the indices of deprivation: Peterborough or E06000031."
        ),
        error_messages={"required": _("Enter the district's name or code.")},
    )


class IndicatorsUploadForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("Your indicators (CSV)"),
        help_text=_(
            "A column “code” with each neighbourhood's code, and one column per indicator, named "
            "as you want it shown, such as “Broadband coverage (%)”. An empty cell is a missing "
            "value."
        ),
    )


class BoundaryUploadForm(GovukForm, forms.Form):
    name = forms.CharField(
        label=_("Name of the boundaries"),
        max_length=120,
        help_text=_("For example “LSOA boundaries 2011, generalised”."),
        error_messages={"required": _("Enter a name for the boundaries.")},
    )
    key = forms.CharField(
        label=_("Property with the neighbourhood code (optional)"),
        max_length=60,
        required=False,
        help_text=_("Such as LSOA11CD. Leave it blank to find it from your neighbourhoods' codes."),
    )
    file = forms.FileField(
        label=_("Boundary file (GeoJSON)"),
        help_text=_(
            "A FeatureCollection of Polygons or MultiPolygons in longitude and latitude "
            "(WGS 84), up to 5 MB."
        ),
    )


class WeightsForm(GovukForm, forms.Form):
    """The weight of each part of the priority score, and the direction of the council's own."""

    deprivation = forms.DecimalField(
        label=_("Weight of deprivation (IMD rank)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    older = forms.DecimalField(
        label=_("Weight of the share aged 60 and over"),
        min_value=0,
        max_value=100,
        decimal_places=2,
    )

    def __init__(self, *args: Any, indicators: Sequence[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.govuk_field(
                f"w{indicator.pk}",
                forms.DecimalField(
                    label=_("Weight of “%(name)s”") % {"name": indicator.name},
                    min_value=0,
                    max_value=100,
                    decimal_places=2,
                    initial=indicator.weight,
                ),
            )
            self.govuk_field(
                f"d{indicator.pk}",
                forms.TypedChoiceField(
                    label=_("For “%(name)s”, more need is") % {"name": indicator.name},
                    choices=[("1", _("a higher value")), ("0", _("a lower value"))],
                    coerce=lambda v: v == "1",
                    initial="1" if indicator.higher_means_more_need else "0",
                    widget=forms.RadioSelect,
                ),
            )
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DecimalField):
                field.widget.attrs["inputmode"] = "decimal"
                field.govuk_width = "4"  # type: ignore[attr-defined]
                self.govuk_field(name, field)

    def own(self) -> dict[int, tuple[Decimal, bool]]:
        return {
            i.pk: (self.cleaned_data[f"w{i.pk}"], self.cleaned_data[f"d{i.pk}"])
            for i in self.indicators
        }


class AreaVolumesUploadForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("Transactions by neighbourhood (CSV)"),
        help_text=_(
            "Columns: service (its short name), neighbourhood (its code), month (such as "
            "2026-03), online, total."
        ),
    )

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.forms import DateInput, GovukForm, PoundsField
from takeup.organisations.models import Organisation

from .models import Campaign, Medium


def _date(label: Any, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        **kwargs,
    )


class DaysField(forms.IntegerField):
    govuk_width = "3"


def _services(organisation: Organisation) -> Any:
    return (
        Service.objects.filter(organisation=organisation, active=True)
        .select_related("area")
        .order_by("area__name", "name")
    )


def _by_area(services: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    """The services as checkboxes under their service area's name."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for s in services:
        groups.setdefault(s.area.name, []).append((s.pk, s.name))
    return list(groups.items())


class CampaignForm(GovukForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter a name, such as “Go online for garden waste”.")},
    )
    objective = forms.CharField(
        label=_("Objective"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What should change, and for whom."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services it promotes"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every service the campaign promotes."),
        error_messages={
            "required": _("Choose at least one service the campaign promotes."),
            "invalid_choice": _("Choose your organisation's services."),
            "invalid_pk_value": _("Choose your organisation's services."),
        },
    )
    audience = forms.CharField(label=_("Audience"), required=False, max_length=300)
    starts_on = _date(_("Start date"))
    ends_on = _date(_("End date"))
    budget_pence = PoundsField(label=_("Budget in pounds"), required=False)
    phase = forms.CharField(
        label=_("Phase"), required=False, max_length=60, help_text=_("For example “Phase 2”.")
    )
    parent = forms.ModelChoiceField(
        label=_("Follows on from"),
        required=False,
        queryset=Campaign.objects.none(),
        help_text=_("The earlier phase this one learns from."),
        error_messages={"invalid_choice": _("Choose an earlier campaign of your organisation.")},
    )

    def __init__(
        self, *args: Any, organisation: Organisation, campaign: Campaign | None = None, **kw: Any
    ) -> None:
        if campaign is not None and "initial" not in kw:
            kw["initial"] = {
                **{f: getattr(campaign, f) for f in self.base_fields if f != "services"},
                "services": list(campaign.services.all()),
            }
        super().__init__(*args, **kw)
        services = _services(organisation)
        field = self.fields["services"]
        field.queryset = services  # type: ignore[attr-defined]
        field.choices = _by_area(services)  # type: ignore[attr-defined]
        parents = Campaign.objects.filter(organisation=organisation)
        if campaign is not None:
            parents = parents.exclude(pk=campaign.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean_budget_pence(self) -> int:
        return self.cleaned_data.get("budget_pence") or 0


class ActivityForm(GovukForm, forms.Form):
    medium = forms.ChoiceField(
        label=_("Medium"),
        choices=[("", _("Choose a medium")), *Medium.choices],
        error_messages={"required": _("Choose the medium, such as Leaflet.")},
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("Where it runs, such as “12 GP surgeries” or “Millbrook FM”."),
    )
    ward = forms.CharField(label=_("Ward"), required=False, max_length=100)
    starts_on = _date(_("Start date"))
    ends_on = _date(_("End date"))
    cost_pence = PoundsField(label=_("Cost in pounds"), required=False)
    link_service = forms.ModelChoiceField(
        label=_("Tracked link goes to"),
        queryset=Service.objects.none(),
        required=False,
        help_text=_("The service's online address; by default the campaign's first service."),
        error_messages={"invalid_choice": _("Choose one of the campaign's services.")},
    )
    to_sign_up = forms.BooleanField(
        label=_("Send visitors to your alerts sign-up page instead"),
        required=False,
        help_text=_("For a campaign that asks people to sign up to email or text alerts."),
    )
    vanity = forms.SlugField(
        label=_("Easy-to-say address"),
        required=False,
        max_length=40,
        help_text=_("For radio or posters: “bins” makes the link /go/bins."),
        error_messages={"invalid": _("Use letters, numbers and hyphens, for example bins.")},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["link_service"].queryset = campaign.services.order_by("name")  # type: ignore[attr-defined]
        if not self.is_bound and "starts_on" not in self.initial:
            self.initial.update(starts_on=campaign.starts_on, ends_on=campaign.ends_on)

    def clean_cost_pence(self) -> int:
        return self.cleaned_data.get("cost_pence") or 0


class AnnotationForm(GovukForm, forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=200,
        help_text=_("What happened, such as “Online form redesigned” or “Phone lines down”."),
        error_messages={"required": _("Enter what happened.")},
    )
    starts_on = _date(_("Date"))
    ends_on = _date(_("End date"), required=False, help_text=_("Leave empty for a single day."))
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty to show the note on every service's charts."),
        error_messages={"invalid_choice": _("Choose your organisation's services.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["services"].queryset = _services(organisation)  # type: ignore[attr-defined]


class EstimateForm(GovukForm, forms.Form):
    after_days = DaysField(
        label=_("Days after the campaign to include"),
        min_value=0,
        max_value=180,
        initial=28,
        help_text=_("Effects often last beyond the last day of a campaign. 28 days is usual."),
        error_messages={
            "required": _("Enter a number of days, such as 28."),
            "invalid": _("Enter a whole number of days, such as 28."),
            "min_value": _("Enter 0 days or more."),
            "max_value": _("Enter 180 days or fewer."),
        },
    )


class PlanForm(GovukForm, forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        error_messages={
            "required": _("Choose the service the campaign would promote."),
            "invalid_choice": _("Choose one of your organisation's services."),
        },
    )
    length_days = DaysField(
        label=_("Campaign length in days"),
        min_value=7,
        max_value=182,
        initial=28,
        error_messages={
            "required": _("Enter how many days the campaign would run, such as 28."),
            "invalid": _("Enter a whole number of days, such as 28."),
            "min_value": _("A campaign to plan must last at least 7 days."),
            "max_value": _("Plan campaigns of 182 days or fewer."),
        },
    )

    def __init__(self, *args: Any, organisation: Organisation, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["service"].queryset = _services(organisation)  # type: ignore[attr-defined]


class CampaignUploadForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("CSV file of campaigns and activities"),
        error_messages={"required": _("Choose a CSV file to upload.")},
    )


class LearntForm(GovukForm, forms.Form):
    learnt = forms.CharField(
        label=_("What we learnt"),
        help_text=_(
            "For the evaluation report: what worked, what did not, and what to do next time."
        ),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

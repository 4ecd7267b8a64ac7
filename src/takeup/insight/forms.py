from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service, ServiceArea
from takeup.forms import GovukForm
from takeup.organisations.models import Organisation

from .models import Question


class PercentField(forms.IntegerField):
    govuk_width = "3"


class SurveyForm(GovukForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        error_messages={"required": _("Enter a name, such as “Website exit survey”.")},
    )
    sampling_percent = PercentField(
        label=_("Share of visitors invited (%)"),
        min_value=1,
        max_value=100,
        initial=20,
        help_text=_("Socitm invited every fifth visitor as they left: 20."),
        error_messages={
            "required": _("Enter a percentage from 1 to 100."),
            "invalid": _("Enter a whole number from 1 to 100."),
            "min_value": _("Enter a percentage from 1 to 100."),
            "max_value": _("Enter a percentage from 1 to 100."),
        },
    )
    allowed_origins = forms.CharField(
        label=_("Websites that may show it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address a line, such as https://www.millbrook.gov.uk"),
    )
    active = forms.BooleanField(label=_("Taking answers"), required=False, initial=True)

    def clean_allowed_origins(self) -> list[str]:
        return [line for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]


class RuleForm(GovukForm, forms.Form):
    starts_with = forms.CharField(
        label=_("Pages whose address starts with"),
        max_length=200,
        help_text=_("For example /social-care"),
        error_messages={"required": _("Enter the start of the pages' address, such as /bins.")},
    )
    service = forms.ModelChoiceField(
        label=_("Belong to the service"), queryset=Service.objects.none(), required=False
    )
    area = forms.ModelChoiceField(
        label=_("Or to the service area"), queryset=ServiceArea.objects.none(), required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["service"].queryset = Service.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        self.fields["area"].queryset = ServiceArea.objects.filter(organisation=organisation)  # type: ignore[attr-defined]


class QuestionForm(GovukForm, forms.Form):
    """A question's wording in both languages, its hints, whether it must be answered, and its
    choices' labels. Saving makes a new version; answers already given keep theirs."""

    text_en = forms.CharField(label=_("Question in English"), max_length=300)
    text_cy = forms.CharField(label=_("Question in Welsh"), max_length=300)
    hint_en = forms.CharField(label=_("Hint in English"), max_length=300, required=False)
    hint_cy = forms.CharField(label=_("Hint in Welsh"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Visitors must answer it"), required=False)

    def __init__(self, *args: Any, question: Question, **kw: Any) -> None:
        kw.setdefault(
            "initial",
            {
                "text_en": question.text_en,
                "text_cy": question.text_cy,
                "hint_en": question.hint_en,
                "hint_cy": question.hint_cy,
                "required": question.required,
                **{f"choice_{v}_en": en for v, en, _cy in question.choices},
                **{f"choice_{v}_cy": cy for v, _en, cy in question.choices},
            },
        )
        self.choice_values = [v for v, _en, _cy in question.choices]
        super().__init__(*args, **kw)
        for value, en, _cy in question.choices:
            self.govuk_field(
                f"choice_{value}_en",
                forms.CharField(
                    label=_("Choice “%(choice)s” in English") % {"choice": en}, max_length=200
                ),
            )
            self.govuk_field(
                f"choice_{value}_cy",
                forms.CharField(
                    label=_("Choice “%(choice)s” in Welsh") % {"choice": en}, max_length=200
                ),
            )

    def labels(self) -> dict[str, tuple[str, str]]:
        return {
            v: (self.cleaned_data[f"choice_{v}_en"], self.cleaned_data[f"choice_{v}_cy"])
            for v in self.choice_values
        }

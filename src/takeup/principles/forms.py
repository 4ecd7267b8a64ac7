from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.core.weburls import UnsafeAddress, checked, host_allowed
from takeup.forms import GovukForm, date_field
from takeup.organisations.models import Organisation

from .models import PhoneMessage, Result, Stage
from .reports import item_text


def _own_address(value: str, organisation: Organisation) -> str:
    try:
        address = checked(value)
    except UnsafeAddress as exc:
        raise forms.ValidationError(str(exc)) from exc
    if not host_allowed(address, organisation.allowed_domains):
        raise forms.ValidationError(
            _("Use an address on one of your organisation's domains: %(domains)s.")
            % {"domains": ", ".join(organisation.allowed_domains) or "–"}
        )
    return address


class ChecklistForm(GovukForm, forms.Form):
    """A result and its evidence for each principle of the service's state."""

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"{item}"] = forms.ChoiceField(
                label=item_text(item),
                choices=Result.choices,
                widget=forms.RadioSelect,
                initial=Result.UNKNOWN,
            )
            self.fields[f"{item}__evidence"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=500,
                help_text=_("Where you saw it, or why it is so."),
            )

    def answers(self) -> dict[str, tuple[str, str]]:
        return {
            item: (self.cleaned_data[item], self.cleaned_data[f"{item}__evidence"])
            for item in self.items
        }


class ActionForm(GovukForm, forms.Form):
    item = forms.ChoiceField(label=_("Principle"))
    text = forms.CharField(
        label=_("What to do"),
        max_length=300,
        error_messages={"required": _("Enter what to do, such as “Take the phone number off”.")},
    )
    owner = forms.CharField(
        label=_("Owner"),
        max_length=120,
        error_messages={"required": _("Enter who will do it.")},
    )
    due_on = date_field(_("Due date"), required=True)

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i, item_text(i)) for i in items]  # type: ignore[attr-defined]


class ActionEditForm(GovukForm, forms.Form):
    text = forms.CharField(label=_("What to do"), max_length=300)
    owner = forms.CharField(
        label=_("Owner"), max_length=120, error_messages={"required": _("Enter who will do it.")}
    )
    due_on = date_field(_("Due date"), required=True)
    done_on = date_field(_("Done on"), required=False)


class StagesForm(GovukForm, forms.Form):
    """Planned and actual dates for each stage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage, label in Stage.Name.choices:
            self.fields[f"{stage}_planned"] = date_field(
                _("%(stage)s: planned") % {"stage": label}, required=False
            )
            self.fields[f"{stage}_actual"] = date_field(
                _("%(stage)s: actual") % {"stage": label}, required=False
            )

    def dates(self) -> dict[str, tuple[Any, Any]]:
        return {
            stage: (self.cleaned_data[f"{stage}_planned"], self.cleaned_data[f"{stage}_actual"])
            for stage, _label in Stage.Name.choices
        }


class PhoneMessageForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    last_checked_on = date_field(_("Last checked"), required=True)

    class Meta:
        model = PhoneMessage
        fields = ["kind", "number", "text", "reason", "last_checked_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "number": {"required": _("Enter the number callers ring, such as 01708 434343.")},
            "text": {"required": _("Enter what the message says, word for word.")},
            "kind": {"required": _("Choose when callers hear it.")},
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("name")
        self.fields["reason"].help_text = _(
            "The service most callers ring about: the message should name its online version."
        )


class SiteSearchForm(GovukForm, forms.Form):
    url_template = forms.CharField(
        label=_("Your site's search address"),
        max_length=500,
        help_text=_(
            "Write {terms} where the words go, such as https://www.millbrook.gov.uk/search?q={terms}"
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_url_template(self) -> str:
        value: str = self.cleaned_data["url_template"].strip()
        if "{terms}" not in value:
            raise forms.ValidationError(_("Write {terms} where the search words go."))
        _own_address(value.replace("{terms}", "x"), self.organisation)
        return value


class SearchTermForm(GovukForm, forms.Form):
    terms = forms.CharField(
        label=_("Words residents use"),
        max_length=120,
        help_text=_("As residents would type them, such as “Break for carers”."),
        error_messages={"required": _("Enter the words residents use.")},
    )
    expected_url = forms.CharField(
        label=_("Page it should find"),
        max_length=500,
        error_messages={"required": _("Enter the address of the page these words should find.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_expected_url(self) -> str:
        return _own_address(self.cleaned_data["expected_url"].strip(), self.organisation)

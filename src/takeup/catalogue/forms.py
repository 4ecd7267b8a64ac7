from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from takeup.forms import DateInput, GovukForm, PoundsField
from takeup.organisations.models import Organisation

from .lgsl import lgsl_find, lgsl_services
from .models import Channel, Service, ServiceArea, UnitCost
from .services import CHANNEL_FIELDS

LGSL_INVALID = _("Enter a real LGSL code, such as 524, or choose a service from the list.")


class LgslInput(forms.TextInput):
    """A text box with the list's live services as a <datalist>: browsers suggest as you type,
    and without JavaScript (or support) a code or a service's name typed in full still works."""

    template_name = "catalogue/widgets/lgsl_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs']['id']}-list"
        context["choices"] = [s.choice for s in lgsl_services().values() if s.live]
        return context


class LgslField(forms.CharField):
    """An LGSL code, typed as a code, a code and name as offered, or a name."""

    widget = LgslInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("LGSL code"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "The service in the Local Government Service List, so it can be compared "
                "with other councils. Type a code, such as 524, or part of a name."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            service = lgsl_services().get(value)
            return service.choice if service else str(value)
        return value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        code = lgsl_find(text)
        if code is None:
            raise forms.ValidationError(LGSL_INVALID, code="lgsl")
        return code


class ServiceForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    lgsl = LgslField()
    online_url = forms.URLField(
        label=_("Online address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where residents use it online, on one of your allowed domains."),
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "area",
            "kind",
            "lgsl",
            "online_url",
            "online_since",
            "online_only_since",
            "target_percent",
            "target_date",
            "public",
        ]
        widgets = {
            "online_since": DateInput(),
            "online_only_since": DateInput(),
            "target_date": DateInput(),
        }
        error_messages = {
            "name": {
                "required": _("Enter the name of the service, such as “Report a missed bin”.")
            },
            "area": {
                "required": _("Choose the service area it belongs to."),
                "invalid_choice": _("Choose one of your organisation's service areas."),
            },
            "kind": {"required": _("Choose what kind of service it is.")},
        }
        help_texts = {
            "target_percent": _(
                "The share of transactions you aim to have done online, such as 82."
            ),
        }

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        area_field = cast(forms.ModelChoiceField, self.fields["area"])  # type: ignore[type-arg]
        area_field.queryset = ServiceArea.objects.filter(organisation=organisation, active=True)


class ServiceAreaForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ServiceArea
        fields = ["name", "active"]


class ChannelForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Channel
        fields = CHANNEL_FIELDS
        help_texts = {
            "is_digital": _("Done online, by the resident or with help."),
            "is_self_service": _("The resident does it without staff."),
            "is_assisted_digital": _(
                "Done online with someone's help. Counted apart: it does not "
                "count towards digital take-up."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("saving_cashable") and not (data.get("cashable_note") or "").strip():
            # At the field, not only in the summary (the model's check would put it there).
            self.add_error(
                "cashable_note",
                _("Say why savings in this channel are cashable, such as the posts removed."),
            )
        return data


class UnitCostForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    pence_per_transaction = PoundsField(label=_("Cost per transaction (£)"), required=False)
    pence_per_contact = PoundsField(label=_("Cost per contact (£)"), required=False)

    class Meta:
        model = UnitCost
        fields = [
            "channel",
            "pence_per_transaction",
            "pence_per_contact",
            "effective_from",
            "source",
        ]
        widgets = {"effective_from": DateInput()}
        help_texts = {
            "source": _("Where the figure comes from, such as “Finance, 2025/26 budget”.")
        }

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        channel_field = cast(forms.ModelChoiceField, self.fields["channel"])  # type: ignore[type-arg]
        channel_field.queryset = Channel.objects.filter(organisation=organisation)


class CatalogueUploadForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (CSV)"),
        help_text=_(
            "Columns: name, area, kind; optionally slug, lgsl, online_url, online_since, "
            "target_percent, target_date, public, active."
        ),
    )

"""GOV.UK Frontend rendering for every Django form, and helpers shared by the apps' forms."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


WIDGET_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


class GovukForm:
    """Mixin giving each widget its GOV.UK class, error state and hint/error descriptions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            self.govuk_field(name, field)

    def govuk_field(self, name: str, field: forms.Field) -> None:
        """Give a field its GOV.UK class and errors that name it (fields added after the form is
        built call this too)."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        form.fields[name] = field
        css = WIDGET_CLASSES.get(form[name].widget_type, "govuk-input")
        width = getattr(field, "govuk_width", "")
        if width:
            css += f" govuk-input--width-{width}"
        field.widget.attrs["class"] = css
        _name_errors(field)


# Django's own messages never say which field they are about; GOV.UK's error summary lists them
# together, so three "This field is required." say nothing. A message set on purpose is kept.
# (Compared by identity: the same lazy message whatever the page's language.)
REQUIRED = forms.Field.default_error_messages["required"]
INVALID_DATE = forms.DateField.default_error_messages["invalid"]
INVALID_NUMBERS = (
    forms.DecimalField.default_error_messages["invalid"],
    forms.IntegerField.default_error_messages["invalid"],
)
INVALID_CHOICES = (
    forms.ChoiceField.default_error_messages["invalid_choice"],
    forms.ModelChoiceField.default_error_messages["invalid_choice"],
    forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"],
)
CHOOSING = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def _name_errors(field: forms.Field) -> None:
    label = str(field.label or "")
    if not label:
        return
    named = {"label": label}
    messages = field.error_messages
    if messages.get("required") is REQUIRED:
        verb = _("Choose “%(label)s”.") if isinstance(field, CHOOSING) else _("Enter “%(label)s”.")
        messages["required"] = verb % named
    invalid = messages.get("invalid")
    if invalid is INVALID_DATE:
        messages["invalid"] = _("“%(label)s” must be a real date.") % named
    elif any(invalid is m for m in INVALID_NUMBERS):
        messages["invalid"] = _("“%(label)s” must be a number.") % named
    if any(messages.get("invalid_choice") is m for m in INVALID_CHOICES):
        messages["invalid_choice"] = _("Choose “%(label)s” from the list.") % named


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's validation errors on the form, on the field they name where it has one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class PoundsField(forms.DecimalField):
    """Money typed in pounds (8.62), cleaned to integer pence (862)."""

    govuk_width = "5"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lstrip("£").replace(",", "")
        return super().to_python(value)

    def clean(self, value: Any) -> int | None:
        pounds = super().clean(value)
        if pounds is None:
            return None
        try:
            return int((Decimal(pounds) * 100).to_integral_value())
        except InvalidOperation as exc:
            raise ValidationError(_("Enter an amount in pounds, like 2.83")) from exc

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{Decimal(value) / 100:.2f}"
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    save: Callable[..., Model],
    next_url: Callable[[Model], str],
    done: str,
    cancel_url: str,
    caption: str = "",
) -> HttpResponse:
    """Show a form; on a valid POST call `save(**cleaned_data)`; its errors go on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done % {"name": obj})
            return redirect(next_url(obj))
    return render(
        request,
        "forms/page.html",
        {
            "form": form,
            "title": title,
            "caption": caption,
            "cancel_url": cancel_url,
        },
    )


def date_field(label: Any, required: bool = True) -> forms.DateField:
    """A date typed as yyyy-mm-dd (the browser's date input) or dd/mm/yyyy."""
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Enter a real date, such as 2027-03-31.")},
    )

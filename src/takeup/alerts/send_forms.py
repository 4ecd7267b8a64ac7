"""The forms of a campaign send: its message (a template) and the list of recipients."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from takeup.forms import GovukForm

from .models import SendTemplate


class SendForm(GovukForm, forms.Form):
    template = forms.ModelChoiceField(
        label=_("Which message?"),
        queryset=SendTemplate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the message to send")},
    )
    file = forms.FileField(
        label=_("CSV file of recipients"),
        error_messages={"required": _("Choose the file of recipients")},
    )

    def __init__(self, *args: Any, templates: QuerySet[SendTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class SendTemplateForm(GovukForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    subject = forms.CharField(
        label=_("Subject (emails and letters)"), max_length=150, required=False
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Put ((link)) where the tracked link goes, and ((column)) for a column of the "
            "recipients' file, such as ((first_name))."
        ),
    )

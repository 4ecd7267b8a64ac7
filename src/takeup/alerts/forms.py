from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from takeup.forms import GovukForm

from . import addresses
from .models import Channel, Frequency, Topic

FREQUENCY_CHOICES = [
    (Frequency.IMMEDIATELY, _("As soon as we publish something")),
    (Frequency.DAILY, _("Once a day, at 8:30am, when there is something new")),
    (Frequency.WEEKLY, _("Once a week, on Saturdays at 8:30am, when there is something new")),
]


class SignUpForm(GovukForm, forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("What do you want to hear about?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic")},
    )
    frequency = forms.ChoiceField(
        label=_("How often?"),
        choices=FREQUENCY_CHOICES,
        widget=forms.RadioSelect,
        initial=Frequency.IMMEDIATELY,
        error_messages={"required": _("Choose how often you want alerts")},
    )
    channel = forms.ChoiceField(
        label=_("How should we send them?"),
        choices=[(Channel.EMAIL, _("By email")), (Channel.SMS, _("By text message"))],
        widget=forms.RadioSelect,
        initial=Channel.EMAIL,
    )
    address = forms.CharField(
        label=_("Email address or mobile number"),
        max_length=320,
        error_messages={"required": _("Enter your email address or mobile number")},
    )
    website = forms.CharField(required=False)  # a field people never see: bots fill it in

    def __init__(
        self, *args: Any, topics: list[Topic], texts: bool, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topics"]
        field.choices = [
            (t.slug, (t.name_cy if language == "cy" else "") or t.name) for t in topics
        ]
        self.topic_list = topics
        if not texts:
            del self.fields["channel"]
            self.fields["address"].error_messages["required"] = _("Enter your email address")
        self.texts = texts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel") or Channel.EMAIL
        data["channel"] = channel
        if data.get("address"):
            try:
                data["address"] = addresses.address_of(channel, data["address"])
            except ValueError as error:
                self.add_error("address", str(error))
        return data


class ManageLinkForm(GovukForm, forms.Form):
    address = forms.CharField(
        label=_("Email address or mobile number"),
        max_length=320,
        error_messages={
            "required": _("Enter the email address or mobile number you signed up with")
        },
    )

    def __init__(self, *args: Any, texts: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts = texts
        if not texts:  # the field was drawn already, so its drawn label changes too
            self["address"].label = _("Email address")
            self.fields["address"].error_messages["required"] = _("Enter your email address")

    def clean_address(self) -> str:
        text: str = self.cleaned_data["address"]
        channel = "email" if "@" in text or not self.texts else "sms"
        try:
            return addresses.address_of(channel, text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class TopicForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    feed_url = forms.URLField(
        label=_("Feed address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "An RSS or Atom feed, such as your news or jobs feed: each new item becomes a message."
        ),
    )

    class Meta:
        model = Topic
        fields = [
            "name",
            "name_cy",
            "kind",
            "description",
            "description_cy",
            "promise",
            "promise_cy",
            "feed_url",
            "is_open",
        ]


class MessageForm(GovukForm, forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args: Any, topics: list[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topics"]
        field.choices = [
            (
                t.slug,
                ngettext("%(name)s (%(n)d subscriber)", "%(name)s (%(n)d subscribers)", n)
                % {"name": t.name, "n": n},
            )
            for t in topics
            for n in [getattr(t, "live", 0)]
        ]

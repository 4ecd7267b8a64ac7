from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from takeup.forms import GovukForm

from .models import ROLE_CHOICES, Organisation
from .roles import Role


class SignInForm(GovukForm, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Enter a correct email address and password. Both are case-sensitive."),
        "inactive": _("This account is not active."),
    }


class ResetRequestForm(GovukForm, PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MemberAddForm(GovukForm, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class MemberRoleForm(GovukForm, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class OrganisationForm(GovukForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    nation = forms.ChoiceField(label=_("Nation"), choices=Organisation.Nation.choices)
    allowed_domains = forms.CharField(
        label=_("Allowed web domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, such as millbrook.gov.uk. Service addresses, tracked links and "
            "redirects may only go to these domains and their subdomains."
        ),
    )

    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("The council's home page, such as https://www.millbrook.gov.uk/."),
    )

    def clean_allowed_domains(self) -> list[str]:
        text = self.cleaned_data["allowed_domains"]
        return [d for d in text.replace(",", "\n").split() if d]


class SharingForm(GovukForm, forms.Form):
    shares_figures = forms.BooleanField(
        label=_("Share our figures with other councils for comparison"),
        required=False,
        help_text=_(
            "Each quarter, per service with an LGSL code: digital take-up, cost per "
            "transaction and satisfaction. Others see only medians, quartiles and ranks, and only "
            "where at least five councils share. You see theirs only while you share yours."
        ),
    )


class ApiKeyForm(GovukForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses this key, such as “nightly CRM export”."),
    )


ROLE_DESCRIPTIONS = {
    Role.ADMIN: _("Everything, including staff, API keys and the audit log"),
    Role.ANALYST: _("Load data, and edit the catalogue"),
    Role.EDITOR: _("Edit the catalogue and content"),
    Role.VIEWER: _("See the figures; change nothing"),
}

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Channel, Service
from takeup.forms import GovukForm
from takeup.organisations.models import Organisation

from .models import DataSource, Measure, Period
from .profile import (
    CONSTANT_FIELDS,
    FIELDS,
    Profile,
    ProfileError,
    parse_grain,
    parse_header_line,
    parse_pairs,
    parse_sheet,
)


class UploadForm(GovukForm, forms.Form):
    file = forms.FileField(
        label=_("File (CSV or Excel .xlsx)"),
        help_text=_(
            "Long layout: date, service, channel, count (and optionally measure, "
            "period). Wide layout: date, service and one column per channel."
        ),
    )
    source = forms.ModelChoiceField(
        label=_("Data source"),
        queryset=DataSource.objects.none(),
        required=False,
        empty_label=_("A new source (name it below)"),
    )
    new_source = forms.CharField(
        label=_("New source's name"),
        max_length=120,
        required=False,
        help_text=_("Such as “CRM export” or “Phone system”."),
    )
    period = forms.ChoiceField(
        label=_("Each row is a"),
        choices=Period.choices,
        initial=Period.DAY,
        help_text=_("For files with no period column. Weeks start on Monday, months on the 1st."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = DataSource.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )

    def too_large_message(self) -> str:
        limit = settings.TAKEUP_MAX_UPLOAD_BYTES // (1024 * 1024)
        return _(
            "The file is larger than %(limit)s MB: split it by year, or use takeup import."
        ) % {"limit": limit}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.TAKEUP_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(self.too_large_message())
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("source") and not (data.get("new_source") or "").strip():
            self.add_error("new_source", _("Choose a data source, or name a new one."))
        return data


MAX_NAMES = 50


class MappingForm(GovukForm, forms.Form):
    """One choice per name the file uses that the catalogue does not know."""

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        unknown_services: list[str],
        unknown_channels: list[str],
        unknown_measures: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.names: list[tuple[str, str, str]] = []
        # A file with thousands of unknown names is the wrong file, not thousands to match.
        self.more = sum(
            max(0, len(names) - MAX_NAMES)
            for names in (unknown_services, unknown_channels, unknown_measures or [])
        )
        unknown_services = unknown_services[:MAX_NAMES]
        unknown_channels = unknown_channels[:MAX_NAMES]
        for i, name in enumerate((unknown_measures or [])[:MAX_NAMES]):
            key = f"measure_{i}"
            self.fields[key] = forms.ChoiceField(
                label=_("Measure called “%(name)s”") % {"name": name},
                required=False,
                choices=[("", _("Leave unmatched")), *Measure.choices],
            )
            self.names.append(("measure", name, key))
        for i, name in enumerate(unknown_services):
            key = f"service_{i}"
            self.fields[key] = forms.ModelChoiceField(
                label=_("Service called “%(name)s”") % {"name": name},
                required=False,
                queryset=Service.objects.filter(organisation=organisation),
                empty_label=_("Leave unmatched"),
            )
            self.names.append(("service", name, key))
        for i, name in enumerate(unknown_channels):
            key = f"channel_{i}"
            self.fields[key] = forms.ModelChoiceField(
                label=_("Channel called “%(name)s”") % {"name": name},
                required=False,
                queryset=Channel.objects.filter(organisation=organisation),
                empty_label=_("Leave unmatched"),
            )
            self.names.append(("channel", name, key))

    def mappings(self) -> Iterator[tuple[str, str, Any]]:
        for kind, name, key in self.names:
            target = self.cleaned_data.get(key)
            if target:
                yield kind, name, target


class DataSourceForm(GovukForm, forms.ModelForm):  # type: ignore[type-arg]
    """A source and its profile: how its files are laid out (ledger/profile.py)."""

    header_line = forms.CharField(
        label=_("Header line"),
        required=False,
        help_text=_("The line number of the header row, or leave empty to find it."),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        help_text=_("For workbooks: the sheet's name or number. Empty: the first with figures."),
    )
    columns = forms.CharField(
        label=_("Their columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, as field = their column, such as “count = ACD Calls”. Fields: date, "
            "service, channel, measure, count, period."
        ),
    )
    constants = forms.CharField(
        label=_("What the files do not say"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, as field = value, such as “channel = Phone” for a call report. "
            "Fields: service, channel, measure, period."
        ),
    )
    grain = forms.ChoiceField(
        label=_("Its figures are for each"),
        required=False,
        choices=[("", _("Say on each import")), *Period.choices],
    )

    class Meta:
        model = DataSource
        fields = ["name", "expected_interval", "priority"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = Profile.of(self.instance.profile if self.instance else None)
        self.initial.update(
            {
                "header_line": profile.header_line or "",
                "sheet": profile.sheet or "",
                "columns": "\n".join(f"{k} = {v}" for k, v in profile.columns.items()),
                "constants": "\n".join(f"{k} = {v}" for k, v in profile.constants.items()),
                "grain": profile.grain or "",
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts: list[tuple[str, Any]] = [
            ("header_line", lambda: parse_header_line(data.get("header_line"))),
            ("sheet", lambda: parse_sheet(data.get("sheet"))),
            ("grain", lambda: parse_grain(data.get("grain"))),
            ("columns", lambda: parse_pairs(_lines(data.get("columns")), FIELDS, "column")),
            (
                "constants",
                lambda: parse_pairs(_lines(data.get("constants")), CONSTANT_FIELDS, "constant"),
            ),
        ]
        profile: dict[str, Any] = {}
        for name, read in parts:
            try:
                profile[name] = read()
            except ProfileError as exc:
                self.add_error(name, str(exc))
        data["profile"] = profile
        return data


class SourceProfileForm(DataSourceForm):
    """Only how the source's files are laid out: changed on a waiting import's page, where the
    file is read again with it."""

    class Meta(DataSourceForm.Meta):
        fields: list[str] = []


def _lines(text: str | None) -> list[str]:
    return [line.replace(" = ", "=").strip() for line in (text or "").splitlines() if line.strip()]

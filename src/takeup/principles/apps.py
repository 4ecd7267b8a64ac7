from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrinciplesConfig(AppConfig):
    name = "takeup.principles"
    verbose_name = _("Digital principles")

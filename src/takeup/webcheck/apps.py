from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebcheckConfig(AppConfig):
    name = "takeup.webcheck"
    verbose_name = _("Website engagement check")

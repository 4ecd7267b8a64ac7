from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "takeup.demo"
    verbose_name = "Demo organisation"

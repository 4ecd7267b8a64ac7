from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "takeup.benchmark"
    verbose_name = "Comparison with other councils"

from django.urls import path

from . import views

app_name = "webcheck"
urlpatterns = [
    path("", views.report, name="report"),
    path("run/", views.run_start, name="run"),
    path("league/", views.league, name="league"),
    path("progress/", views.progress, name="progress"),
    path("runs/<int:pk>.csv", views.run_csv, name="run-csv"),
    path("runs/<int:pk>.json", views.run_download_json, name="run-json"),
]

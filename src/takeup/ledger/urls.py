from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("services/<slug:slug>/", views.service_page, name="service"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/status/", views.batch_status, name="batch-status"),
    path("sources/", views.sources, name="sources"),
    path("sources/<slug:slug>/change/", views.source_edit, name="source-edit"),
    path("sources/<slug:slug>/delete/", views.source_delete, name="source-delete"),
]

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/add/", views.service_add, name="service-add"),
    path("services/import/", views.catalogue_import, name="import"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("services/<slug:slug>/change/", views.service_edit, name="service-edit"),
    path("services/<slug:slug>/archive/", views.service_archive, name="service-archive"),
    path("areas/", views.area_list, name="areas"),
    path("areas/add/", views.area_add, name="area-add"),
    path("areas/<slug:slug>/change/", views.area_edit, name="area-edit"),
    path("channels/", views.channel_list, name="channels"),
    path("channels/add/", views.channel_add, name="channel-add"),
    path("channels/<slug:slug>/change/", views.channel_edit, name="channel-edit"),
    path("unit-costs/", views.unit_cost_list, name="unit-costs"),
    path("unit-costs/add/", views.unit_cost_add, name="unit-cost-add"),
    path("unit-costs/<int:pk>/change/", views.unit_cost_edit, name="unit-cost-edit"),
]

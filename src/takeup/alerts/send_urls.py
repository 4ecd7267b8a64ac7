"""Campaign sends, under /o/<org>/campaigns/ beside the campaigns' own pages."""

from django.urls import path

from . import send_views

urlpatterns = [
    path("activities/<int:pk>/send/", send_views.send_new, name="alerts-send-new"),
    path(
        "activities/<int:pk>/send/message/",
        send_views.template_add,
        name="alerts-send-template-add",
    ),
    path("sends/<str:code>/", send_views.send_detail, name="alerts-send-detail"),
    path("sends/<str:code>/start/", send_views.send_start, name="alerts-send-start"),
    path("sends/<str:code>/cancel/", send_views.send_cancel, name="alerts-send-cancel"),
]

from django.urls import path

from . import views

app_name = "principles"
urlpatterns = [
    path("", views.index, name="index"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("actions/<int:pk>/change/", views.action_edit, name="action-edit"),
    path("phone-messages/", views.phone_messages, name="phones"),
    path("phone-messages/new/", views.phone_message_edit, name="phone-add"),
    path("phone-messages/<int:pk>/change/", views.phone_message_edit, name="phone-edit"),
    path("findability/", views.search, name="search"),
]

from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.index, name="index"),
    path("topics/new/", views.topic_edit, name="topic-add"),
    path("topics/<slug:slug>/change/", views.topic_edit, name="topic-edit"),
    path("messages/new/", views.message_add, name="message-add"),
    path("messages/<int:pk>/", views.message, name="message"),
]

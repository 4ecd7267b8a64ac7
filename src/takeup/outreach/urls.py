from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.index, name="index"),
    path("places/", views.places, name="places"),
    path("places/new/", views.place_edit, name="place-add"),
    path("places/<int:pk>/change/", views.place_edit, name="place-edit"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.session_add, name="session-add"),
    path("sessions/import/", views.session_import, name="session-import"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("champions/", views.champions, name="champions"),
    path("champions/new/", views.champion_edit, name="champion-add"),
    path("champions/<int:pk>/", views.champion, name="champion"),
    path("champions/<int:pk>/change/", views.champion_edit, name="champion-edit"),
    path("training/", views.trainings, name="trainings"),
    path("training/new/", views.training_edit, name="training-add"),
    path("training/<int:pk>/change/", views.training_edit, name="training-edit"),
    path("assisted-digital/", views.assisted_list, name="assisted"),
    path("assisted-digital/<slug:slug>/", views.assisted_service, name="assisted-service"),
    # Neighbourhoods
    path("neighbourhoods/", views.neighbourhoods, name="neighbourhoods"),
    path("did-it-work/", views.didit, name="didit"),
]

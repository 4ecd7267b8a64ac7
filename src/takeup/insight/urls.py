from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/results/", views.results, name="results"),
]

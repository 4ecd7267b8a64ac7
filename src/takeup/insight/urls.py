from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question"),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question-move"),
]

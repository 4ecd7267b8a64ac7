from django.urls import path

from . import views

app_name = "briefing"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("email/", views.opt_in, name="opt-in"),
    path("<str:month>/", views.briefing_page, name="month"),
    path("<str:month>.pdf", views.briefing_download, name="pdf"),
]

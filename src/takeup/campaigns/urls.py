from django.urls import path, re_path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_add, name="add"),
    path("import/", views.campaign_import, name="import"),
    path("plan/", views.plan, name="plan"),
    path("notes/", views.notes, name="notes"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note-delete"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/change/", views.campaign_edit, name="edit"),
    path("<int:pk>/activities/new/", views.activity_add, name="activity-add"),
    path("<int:pk>/estimate/", views.estimate_start, name="estimate"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<int:pk>/report/learnt/", views.learnt, name="learnt"),
    path("<int:pk>/report/share/", views.report_share, name="report-share"),
    path("<int:pk>/report/share/<int:share>/withdraw/", views.report_revoke, name="report-revoke"),
    path("<int:pk>/estimate/progress/", views.run_status, name="run"),
    path("activities/<int:pk>/change/", views.activity_edit, name="activity-edit"),
    re_path(r"^activities/(?P<pk>[0-9]+)/qr\.(?P<kind>svg|png)$", views.activity_qr, name="qr"),
]

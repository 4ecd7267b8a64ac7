from django.urls import URLPattern, URLResolver, path

from . import views

account_urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("password-reset/", views.ResetRequestView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.ResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.ResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", views.ResetCompleteView.as_view(), name="password-reset-complete"),
    path("organisations/", views.organisations, name="organisations"),
]

organisation_urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/organisation/", views.organisation_edit, name="organisation-edit"),
    path("settings/comparison/", views.sharing_edit, name="sharing-edit"),
    path("settings/staff/", views.members, name="members"),
    path("settings/staff/<int:pk>/", views.member_edit, name="member-edit"),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("settings/audit-log/", views.audit_log, name="audit-log"),
]

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from takeup.alerts import callbacks as alerts_callbacks
from takeup.alerts import public as alerts_public
from takeup.api import api
from takeup.briefing import views as briefing_views
from takeup.campaigns import public as campaigns_public
from takeup.insight import public as insight_public
from takeup.ledger import public
from takeup.organisations.urls import account_urlpatterns, organisation_urlpatterns

# Staff pages are in English at / and in Welsh at /cy/: the language lives in the address, so
# switching needs no cookie. The API answers in one place for both.
urlpatterns = [
    path("api/", api.urls),
    path("go/<str:code>", campaigns_public.go, name="go"),
    path("go/<str:code>/", campaigns_public.go),  # as printed with a slash, it still goes
    path("data/<slug:data_group>/<slug:data_type>", public.platform_data, name="platform-data"),
    path("s/<str:key>/config.json", insight_public.config, name="survey-config"),
    path("s/<str:key>/responses", insight_public.responses, name="survey-responses"),
    path(
        "performance/<slug:org>/<slug:slug>.json", public.performance_json, name="performance-json"
    ),
    path("performance/<slug:org>/<slug:slug>.csv", public.performance_csv, name="performance-csv"),
    path(
        "performance/<slug:org>.json", public.performance_index_json, name="performance-index-json"
    ),
    path("performance/<slug:org>.csv", public.performance_index_csv, name="performance-index-csv"),
    path("alerts/notify/callback", alerts_callbacks.notify_callback, name="alerts-notify-callback"),
    *i18n_patterns(
        *account_urlpatterns,
        path("performance/<slug:org>/", public.performance_index, name="performance-index"),
        path("performance/<slug:org>/<slug:slug>/", public.performance_page, name="performance"),
        # The front page sums up every app's figures, so it lives with the briefing, below them.
        path("o/<slug:org>/", briefing_views.organisation_home, name="organisation-home"),
        path("o/<slug:org>/", include(organisation_urlpatterns)),
        path("o/<slug:org>/catalogue/", include("takeup.catalogue.urls")),
        path("o/<slug:org>/take-up/", include("takeup.ledger.urls")),
        path("o/<slug:org>/campaigns/", include("takeup.campaigns.urls")),
        path("o/<slug:org>/campaigns/", include("takeup.alerts.send_urls")),
        path("o/<slug:org>/visitors/", include("takeup.insight.urls")),
        path("o/<slug:org>/comparison/", include("takeup.benchmark.urls")),
        path("o/<slug:org>/briefing/", include("takeup.briefing.urls")),
        path("o/<slug:org>/website/", include("takeup.webcheck.urls")),
        path("o/<slug:org>/principles/", include("takeup.principles.urls")),
        path("o/<slug:org>/outreach/", include("takeup.outreach.urls")),
        path("o/<slug:org>/alerts/", include("takeup.alerts.urls")),
        path("alerts/<slug:org>/", alerts_public.sign_up, name="alerts-sign-up"),
        path("alerts/<slug:org>/manage/", alerts_public.manage_link, name="alerts-manage-link"),
        path("alerts/confirm/<str:token>/", alerts_public.confirm, name="alerts-confirm"),
        path("alerts/manage/<str:token>/", alerts_public.manage, name="alerts-manage"),
        path(
            "alerts/unsubscribe/<str:token>/", alerts_public.unsubscribe, name="alerts-unsubscribe"
        ),
        path("s/<str:key>/", insight_public.hosted, name="survey-page"),
        path("r/<str:token>/", campaigns_public.shared_report, name="campaign-report-shared"),
        path(
            "r/<str:token>.pdf",
            campaigns_public.shared_report_pdf,
            name="campaign-report-shared-pdf",
        ),
        prefix_default_language=False,
    ),
]

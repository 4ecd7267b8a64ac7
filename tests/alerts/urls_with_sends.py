"""The site's URLs with the campaign sends' pages, as takeup/urls.py will include them (the
tests of those pages run on this until it does)."""

from django.urls import include, path

from takeup.urls import urlpatterns as site

urlpatterns = [*site, path("o/<slug:org>/campaigns/", include("takeup.alerts.send_urls"))]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from opsdesk.api import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("portal/", include("opsdesk.portal.urls")),
    path("catalogue/", include("opsdesk.catalogue.urls")),
    path("slas/", include("opsdesk.sla.urls")),
    path("cmdb/", include("opsdesk.cmdb.urls")),
    path("reports/", include("opsdesk.reports.urls")),
    path("", include("opsdesk.incidents.urls")),
]

from django.urls import path

from opsdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("sla/", views.sla_report, name="sla"),
    path("sla.csv", views.sla_csv, name="sla_csv"),
    path("sla/breaches/", views.sla_breaches, name="sla_breaches"),
    path("service/", views.service_report_choose, name="service_choose"),
    path("service/<int:organisation_id>/<str:month>/", views.service_report, name="service"),
]

from django.urls import path

from opsdesk.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.sla_list, name="list"),
    path("<int:sla_id>/", views.sla_detail, name="detail"),
]

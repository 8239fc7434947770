from django.urls import path

from opsdesk.sla import calendar_views, views

app_name = "sla"

urlpatterns = [
    path("", views.sla_list, name="list"),
    path("new/", views.sla_create, name="create"),
    path("<int:sla_id>/", views.sla_detail, name="detail"),
    path("<int:sla_id>/edit/", views.sla_edit, name="edit"),
    path("<int:sla_id>/history/", views.sla_history, name="history"),
    path("<int:sla_id>/subscriptions/", views.subscription_put, name="subscriptions"),
    path("calendars/", calendar_views.calendar_list, name="calendar_list"),
    path("calendars/new/", calendar_views.calendar_create, name="calendar_create"),
    path("calendars/subdivisions/", calendar_views.subdivision_list, name="calendar_subdivisions"),
    path("calendars/<int:calendar_id>/", calendar_views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:calendar_id>/edit/", calendar_views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:calendar_id>/history/", calendar_views.calendar_history, name="calendar_history"),
]

from django.urls import path

from opsdesk.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.service_list, name="list"),
    path("new/", views.service_create, name="create"),
    path("<int:service_id>/", views.service_detail, name="detail"),
    path("<int:service_id>/edit/", views.service_edit, name="edit"),
    path("<int:service_id>/history/", views.service_history, name="history"),
    path("<int:service_id>/actions/<slug:action>/", views.service_action, name="action"),
    path("<int:service_id>/subscriptions/new/", views.subscription_create, name="subscription_create"),
    path(
        "<int:service_id>/subscriptions/<int:subscription_id>/edit/",
        views.subscription_edit,
        name="subscription_edit",
    ),
]

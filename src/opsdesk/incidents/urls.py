from django.urls import path

from opsdesk.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("incidents/", views.incident_list, name="list"),
    path("incidents/new/", views.incident_create, name="create"),
    path("incidents/new/requesters/", views.requester_options, name="requester_options"),
    path("incidents/new/subcategories/", views.subcategory_options, name="subcategory_options"),
    path("incidents/new/services/", views.service_options, name="service_options"),
    path("incidents/views/", views.saved_view_create, name="saved_view_create"),
    path("incidents/views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("incidents/<str:number>/", views.incident_detail, name="detail"),
    path("incidents/<str:number>/edit/", views.incident_edit, name="edit"),
    path("incidents/<str:number>/history/", views.incident_history, name="history"),
    path("incidents/<str:number>/actions/<slug:action>/", views.incident_action, name="action"),
    path("incidents/<str:number>/comments/", views.comment_create, name="comment"),
    path("incidents/<str:number>/attachments/", views.attachment_create, name="attachment_create"),
    path(
        "incidents/<str:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]

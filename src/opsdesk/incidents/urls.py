from django.urls import path

from opsdesk.incidents.views import detail, edit, export, queue

app_name = "incidents"

urlpatterns = [
    path("", queue.dashboard, name="dashboard"),
    path("incidents/", queue.incident_list, name="list"),
    path("incidents/export.csv", export.incident_export, name="export"),
    path("incidents/new/", edit.incident_create, name="create"),
    path("incidents/new/requesters/", edit.requester_options, name="requester_options"),
    path("incidents/new/subcategories/", edit.subcategory_options, name="subcategory_options"),
    path("incidents/new/services/", edit.service_options, name="service_options"),
    path("incidents/new/cis/", edit.ci_options, name="ci_options"),
    path("incidents/views/", queue.saved_view_create, name="saved_view_create"),
    path("incidents/views/<int:view_id>/delete/", queue.saved_view_delete, name="saved_view_delete"),
    path("incidents/<str:number>/", detail.incident_detail, name="detail"),
    path("incidents/<str:number>/edit/", edit.incident_edit, name="edit"),
    path("incidents/<str:number>/history/", detail.incident_history, name="history"),
    path("incidents/<str:number>/actions/<slug:action>/", detail.incident_action, name="action"),
    path("incidents/<str:number>/comments/", detail.comment_create, name="comment"),
    path("incidents/<str:number>/attachments/", detail.attachment_create, name="attachment_create"),
    path(
        "incidents/<str:number>/attachments/<int:attachment_id>/",
        detail.attachment_download,
        name="attachment_download",
    ),
]

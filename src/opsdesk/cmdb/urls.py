from django.urls import path

from opsdesk.cmdb import views

app_name = "cmdb"

urlpatterns = [
    path("", views.ci_list, name="list"),
    path("export/", views.ci_export, name="export"),
    path("import/", views.ci_import, name="import"),
    path("new/", views.ci_choose_class, name="choose_class"),
    path("new/<slug:class_key>/", views.ci_create, name="create"),
    path("<int:ci_id>/", views.ci_detail, name="detail"),
    path("<int:ci_id>/edit/", views.ci_edit, name="edit"),
    path("<int:ci_id>/retire/", views.ci_retire, name="retire"),
    path("<int:ci_id>/relationships/", views.relationship_add, name="relationship_add"),
    path(
        "<int:ci_id>/relationships/<int:relationship_id>/remove/",
        views.relationship_remove,
        name="relationship_remove",
    ),
]

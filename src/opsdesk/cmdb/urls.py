from django.urls import path

from opsdesk.cmdb import schema_views, views

app_name = "cmdb"

urlpatterns = [
    path("", views.ci_list, name="list"),
    path("export/", views.ci_export, name="export"),
    path("import/", views.ci_import, name="import"),
    path("classes/", schema_views.class_list, name="classes"),
    path("classes/new/", schema_views.class_create, name="class_create"),
    path("classes/<int:class_id>/edit/", schema_views.class_edit, name="class_edit"),
    path("classes/<int:class_id>/delete/", schema_views.class_delete, name="class_delete"),
    path("relationship-types/", schema_views.type_list, name="relationship_types"),
    path("relationship-types/new/", schema_views.type_create, name="relationship_type_create"),
    path("relationship-types/<int:type_id>/edit/", schema_views.type_edit, name="relationship_type_edit"),
    path("new/", views.ci_choose_class, name="choose_class"),
    path("new/<slug:class_key>/", views.ci_create, name="create"),
    path("<int:ci_id>/", views.ci_detail, name="detail"),
    path("<int:ci_id>/edit/", views.ci_edit, name="edit"),
    path("<int:ci_id>/retire/", views.ci_retire, name="retire"),
    path("<int:ci_id>/delete/", views.ci_delete, name="delete"),
    path("<int:ci_id>/relationships/", views.relationship_add, name="relationship_add"),
    path(
        "<int:ci_id>/relationships/<int:relationship_id>/remove/",
        views.relationship_remove,
        name="relationship_remove",
    ),
]

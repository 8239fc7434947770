from django.urls import path

from opsdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/reply/", views.reply, name="reply"),
    path("<str:number>/confirm/", views.confirm, name="confirm"),
    path("<str:number>/reject/", views.reject, name="reject"),
    path("<str:number>/attachments/", views.upload, name="upload"),
    path("<str:number>/attachments/<int:attachment_id>/", views.download, name="download"),
]

from django.urls import path

from . import views

app_name = "infocenter"

urlpatterns = [
    path("", views.index, name="index"),
    path("a/<slug:code>/", views.detail, name="detail"),
    path("a/<slug:code>/files/<slug:attachment_code>/", views.download, name="download"),
    path("center/", views.center, name="center"),
    path("center/a/<slug:code>/", views.center_detail, name="center_detail"),
]

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("courses/<int:pk>/preview/", views.preview, name="preview"),
    path("chapters/<int:pk>/preview-video/", views.preview_video, name="preview_video"),
]

from django.urls import path

from .views import selection

app_name = "learning"

urlpatterns = [
    path("classes/<int:pk>/select/", selection.select, name="select"),
    path("classes/<int:pk>/select/add/<int:course_pk>/", selection.select_add, name="select_add"),
    path("classes/<int:pk>/select/remove/<int:course_pk>/", selection.select_remove, name="select_remove"),
    path("classes/<int:pk>/select/confirm/", selection.select_confirm, name="select_confirm"),
]

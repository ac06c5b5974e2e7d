from django.urls import path

from . import views

app_name = "classroom"

urlpatterns = [
    path("classes/", views.my_classes, name="my_classes"),
    path("classes/<int:pk>/", views.class_home, name="class_home"),
]

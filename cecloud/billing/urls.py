from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("orders/", views.orders, name="orders"),
    path("register/", views.register, name="register"),
]

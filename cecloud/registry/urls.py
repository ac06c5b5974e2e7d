from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("template.xlsx", views.template_download, name="template"),
    path("apply/", views.apply, name="apply"),
    path("correction/", views.correction, name="correction"),
    path("review/", views.review_list, name="review_list"),
]

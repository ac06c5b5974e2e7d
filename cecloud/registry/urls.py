from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("template.xlsx", views.template_download, name="template"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("regions/counties/", views.county_options, name="county_options"),
    path("correction/", views.correction, name="correction"),
    path("review/", views.review_list, name="review_list"),
]

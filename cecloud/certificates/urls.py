from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("classes/<int:enrollment_id>/print/", views.print_class, name="print_class"),
    path("<str:number>.pdf", views.certificate_pdf, name="pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/public-key.pem", views.public_key, name="public_key"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("batch/", views.batch, name="batch"),
    path("batch/<str:token>.xlsx", views.batch_download, name="batch_download"),
]

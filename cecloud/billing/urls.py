from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/<int:year>/", views.register_confirm, name="register_confirm"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:order_no>/", views.order_detail, name="order_detail"),
    path("orders/<str:order_no>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:order_no>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:order_no>/result/", views.payment_return, name="payment_return"),
    path("orders/<str:order_no>/invoice.pdf", views.invoice_download, name="invoice_download"),
    path("orders/<str:order_no>/invoice-red.pdf", views.invoice_download, {"red": True}, name="invoice_download_red"),
    path("notify/<str:gateway>/", views.notify, name="notify"),
    path("dev/cashier/<str:order_no>/", views.dev_cashier, name="dev_cashier"),
    path("unit/register/", views.unit_register, name="unit_register"),
    path("unit/orders/", views.unit_orders, name="unit_orders"),
]

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("welcome/", views.after_login, name="after_login"),
    path("center/", views.center, name="center"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("recover/", views.recover, name="recover"),
    path("recover/verify/", views.recover_verify, name="recover_verify"),
    path("recover/verify/send/", views.recover_send_code, name="recover_send_code"),
    path("recover/reset/", views.recover_reset, name="recover_reset"),
    path("recover/done/", views.recover_done, name="recover_done"),
]

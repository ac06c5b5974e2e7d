from django.urls import path

from . import staff, views

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
    # 工作人员登录 and the second factor (staff.py)
    path("staff/login/", staff.staff_login, name="staff_login"),
    path("staff/2fa/", staff.staff_two_factor, name="staff_2fa"),
    path("staff/2fa/enrol/", staff.staff_two_factor_enrol, name="staff_2fa_enrol"),
    path("staff/2fa/recovery-codes/", staff.staff_recovery_codes, name="staff_2fa_codes"),
    path("staff/2fa/recovery-codes/download/", staff.staff_recovery_codes_download, name="staff_2fa_codes_download"),
    path("session/keepalive/", staff.keepalive, name="keepalive"),
    path("session/status/", staff.session_status, name="session_status"),
]

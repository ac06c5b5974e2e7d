from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cecloud.accounts import staff as account_staff
from cecloud.accounts import views as account_views

from .api import api

admin.site.site_header = "江苏工勤人员继续教育云平台 · 运营后台"
admin.site.site_title = "运营后台"
admin.site.index_title = "平台运营"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("cecloud.accounts.urls")),
    path("registry/", include("cecloud.registry.urls")),
    path("training/", include("cecloud.classroom.urls")),  # 我的班级 and the class home
    path("billing/", include("cecloud.billing.urls")),
    path("catalog/", include("cecloud.catalog.urls")),
    path("learning/", include("cecloud.learning.urls")),
    path("exams/", include("cecloud.exams.urls")),
    path("certificates/", include("cecloud.certificates.urls")),
    path("info/", include("cecloud.infocenter.urls")),
    path("oversight/", include("cecloud.oversight.urls")),
    path("notifications/", include("cecloud.notifications.urls")),
    path("captcha/refresh/", account_views.captcha_refresh, name="captcha-refresh"),  # throttled per client IP
    path("captcha/", include("captcha.urls")),
    path("api/v1/", api.urls),
    path("admin/login/", account_staff.admin_login),  # staff log in on 工作人员登录, with the second factor
    path("admin/", admin.site.urls),
]

# Only public media (course covers) is served by URL in the embedded default; everything else
# (chapter videos, invoices, attachments, imports) goes through views that check permissions.
if settings.DEBUG or settings.SERVE_PUBLIC_MEDIA:
    from django.urls import re_path

    from cecloud.core.views import public_media

    urlpatterns += [re_path(r"^media/(?P<path>.+)$", public_media)]

"""No model reachable in the back office escapes the audit trail: every registered admin is an
audited one (the project's own, Django's group admin and the third-party ones alike), and the
audit is a base class, not a patch of Django's ModelAdmin."""

from django.contrib import admin
from django.contrib.admin.options import ModelAdmin

from cecloud.core.admin_audit import AuditedModelAdmin


def test_every_registered_admin_is_audited():
    escaped = [
        f"{model._meta.label} ({type(model_admin).__module__}.{type(model_admin).__name__})"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert not escaped, "admins without the audit trail (inherit core.admin_base.AuditedModelAdmin): " + ", ".join(
        escaped
    )


def test_the_group_user_and_lockout_admins_are_registered_audited():
    labels = {model._meta.label for model in admin.site._registry}
    assert {"auth.Group", "accounts.User", "axes.AccessAttempt", "axes.AccessLog"} <= labels


def test_django_modeladmin_itself_is_left_alone():
    for name in ("get_object", "save_form", "save_model", "log_addition", "log_change", "log_deletions"):
        assert getattr(ModelAdmin, name).__module__ == "django.contrib.admin.options", name
    for name in ("save_formset", "response_action"):
        assert getattr(ModelAdmin, name).__module__ == "django.contrib.admin.options", name

"""Back office: accounts (帐号). Staff accounts (unit HR, bureau, operator) are created here with a
password and a scope; learner accounts are created by their first login (or 找回密码) and are
read-mostly here: an operator can only disable one or require a new password.

Django's group admin and the login-lockout (axes) admins are re-registered here as audited
subclasses, so nothing reachable in the back office escapes the audit trail."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cecloud.core.admin_base import AuditedModelAdmin
from cecloud.core.masking import mask_phone
from cecloud.core.roles import Role

from . import otp
from .models import User


def _check_scope(form: forms.ModelForm, data: dict) -> None:
    role, unit, region = data.get("role"), data.get("unit"), data.get("region")
    if role == Role.UNIT_HR and not unit:
        form.add_error("unit", "单位管理员须指定管理单位")
    if role == Role.BUREAU and not region:
        form.add_error("region", "人社局管理员须指定管理地区")
    if role == Role.BUREAU and region and region.level not in ("city", "county"):
        form.add_error("region", "管理地区须为市或县区")
    if role in (Role.OPERATOR, Role.BUREAU) and unit:
        form.add_error("unit", "该角色不设管理单位")
    if role in (Role.OPERATOR, Role.UNIT_HR) and region:
        form.add_error("region", "该角色不设管理地区")


class StaffCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "display_name", "role", "unit", "region", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.LEARNER]
        self.fields["role"].help_text = "学员帐号在首次登录或找回密码时自动创建，不能在后台新建"
        self.fields["display_name"].required = True

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if len(username) == 18 and username[:17].isdigit():
            raise forms.ValidationError("工作人员帐号不能使用身份证号格式，学员请使用身份证号直接登录")
        return username

    def clean(self):
        data = super().clean()
        _check_scope(self, data)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.is_staff = user.role == Role.OPERATOR
        if commit:
            user.save()
            self.save_m2m()
        return user


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if self.instance.role != Role.LEARNER:
            if data.get("role") == Role.LEARNER:
                self.add_error("role", "工作人员帐号不能改为学员")
            _check_scope(self, data)
        return data


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "display_name", "role", "unit", "region", "masked_phone", "is_active", "last_login")
    list_filter = (
        "role",
        "is_active",
        "is_staff",
        "must_change_password",
        ("region", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("username", "display_name", "unit__name")
    list_select_related = ("unit", "region__parent")
    ordering = ("role", "username")
    raw_id_fields = ("unit", "person")
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("display_name", "phone", "person")}),
        ("角色与管理范围", {"fields": ("role", "unit", "region")}),
        ("状态", {"fields": ("is_active", "must_change_password", "password_changed_at", "last_login", "date_joined")}),
        ("后台权限", {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_form_template = "admin/change_form.html"  # Django's user add template carries an untranslated line
    add_fieldsets = (
        (
            "新建工作人员帐号",
            {
                "classes": ("wide",),
                "description": "单位管理员须指定管理单位，人社局管理员须指定管理地区（市或县区）。创建后可继续修改其他选项。",
                "fields": ("username", "display_name", "role", "unit", "region", "phone", "password1", "password2"),
            },
        ),
    )
    learner_editable = ("is_active", "must_change_password")
    actions = ["reset_two_factor"]

    @admin.action(description="重置二次验证（手机丢失或更换时；下次登录重新绑定）")
    def reset_two_factor(self, request, queryset):
        staff = [user for user in queryset if user.role != Role.LEARNER]
        for user in staff:
            otp.reset(user=user, actor=request.user, request=request)
        self.message_user(request, f"已重置 {len(staff)} 个工作人员帐号的二次验证，其下次登录时须重新绑定身份验证器")

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.role == Role.LEARNER:
            every = [f for _, opts in self.fieldsets for f in opts["fields"] if f != "password"]
            return [f for f in every if f not in self.learner_editable]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.role == Role.LEARNER:
            # Learners: no back-office permissions section; identity comes from the registry.
            return self.fieldsets[:4]
        return super().get_fieldsets(request, obj)


# --- Admins the project does not write: audited subclasses replace them ---------------------------------


class AuditedGroupAdmin(AuditedModelAdmin, GroupAdmin):
    pass


class AuditedAccessAttemptAdmin(AuditedModelAdmin, AccessAttemptAdmin):
    pass


class AuditedAccessLogAdmin(AuditedModelAdmin, AccessLogAdmin):
    pass


class AuditedAccessFailureLogAdmin(AuditedModelAdmin, AccessFailureLogAdmin):
    pass


# The authenticator devices hold secret keys: not shown in the back office. Operators reset a staff
# account's second factor with the 重置二次验证 action on the account list (audited).
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

for _model, _admin_class in (
    (Group, AuditedGroupAdmin),
    (AccessAttempt, AuditedAccessAttemptAdmin),
    (AccessLog, AuditedAccessLogAdmin),
    (AccessFailureLog, AuditedAccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):  # axes registers its admins only with AXES_ENABLE_ADMIN
        admin.site.unregister(_model)
        admin.site.register(_model, _admin_class)

from __future__ import annotations

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth import password_validation

from cecloud.core.ids import IdError, validate_id_number
from cecloud.core.login_name import normalize_login

LOGIN_FAILED = "身份证号或密码错误"


class LoginForm(forms.Form):
    username = forms.CharField(
        label="身份证号",
        max_length=64,
        widget=forms.TextInput(
            attrs={"placeholder": "请输入身份证号", "autocomplete": "username", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label="密码",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"placeholder": "请输入密码", "autocomplete": "current-password", "class": "form-control"}
        ),
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
        widget=CaptchaTextInput(attrs={"placeholder": "验证码", "class": "form-control", "autocomplete": "off"}),
    )

    def clean_username(self):
        """The normalised login name: what the backend authenticates and the lockout counts."""
        login = normalize_login(self.cleaned_data["username"])
        if not login:
            raise forms.ValidationError("请输入身份证号")
        return login


class NewPasswordForm(forms.Form):
    """A new password typed twice for ``user``, checked by the password validators."""

    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="确认新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "至少8位，须包含字母、数字、符号中的至少两种"

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif p1:
            self.check_new_password(p1)
        return data

    def check_new_password(self, password: str) -> None:
        try:
            password_validation.validate_password(password, self.user)
        except forms.ValidationError as exc:
            self.add_error("new_password1", exc)


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码错误")
        return value

    def check_new_password(self, password: str) -> None:
        old = self.cleaned_data.get("old_password")
        if old and password == old:
            self.add_error("new_password1", "新密码不能与原密码相同")
        else:
            super().check_new_password(password)


# --- 找回密码 (password recovery) -----------------------------------------------------------------


class RecoverIdentityForm(forms.Form):
    """Step 1 核认身份: 姓名 + 登录帐号 (the ID number) + image captcha."""

    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": "请输入姓名"},
        widget=forms.TextInput(attrs={"placeholder": "请输入姓名", "class": "form-control", "autocomplete": "name"}),
    )
    username = forms.CharField(
        label="登录帐号",
        max_length=30,
        error_messages={"required": "请输入身份证号"},
        widget=forms.TextInput(
            attrs={"placeholder": "请输入身份证号", "class": "form-control", "autocomplete": "username"}
        ),
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
        widget=CaptchaTextInput(attrs={"placeholder": "验证码", "class": "form-control", "autocomplete": "off"}),
    )

    def clean_username(self):
        try:
            return validate_id_number(normalize_login(self.cleaned_data["username"]))
        except IdError as exc:  # a format problem says nothing about whether the ID is registered
            raise forms.ValidationError(str(exc)) from None


class RecoverCodeForm(forms.Form):
    """Step 2 验证真实性: the 6-digit SMS code."""

    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "请输入短信验证码",
            "min_length": "请输入6位短信验证码",
            "max_length": "请输入6位短信验证码",
        },
        widget=forms.TextInput(
            attrs={
                "placeholder": "6位数字",
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "6",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("请输入6位短信验证码")
        return code


class RecoverPasswordForm(NewPasswordForm):
    """Step 3 重置密码: the same strength rules as 修改密码."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "请输入新密码"
        self.fields["new_password2"].error_messages["required"] = "请再次输入新密码"

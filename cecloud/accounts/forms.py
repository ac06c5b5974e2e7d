from __future__ import annotations

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth import password_validation

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


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
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

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码错误")
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif p1:
            if data.get("old_password") and p1 == data.get("old_password"):
                self.add_error("new_password1", "新密码不能与原密码相同")
            else:
                try:
                    password_validation.validate_password(p1, self.user)
                except forms.ValidationError as exc:
                    self.add_error("new_password1", exc)
        return data

"""Password strength rules shown to learners in Chinese."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码长度太短，至少{self.min_length}位", code="password_too_short")

    def get_help_text(self):
        return f"密码至少{self.min_length}位"


class CommonPasswordValidator:
    """Django's list of 20,000 common passwords, with a Chinese message."""

    def __init__(self):
        from django.contrib.auth.password_validation import CommonPasswordValidator as Base

        self._base = Base()

    def validate(self, password, user=None):
        if password.lower().strip() in self._base.passwords:
            raise ValidationError("密码过于常见，请换一个", code="password_too_common")

    def get_help_text(self):
        return "不能使用常见密码"


class StrengthValidator:
    """At least two kinds of characters among letters, digits and symbols; not all the same."""

    def validate(self, password, user=None):
        kinds = sum(bool(re.search(pattern, password)) for pattern in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]"))
        if kinds < 2:
            raise ValidationError("密码须包含字母、数字、符号中的至少两种", code="password_too_simple")
        if len(set(password)) < 4:
            raise ValidationError("密码过于简单，请勿使用重复字符", code="password_too_simple")

    def get_help_text(self):
        return "密码须包含字母、数字、符号中的至少两种"


class NotIdSuffixValidator:
    """The new password cannot be the default one (last six of the ID number) or contain the ID number."""

    def validate(self, password, user=None):
        if user is None:
            return
        login = getattr(user, "username", "") or ""
        if len(login) == 18 and (password == login[-6:] or login[-6:] in password or login in password):
            raise ValidationError("新密码不能包含身份证号或其后六位", code="password_like_id")

    def get_help_text(self):
        return "新密码不能包含身份证号或其后六位"

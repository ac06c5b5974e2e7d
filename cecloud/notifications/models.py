"""SMS records: what was sent (never its parameters) and the verification codes (hashed)."""

from __future__ import annotations

from django.db import models

from cecloud.core.masking import mask_phone


class SmsLog(models.Model):
    """One outgoing message. The parameters (a code, a reason) are deliberately not stored."""

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    phone = models.CharField("手机号", max_length=20, db_index=True)
    template = models.CharField("模板", max_length=40)
    backend = models.CharField("通道", max_length=20)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    provider_id = models.CharField("回执编号", max_length=64, blank=True)
    error_code = models.CharField("错误码", max_length=64, blank=True)
    error = models.CharField("错误信息", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "短信记录"
        verbose_name_plural = "短信记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.template} {self.get_status_display()}"


class PhoneThrottle(models.Model):
    """One row per phone that has been sent a code; locked (SELECT … FOR UPDATE) while the send
    limits are checked, so two concurrent requests for the same phone are serialised."""

    phone = models.CharField("手机号", max_length=20, unique=True)

    class Meta:
        verbose_name = "手机号发送锁"
        verbose_name_plural = "手机号发送锁"


class VerificationCode(models.Model):
    """A 6-digit SMS code: stored as a keyed hash, purpose- and scope-bound, single use."""

    class State(models.TextChoices):
        ACTIVE = "active", "有效"
        USED = "used", "已使用"
        VOIDED = "voided", "错误次数过多已作废"
        SUPERSEDED = "superseded", "已被新验证码取代"
        EXPIRED = "expired", "已过期"
        FAILED = "failed", "发送失败"

    phone = models.CharField("手机号", max_length=20)
    purpose = models.CharField("用途", max_length=30)
    scope = models.CharField("绑定对象", max_length=64, blank=True)
    salt = models.CharField("盐", max_length=32)
    code_hash = models.CharField("验证码摘要", max_length=128)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.ACTIVE)
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "created_at"], name="vcode_phone_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["phone", "purpose", "scope"],
                condition=models.Q(state="active"),
                name="vcode_one_active_per_phone_purpose_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.purpose} {self.get_state_display()}"

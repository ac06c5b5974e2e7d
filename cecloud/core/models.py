"""Append-only audit log (Zulip RealmAuditLog style): who did what to what, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guarded API
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditLog(models.Model):
    event_time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    event_type = models.CharField("事件", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField("操作人", max_length=100, blank=True)
    subject_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    subject_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    subject_repr = models.CharField("对象", max_length=200, blank=True)
    extra_data = models.JSONField("详情", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-event_time", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "event_time"])]

    def __str__(self) -> str:
        return f"{self.event_time:%Y-%m-%d %H:%M:%S} {self.actor_repr} {self.event_type} {self.subject_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")

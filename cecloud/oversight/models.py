"""Oversight records: study reminders (学习提醒) sent by unit HR to workers not done for a year.

The rows are the evidence the rate limits count (one reminder per person per day, a cap per unit
per hour); the SMS itself goes through the notifications sender after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cecloud.core.masking import mask_phone


class Reminder(models.Model):
    person = models.ForeignKey(
        "registry.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="study_reminders"
    )
    unit = models.ForeignKey("registry.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    training_year = models.ForeignKey(
        "training.TrainingYear", verbose_name="学习年度", on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField("手机号", max_length=11)
    state = models.CharField("提醒时状态", max_length=20)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField("发送时间", db_index=True)

    class Meta:
        verbose_name = "学习提醒"
        verbose_name_plural = "学习提醒"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["person", "sent_at"], name="reminder_person_sent"),
            models.Index(fields=["unit", "sent_at"], name="reminder_unit_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {mask_phone(self.phone)} {self.sent_at:%Y-%m-%d %H:%M}"

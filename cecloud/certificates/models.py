"""Training certificates 培训证明 (requirements S7): issued once per qualified class, frozen, verifiable.

A certificate copies what it certifies at issue time (name, ID number, unit, region, grade, year
and the credited hours from the ledger) so later registry changes never change a printed document.
Public lookups use the certificate number or the random verification code, never a primary key.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from cecloud.core.transitions import StateMachine
from cecloud.registry.models import Grade


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


# A certificate is issued valid; revoking is final (a new class would get a new certificate).
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.VALID: frozenset({CertificateStatus.REVOKED}),
    CertificateStatus.REVOKED: frozenset(),
}


class CertificateCounter(models.Model):
    """The last certificate sequence number used per training year (locked while issuing)."""

    year = models.PositiveIntegerField("年度", primary_key=True)
    last_value = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "证书序号"
        verbose_name_plural = "证书序号"

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Certificate(models.Model):
    enrollment = models.OneToOneField(
        "training.Enrollment", verbose_name="班级", on_delete=models.PROTECT, related_name="certificate"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField("证书编号", max_length=20, unique=True)
    verify_code = models.CharField("查验码", max_length=12, unique=True)
    year = models.PositiveIntegerField("年度", db_index=True)
    issued_on = models.DateField("发证日期")
    # Frozen at issue time.
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    unit_name = models.CharField("工作单位", max_length=100)
    region_name = models.CharField("所属地区", max_length=60)
    grade = models.CharField("技术等级", max_length=20, choices=Grade.choices)
    ideology_hours = models.DecimalField("思政学时", max_digits=5, decimal_places=1)
    general_hours = models.DecimalField("通识学时", max_digits=5, decimal_places=1)
    skill_hours = models.DecimalField("岗位提升学时", max_digits=5, decimal_places=1)
    total_hours = models.DecimalField("总学时", max_digits=5, decimal_places=1)
    required_hours = models.DecimalField("要求学时", max_digits=5, decimal_places=1)
    # The compact Ed25519-signed payload printed in the QR code, and the signing key's id.
    signed_payload = models.TextField("签名数据")
    key_id = models.CharField("签名密钥", max_length=16)
    # The PDF is rendered once and kept, so every download is byte-for-byte the same document.
    pdf = models.FileField("PDF", upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    status = models.CharField("状态", max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    states = StateMachine("培训证明", CertificateStatus, CERTIFICATE_TRANSITIONS)

    class Meta:
        verbose_name = "培训证明"
        verbose_name_plural = "培训证明"
        ordering = ["-year", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="valid") | (models.Q(revoked_at__isnull=False) & ~models.Q(revoke_reason="")),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return f"{self.number} {self.year}年度 {self.name}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def title(self) -> str:
        """The list line of the manual: 2023年度培训证明."""
        return f"{self.year}年度培训证明"

    @property
    def verify_code_display(self) -> str:
        """ABCD-EFGH-JKLM: easier to read out and type."""
        code = self.verify_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    def hours_by_category(self) -> list[tuple[str, Decimal]]:
        return [("思政", self.ideology_hours), ("通识", self.general_hours), ("岗位提升", self.skill_hours)]

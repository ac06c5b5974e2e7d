"""Back office: SMS records and verification codes, read-only (codes show no hash or salt)."""

from django.contrib import admin

from cecloud.core.admin_base import ReadOnlyModelAdmin
from cecloud.core.masking import mask_phone

from .models import SmsLog, VerificationCode


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    actions = None


@admin.register(SmsLog)
class SmsLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "masked_phone", "template", "backend", "status", "error_code", "error")
    list_filter = ("status", "template", "backend")
    search_fields = ("phone", "provider_id", "error_code")
    date_hierarchy = "created_at"
    fields = ("created_at", "masked_phone", "template", "backend", "status", "provider_id", "error_code", "error")

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(VerificationCode)
class VerificationCodeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "masked_phone", "purpose", "state", "attempts", "expires_at", "used_at")
    list_filter = ("state", "purpose")
    search_fields = ("phone",)
    date_hierarchy = "created_at"
    fields = ("created_at", "masked_phone", "purpose", "scope", "state", "attempts", "expires_at", "used_at")

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

"""Back office: the study reminders unit HR sent (read-only: they are the evidence of the limits)."""

from django.contrib import admin

from cecloud.core.masking import mask_phone

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "person", "masked_phone", "unit", "training_year", "state", "sent_by")
    list_filter = ("training_year", "state")
    search_fields = ("person__name", "unit__name")
    list_select_related = ("person", "unit", "training_year", "sent_by")
    date_hierarchy = "sent_at"
    show_full_result_count = False
    fields = ("sent_at", "person", "masked_phone", "unit", "training_year", "state", "sent_by")
    readonly_fields = fields

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Back office for oversight: the study reminders unit HR sent, and — until the training app
registers its own — read-only views of classes (班级) with their hour ledger and of the ledger
itself (学时记录). Classes and credited hours change only through services (payment, quizzes,
refunds); here operators look them up.
"""

from django.contrib import admin

from cecloud.core.admin_base import CityFilter, OperatorReadOnlyAdmin, ReadOnlyInline
from cecloud.core.masking import mask_id_number, mask_phone
from cecloud.training.models import Enrollment, HourLedgerEntry

from .models import Reminder


class ReadOnlyAdmin(OperatorReadOnlyAdmin):
    show_full_result_count = False  # no COUNT(*) over millions of rows per page


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "person", "masked_phone", "unit", "training_year", "state", "sent_by")
    list_filter = ("training_year", "state")
    search_fields = ("person__name", "unit__name")
    list_select_related = ("person", "unit", "training_year", "sent_by")
    date_hierarchy = "sent_at"
    fields = ("sent_at", "person", "masked_phone", "unit", "training_year", "state", "sent_by")
    readonly_fields = fields

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


class LedgerInline(ReadOnlyInline):
    model = HourLedgerEntry
    fields = ("created_at", "course", "category", "hours", "source", "attempt_ref")
    readonly_fields = fields


if not admin.site.is_registered(Enrollment):

    @admin.register(Enrollment)
    class EnrollmentAdmin(ReadOnlyAdmin):
        list_display = (
            "training_year",
            "person_name",
            "masked_id",
            "grade",
            "unit",
            "status",
            "total_hours",
            "opened_at",
            "qualified_at",
        )
        list_filter = ("training_year", "status", "grade_group", CityFilter)
        search_fields = ("person__name", "=person__id_number", "unit__name", "source_order_no")
        search_help_text = "按姓名、完整身份证号、单位或订单号搜索"
        list_select_related = ("training_year", "person", "unit")
        date_hierarchy = "opened_at"
        inlines = (LedgerInline,)
        fields = (
            "training_year",
            "person",
            "grade",
            "grade_group",
            "unit",
            "region",
            "ideology_hours",
            "general_hours",
            "skill_hours",
            "total_hours",
            "price",
            "status",
            "opened_at",
            "qualified_at",
            "closed_at",
            "close_reason",
            "source_order_no",
        )
        readonly_fields = fields

        @admin.display(description="学员", ordering="person__name")
        def person_name(self, obj):
            return obj.person.name

        @admin.display(description="身份证号")
        def masked_id(self, obj):
            return mask_id_number(obj.person.id_number)


if not admin.site.is_registered(HourLedgerEntry):

    @admin.register(HourLedgerEntry)
    class HourLedgerEntryAdmin(ReadOnlyAdmin):
        list_display = ("created_at", "enrollment", "course", "category", "hours", "source")
        list_filter = ("category", "source", "enrollment__training_year")
        search_fields = ("enrollment__person__name", "=enrollment__person__id_number", "course__title")
        list_select_related = ("enrollment__training_year", "enrollment__person", "course")
        date_hierarchy = "created_at"
        fields = ("created_at", "enrollment", "course", "category", "hours", "source", "attempt_ref", "evidence")
        readonly_fields = fields

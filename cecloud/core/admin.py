"""Back office: the audit log (审计日志), read-only for everyone, superusers included."""

import json

from django.contrib import admin
from django.utils.html import format_html

from .admin_audit import EventKindFilter, changes_html
from .admin_base import ReadOnlyModelAdmin
from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyModelAdmin):
    actions = None
    date_hierarchy = "event_time"
    list_display = ("event_time", "event_type", "actor_repr", "subject_type", "subject_repr", "ip_address")
    list_filter = (EventKindFilter, "subject_type")
    search_fields = ("event_type", "actor_repr", "subject_type", "subject_id", "subject_repr")
    list_select_related = ("actor",)
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    fields = (
        "event_time",
        "event_type",
        "actor",
        "actor_repr",
        "subject_type",
        "subject_id",
        "subject_repr",
        "changes_table",
        "pretty_extra_data",
        "ip_address",
    )
    readonly_fields = fields

    @admin.display(description="变更内容（修改前 → 修改后）")
    def changes_table(self, obj):
        return changes_html(obj) or "—"

    @admin.display(description="详情")
    def pretty_extra_data(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.extra_data, ensure_ascii=False, indent=2))

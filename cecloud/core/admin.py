"""Back office: the audit log (审计日志), read-only for everyone, superusers included; operators export
the filtered list as .xlsx (the export is itself audited)."""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from openpyxl import Workbook

from .admin_audit import EventKindFilter, changes_html
from .admin_base import ReadOnlyModelAdmin, is_operator
from .audit import audit_log
from .audit_retention import EXPORT_HEADER, export_rows
from .models import AuditLog
from .spreadsheet import XLSX_CONTENT_TYPE, xlsx_append, xlsx_bytes

EXPORT_MAX_ROWS = 200_000


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
    change_list_template = "admin/core/auditlog/change_list.html"

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="core_auditlog_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """导出: the entries the list shows (same filters, search and dates) as .xlsx, newest first."""
        if not (self.has_view_permission(request) and is_operator(request.user)):
            raise PermissionDenied
        entries = self.get_changelist_instance(request).get_queryset(request).order_by("-event_time", "-id")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("审计日志")
        xlsx_append(sheet, EXPORT_HEADER)
        count = 0
        for row in export_rows(entries[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)):
            xlsx_append(sheet, row)
            count += 1
        audit_log(
            event_type="audit.exported",
            actor=request.user,
            subject_type="core.auditlog",
            subject_repr=f"导出审计日志 {count} 条",
            extra_data={"rows": count, "filters": {k: request.GET.getlist(k) for k in request.GET}},
            request=request,
        )
        response = HttpResponse(xlsx_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
        filename = f"audit-log-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.display(description="变更内容（修改前 → 修改后）")
    def changes_table(self, obj):
        return changes_html(obj) or "—"

    @admin.display(description="详情")
    def pretty_extra_data(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.extra_data, ensure_ascii=False, indent=2))

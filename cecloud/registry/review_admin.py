"""Back office (operators): review of applications (入库申请) and correction requests (修改信息).

Imported at the end of ``registry/admin.py``. Requests come from the public form and from
learners, so operators cannot add them; decisions go through the registry services (approve /
reject with a reason) as admin actions, never by editing the status field.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from cecloud.core.admin_base import AuditedModelAdmin
from cecloud.core.admin_base import CityFilter as BaseCityFilter
from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number

from . import selectors, services
from .forms import RejectForm
from .models import Application, CorrectionRequest, RequestStatus


class ReviewAdminMixin:
    approve_service = None
    reject_service = None
    object_arg = ""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, decide, verb: str) -> None:
        done, failed = 0, []
        for obj in queryset.order_by("pk"):
            try:
                decide(obj)
                done += 1
            except ServiceError as exc:
                failed.append(f"{obj}：{exc.message}")
        if done:
            self.message_user(request, f"已{verb} {done} 条申请", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="审核通过所选申请", permissions=["change"])
    def approve_selected(self, request, queryset):
        service = type(self).approve_service
        self._run(
            request,
            queryset,
            lambda obj: service(**{self.object_arg: obj, "actor": request.user, "request": request}),
            "通过",
        )

    @admin.action(description="驳回所选申请（填写原因）", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply_reject" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            service = type(self).reject_service
            self._run(
                request,
                queryset,
                lambda obj: service(
                    **{self.object_arg: obj, "actor": request.user, "reason": reason, "request": request}
                ),
                "驳回",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "驳回申请",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": "reject_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "registry/review/admin_reject.html", context)


class CityFilter(BaseCityFilter):
    """所属市 of an application: its region or that region's city."""

    city_ordering = ("sort_order", "code")


class PersonCityFilter(CityFilter):
    """所属市 of a correction request: the person's region or that region's city."""

    region_field = "person__region"


class ApplicationReviewAdmin(ReviewAdminMixin, AuditedModelAdmin):
    approve_service = staticmethod(services.application_approve)
    reject_service = staticmethod(services.application_reject)
    object_arg = "application"
    actions = ["approve_selected", "reject_selected"]
    list_display = ("name", "masked_id", "unit_name", "region", "grade", "matched_unit", "status", "submitted_at")
    list_filter = ("status", "grade", CityFilter)
    search_fields = ("name", "id_number", "unit_name")
    date_hierarchy = "submitted_at"
    raw_id_fields = ("unit",)
    list_select_related = ("region__parent", "unit")
    fields = (
        "name",
        "id_number",
        "phone",
        "unit_name",
        "region",
        "unit",
        "grade",
        "post",
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "reject_reason",
        "person",
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = [f for f in self.fields if f != "unit"]
        if obj is not None and obj.status != RequestStatus.PENDING:
            readonly.append("unit")  # the matched unit can be corrected while the request is pending
        return readonly

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="匹配单位")
    def matched_unit(self, obj):
        return obj.unit.name if obj.unit_id else "—（新单位）"


class CorrectionReviewAdmin(ReviewAdminMixin, AuditedModelAdmin):
    approve_service = staticmethod(services.correction_approve)
    reject_service = staticmethod(services.correction_reject)
    object_arg = "correction"
    actions = ["approve_selected", "reject_selected"]
    list_display = ("person_name", "masked_id", "person_unit", "changed_fields", "status", "submitted_at")
    list_filter = ("status", PersonCityFilter)
    search_fields = ("person__name", "person__id_number")
    date_hierarchy = "submitted_at"
    list_select_related = ("person__unit",)
    fields = (
        "person",
        "change_table",
        "reason",
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "reject_reason",
    )
    readonly_fields = fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Everything is read-only here: decisions are the list's actions, so no save buttons.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="姓名", ordering="person__name")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.person.id_number)

    @admin.display(description="工作单位")
    def person_unit(self, obj):
        return obj.person.unit.name

    @admin.display(description="修改项")
    def changed_fields(self, obj):
        return "、".join(selectors.CORRECTION_LABELS.get(f, f) for f in CorrectionRequest.FIELDS if f in obj.changes)

    @admin.display(description="修改内容")
    def change_table(self, obj):
        rows = selectors.correction_rows(obj)
        current = obj.status == RequestStatus.PENDING
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>",
            ((r["label"], r["current"] if current else "—", r["requested"]) for r in rows),
        )
        return format_html(
            "<table><thead><tr><th>修改项</th><th>当前信息</th><th>申请修改为</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )


admin.site.register(Application, ApplicationReviewAdmin)
admin.site.register(CorrectionRequest, CorrectionReviewAdmin)

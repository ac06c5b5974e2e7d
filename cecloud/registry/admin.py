"""Operators' back office (Django admin, Chinese) for the personnel registry.

Section 1 (this part): regions (read-only), units, people (masked IDs in lists; opening a person
shows the full ID number and is audited), change history (read-only) and the registry import
(导入人员库: upload, 仅校验 or 导入, a Celery task, a progress bar polled with htmx).
Section 2 (end of file): applications and correction requests (review_admin).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Func, IntegerField
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from cecloud.core.admin_base import CityFilter, OperatorOnlyAdmin, is_operator
from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.ids import IdError, validate_credit_code, validate_id_number
from cecloud.core.masking import mask_id_number, mask_phone
from cecloud.core.spreadsheet import SpreadsheetTooLarge, check_xlsx_upload, csv_writer
from cecloud.core.text import is_valid_phone, normalize_phone

from . import importer, services
from .models import Grade, ImportJob, Person, PersonHistory, PersonStatus, Region, Unit
from .selectors import CORRECTION_LABELS


# === Section 1: registry, people, history, import ==============================================
class PersonCityFilter(CityFilter):
    region_field = "person__region"


@admin.register(Region)
class RegionAdmin(OperatorOnlyAdmin):
    operator_can_add = operator_can_change = False
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    list_per_page = 200


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("name", "region", "kind", "credit_code")

    def clean_credit_code(self):
        code = self.cleaned_data.get("credit_code") or ""
        if not code:
            return ""
        try:
            return validate_credit_code(code)
        except IdError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(Unit)
class UnitAdmin(OperatorOnlyAdmin):
    form = UnitForm
    list_display = ("name", "region", "kind", "credit_code", "people_count")
    list_filter = ("kind", CityFilter)
    search_fields = ("name", "credit_code")
    list_select_related = ("region__parent",)
    autocomplete_fields = ("region",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_people=Count("people"))

    @admin.display(description="人数", ordering="_people")
    def people_count(self, obj):
        return obj._people


class PersonForm(forms.ModelForm):
    # Longer than the stored values: spaces and full-width digits are normalised in clean_*.
    id_number = forms.CharField(label="身份证号", max_length=40)
    phone = forms.CharField(label="手机号", max_length=30, required=False)

    class Meta:
        model = Person
        fields = ("name", "id_number", "phone", "unit", "region", "grade", "post", "status")

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data.get("id_number") or "")
        except IdError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data.get("phone") or "")
        if phone and not is_valid_phone(phone):
            raise forms.ValidationError("手机号格式错误：应为1开头的11位手机号码")
        return phone


HISTORY_LABELS = {**CORRECTION_LABELS, "status": "在岗状态"}  # a correction changes all but the status
_VALUE_LABELS = {"grade": dict(Grade.choices), "status": dict(PersonStatus.choices)}


def history_changes(entry: PersonHistory) -> str:
    """ "在岗状态：在岗 → 离岗；手机号：… → …" (ids left out; codes shown by their labels)."""
    parts = []
    for key, label in HISTORY_LABELS.items():
        if key not in entry.after and key not in entry.before:
            continue
        labels = _VALUE_LABELS.get(key, {})
        old = entry.before.get(key, "")
        new = entry.after.get(key, "")
        parts.append(f"{label}：{labels.get(old, old) or '（空）'} → {labels.get(new, new) or '（空）'}")
    return "；".join(parts)


class PersonHistoryInline(admin.TabularInline):
    model = PersonHistory
    extra = 0
    can_delete = False
    fields = ("changed_at", "source", "changed_by", "changes")
    readonly_fields = fields
    ordering = ("-changed_at", "-id")
    verbose_name_plural = "变更记录"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    @admin.display(description="变更内容")
    def changes(self, obj):
        return history_changes(obj)


@admin.register(Person)
class PersonAdmin(OperatorOnlyAdmin):
    form = PersonForm
    change_list_template = "registry/admin/person_change_list.html"
    list_display = ("name", "masked_id", "masked_phone", "unit", "region_name", "grade", "status")
    list_filter = ("status", "grade", CityFilter)
    search_fields = ("name", "id_number")
    search_help_text = "按姓名或身份证号（可只输入前几位）搜索"
    list_select_related = ("unit", "region__parent")
    autocomplete_fields = ("unit", "region")
    readonly_fields = ("created_at", "updated_at")
    inlines = (PersonHistoryInline,)
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        fields = list(PersonForm.Meta.fields)
        return fields + list(self.readonly_fields) if obj is not None else fields

    def get_search_results(self, request, queryset, search_term):
        """An ID number (or its first digits) searches by prefix on the unique index; else by name."""
        term = normalize_phone(search_term)  # half-width, no spaces, upper-case X
        if term and (term.isdigit() or (term[:-1].isdigit() and term[-1] == "X")) and len(term) >= 6:
            return queryset.filter(id_number__startswith=term), False
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(name__contains=term), False

    @admin.display(description="身份证号", ordering="id_number")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description="所属地区", ordering="region__code")
    def region_name(self, obj):
        return obj.region.full_name

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            person = self.get_object(request, object_id)
            if person is not None:
                audit_log(
                    event_type="person.viewed_full_id",
                    actor=request.user,
                    subject=person,
                    extra_data={"where": "admin"},
                    request=request,
                )
        return response

    def save_model(self, request, obj, form, change):
        # The history row comes from the service; the edit itself is audited once, by the base class.
        services.person_save(person=obj, changed_fields=form.changed_data, actor=request.user, source="admin")


@admin.register(PersonHistory)
class PersonHistoryAdmin(OperatorOnlyAdmin):
    operator_can_add = operator_can_change = False
    list_display = ("changed_at", "person", "source", "changed_by", "changes")
    list_filter = ("source", PersonCityFilter)
    search_fields = ("person__name", "person__id_number")
    list_select_related = ("person", "changed_by")
    raw_id_fields = ("person",)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        term = normalize_phone(search_term)
        if term and len(term) >= 6 and (term.isdigit() or (term[:-1].isdigit() and term[-1] == "X")):
            return queryset.filter(person__id_number__startswith=term), False
        term = search_term.strip()
        return (queryset.filter(person__name__contains=term) if term else queryset), False

    @admin.display(description="变更内容")
    def changes(self, obj):
        return history_changes(obj)


# --- 导入人员库 ------------------------------------------------------------------------------------
class JSONArrayLength(Func):
    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


IMPORT_MAX_BYTES = 100 * 1024 * 1024
ERRORS_SHOWN = 500


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="人员信息文件（.xlsx）", help_text="第一行为表头：" + "、".join(importer.COLUMNS))
    mode = forms.ChoiceField(
        label="方式",
        choices=[("dry_run", "仅校验（报告所有错误行，不写入）"), ("import", "导入（有任何错误行则全部不导入）")],
        initial="dry_run",
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（可先下载信息模板）")
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"文件过大（最大 {IMPORT_MAX_BYTES // 1024 // 1024} MB）")
        try:
            check_xlsx_upload(upload, profile="registry")
        except SpreadsheetTooLarge as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def job_context(job: ImportJob) -> dict:
    errors = [e for e in (job.errors or []) if e.get("row")]
    notes = [e["reason"] for e in (job.errors or []) if not e.get("row")]
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)
    return {
        "job": job,
        "running": running,
        "percent": job.percent if not running or job.total_rows else 0,
        "file_name": importer.job_file_name(job),
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_truncated": len(errors) > ERRORS_SHOWN,
        "notes": notes,
        "can_import": job.dry_run and job.status == ImportJob.Status.DONE,
    }


@admin.register(ImportJob)
class ImportJobAdmin(OperatorOnlyAdmin):
    operator_can_change = False
    list_display = (
        "created_at",
        "file_label",
        "mode",
        "status_label",
        "total_rows",
        "created_count",
        "updated_count",
        "error_count",
        "created_by",
    )
    list_filter = ("status", "dry_run")
    list_select_related = ("created_by",)
    change_list_template = "registry/admin/importjob_change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/status/", wrap(self.status_view), name="registry_importjob_status"),
            path("<int:job_id>/errors.csv", wrap(self.errors_view), name="registry_importjob_errors"),
            path("<int:job_id>/run/", wrap(self.run_view), name="registry_importjob_run"),
            *super().get_urls(),
        ]

    @admin.display(description="文件")
    def file_label(self, obj):
        return importer.job_file_name(obj)

    @admin.display(description="方式", ordering="dry_run")
    def mode(self, obj):
        return "仅校验" if obj.dry_run else "导入"

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj):
        css = {"done": "success", "failed": "danger", "error": "danger"}.get(obj.status, "info")
        return format_html('<span class="import-status import-status-{}">{}</span>', css, obj.get_status_display())

    def get_queryset(self, request):
        # The list shows how many errors a job has without loading them (up to 20,000 per job).
        return super().get_queryset(request).defer("errors").annotate(_errors=JSONArrayLength("errors"))

    @admin.display(description="错误", ordering="_errors")
    def error_count(self, obj):
        if obj._errors and obj._errors > importer.MAX_STORED_ERRORS:
            return f"{importer.MAX_STORED_ERRORS}+"
        return obj._errors or 0

    def _require_operator(self, request):
        if not is_operator(request.user):
            raise PermissionDenied("无权访问")

    def add_view(self, request, form_url="", extra_context=None):
        """导入人员库: upload a file, choose 仅校验 or 导入; the task starts after commit."""
        self._require_operator(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = importer.import_job_create(
                upload=form.cleaned_data["file"], dry_run=form.cleaned_data["mode"] == "dry_run", actor=request.user
            )
            return redirect("admin:registry_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "导入人员库",
            "opts": self.model._meta,
            "form": form,
            "columns": importer.COLUMNS,
            "recent": ImportJob.objects.select_related("created_by").defer("errors")[:5],
        }
        return TemplateResponse(request, "registry/admin/import_form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: progress bar (polled every second while running), then errors or summary."""
        self._require_operator(request)
        job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": "导入人员库",
            "opts": self.model._meta,
            **job_context(job),
        }
        return TemplateResponse(request, "registry/admin/import_job.html", context)

    def status_view(self, request, job_id: int):
        """htmx fragment: the progress bar and, once finished, the result."""
        self._require_operator(request)
        queryset = ImportJob.objects.select_related("created_by")
        job = get_object_or_404(queryset, pk=job_id)
        return TemplateResponse(request, "registry/admin/_import_status.html", job_context(job))

    def run_view(self, request, job_id: int):
        """导入 the file of a successful 仅校验 job."""
        self._require_operator(request)
        if request.method != "POST":
            return redirect("admin:registry_importjob_change", job_id)
        job = get_object_or_404(ImportJob, pk=job_id)
        try:
            new = importer.import_job_create_from(job=job, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("admin:registry_importjob_change", job_id)
        return redirect("admin:registry_importjob_change", new.pk)

    def errors_view(self, request, job_id: int):
        """All stored error lines as CSV (Excel-friendly UTF-8 with BOM)."""
        self._require_operator(request)
        job = get_object_or_404(ImportJob, pk=job_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename=import-{job.pk}-errors.csv"
        response.write("\ufeff")
        writer = csv_writer(response)
        writer.writerow(["行号", "列", "原因"])
        for error in job.errors or []:
            writer.writerow([error.get("row") or "", error.get("column", ""), error.get("reason", "")])
        audit_log(event_type="registry.import_errors_exported", actor=request.user, subject=job, request=request)
        return response

    def history_view(self, request, object_id, extra_context=None):
        self._require_operator(request)
        return redirect(reverse("admin:registry_importjob_change", args=[object_id]))


# === Section 2: applications and correction requests (review by operators) =====================
# Kept in their own module so this file stays with the registry import admin; importing it
# registers ApplicationReviewAdmin and CorrectionReviewAdmin.
from . import review_admin  # noqa: E402,F401

"""Operators' back office for training years, hour requirements and prices, and regional schedules (requirements S2).

A year's hours and prices can be changed until someone registers for it (an order line or an
opened class); after that they are shown read-only and every save path refuses the change
(``training_year_assert_editable``). Schedules stay editable: regions move their windows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from cecloud.core.admin_base import OperatorOnlyAdmin
from cecloud.core.errors import ServiceError

from .models import Enrollment, RegionSchedule, TrainingYear, YearRequirement
from .services import training_year_assert_editable, training_year_has_registrations


def _locked(obj: TrainingYear | None) -> bool:
    return bool(obj is not None and obj.pk and training_year_has_registrations(obj))


class RequirementFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.pk and self.has_changed():
            try:
                training_year_assert_editable(training_year=self.instance)
            except ServiceError as exc:
                raise ValidationError(exc.message) from None


class YearRequirementInline(admin.TabularInline):
    model = YearRequirement
    formset = RequirementFormSet
    extra = 0
    fields = ["grade_group", "ideology_hours", "general_hours", "skill_hours", "total", "price"]
    readonly_fields = ["total"]
    verbose_name_plural = "学时要求与价格（有学员报名后不能修改）"

    @admin.display(description="总学时")
    def total(self, obj):
        return obj.total_hours if obj.pk else "—"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _locked(obj)


class TrainingYearForm(forms.ModelForm):
    class Meta:
        model = TrainingYear
        fields = ["year", "is_active"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.instance.pk and year != self.instance.year:
            try:
                training_year_assert_editable(training_year=self.instance)
            except ServiceError as exc:
                raise ValidationError(exc.message) from None
        return year


@admin.register(TrainingYear)
class TrainingYearAdmin(OperatorOnlyAdmin):
    form = TrainingYearForm
    list_display = ["year", "is_active", "requirements_summary", "enrollment_count", "locked_display"]
    list_filter = ["is_active"]
    inlines = [YearRequirementInline]
    operator_can_delete = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("requirements")

    @admin.display(description="学时要求与价格")
    def requirements_summary(self, obj):
        parts = [
            f"{r.get_grade_group_display()}：{r.total_hours:g}学时（思政{r.ideology_hours:g}/通识{r.general_hours:g}/岗位提升{r.skill_hours:g}）{r.price}元"
            for r in obj.requirements.all()
        ]
        return format_html("{}", "；".join(parts)) if parts else "—"

    @admin.display(description="已开班")
    def enrollment_count(self, obj):
        return Enrollment.objects.filter(training_year=obj).count()

    @admin.display(description="可修改", boolean=True)
    def locked_display(self, obj):
        return not _locked(obj)

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if _locked(obj) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not _locked(obj))


@admin.register(RegionSchedule)
class RegionScheduleAdmin(OperatorOnlyAdmin):
    list_display = ["region", "training_year", "register_window", "study_window", "catch_up_open", "updated_at"]
    list_filter = ["training_year", "catch_up_open", "region__level"]
    search_fields = ["region__name", "region__code"]
    autocomplete_fields = ["region"]
    list_select_related = ["region", "region__parent", "training_year"]
    operator_can_delete = True

    @admin.display(description="报名缴费")
    def register_window(self, obj):
        return f"{obj.register_start:%Y-%m-%d} 至 {obj.register_end:%Y-%m-%d}"

    @admin.display(description="学习考试")
    def study_window(self, obj):
        return f"{obj.study_start:%Y-%m-%d} 至 {obj.study_end:%Y-%m-%d}"

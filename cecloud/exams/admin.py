"""Back office (运营后台) for quizzes: the question bank (with Excel import), quiz policies, attempts."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from cecloud.core.admin_base import AuditedModelAdmin, ReadOnlyModelAdmin

from .importer import import_questions, template_workbook
from .models import AttemptQuestion, Question, QuestionKind, QuestionOption, QuizAttempt, QuizPolicy
from .services import question_set_active


class OptionFormSet(BaseInlineFormSet):
    """The options must fit the question type: 单选/判断 exactly one correct, 多选 at least two."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kind = self.instance.kind
        correct = sum(1 for row in rows if row.get("is_correct"))
        if len(rows) < 2:
            raise ValidationError("至少需要2个选项")
        if kind == QuestionKind.TRUE_FALSE and len(rows) != 2:
            raise ValidationError("判断题须为“正确”“错误”两个选项")
        if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct != 1:
            raise ValidationError(f"{QuestionKind(kind).label}须有且只有1个正确答案")
        if kind == QuestionKind.MULTIPLE and correct < 2:
            raise ValidationError("多选题至少需要2个正确答案")


class OptionInline(admin.TabularInline):
    model = QuestionOption
    formset = OptionFormSet
    extra = 4
    fields = ["order", "text", "is_correct"]


class QuestionImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件", help_text=".xlsx，第一行为表头")
    dry_run = forms.BooleanField(label="仅校验（不写入）", required=False, initial=True)


@admin.register(Question)
class QuestionAdmin(AuditedModelAdmin):
    list_display = ["short_stem", "course", "kind", "knowledge_point", "chapter", "has_range", "is_active"]
    list_filter = ["kind", "is_active", "course__category", "course__provider"]
    search_fields = ["stem", "course__title", "knowledge_point"]
    list_select_related = ["course", "chapter"]
    autocomplete_fields = ["course"]
    inlines = [OptionInline]
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["course", "kind", "stem", "explanation", "knowledge_point", "is_active", "sort_order"]}),
        ("回看讲解", {"fields": ["chapter", "range_start", "range_end"]}),
    ]

    @admin.display(description="题干")
    def short_stem(self, obj):
        return obj.stem[:40] + ("…" if len(obj.stem) > 40 else "")

    @admin.display(description="讲解区间", boolean=True)
    def has_range(self, obj):
        return obj.has_range

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chapter":
            kwargs["queryset"] = db_field.related_model.objects.select_related("course").order_by("course", "order")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Drawn questions are referenced by attempts: deactivate them instead.
        if obj is not None and AttemptQuestion.objects.filter(question=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="启用所选试题")
    def activate(self, request, queryset):
        count = question_set_active(question_ids=list(queryset.values_list("pk", flat=True)), active=True)
        self.message_user(request, f"已启用 {count} 道试题", messages.SUCCESS)

    @admin.action(description="停用所选试题")
    def deactivate(self, request, queryset):
        count = question_set_active(question_ids=list(queryset.values_list("pk", flat=True)), active=False)
        self.message_user(request, f"已停用 {count} 道试题", messages.SUCCESS)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="exams_question_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template),
                name="exams_question_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template(self, request):
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''question_import_template.xlsx"
        return response

    def import_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:exams_question_changelist"))
        result = None
        if request.method == "POST":
            form = QuestionImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = import_questions(
                    form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"], actor=request.user
                )
                if result.ok and not result.dry_run:
                    self.message_user(
                        request, f"导入完成：新增 {result.created} 道，更新 {result.updated} 道", messages.SUCCESS
                    )
                    return HttpResponseRedirect(reverse("admin:exams_question_changelist"))
        else:
            form = QuestionImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "批量导入试题",
            "form": form,
            "result": result,
            "template_url": reverse("admin:exams_question_import_template"),
        }
        return TemplateResponse(request, "admin/exams/question/import.html", context)


@admin.register(QuizPolicy)
class QuizPolicyAdmin(AuditedModelAdmin):
    list_display = [
        "course",
        "single_count",
        "multiple_count",
        "true_false_count",
        "points_per_question",
        "pass_score",
        "multiple_scoring",
    ]
    search_fields = ["course__title"]
    autocomplete_fields = ["course"]
    list_select_related = ["course"]


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    fields = ["position", "kind", "stem", "chosen", "correct", "is_correct", "earned"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyModelAdmin):
    """Read-only: attempts change only through the learner's quiz page."""

    list_display = ["course", "learner", "number", "status", "score", "passed", "started_at", "submitted_at"]
    list_filter = ["status", "passed", "enrollment__training_year"]
    search_fields = ["course__title", "enrollment__person__name", "public_id"]
    list_select_related = ["course", "enrollment__person"]
    inlines = [AttemptQuestionInline]
    readonly_fields = [
        "public_id",
        "enrollment",
        "course",
        "user",
        "number",
        "status",
        "total_score",
        "pass_score",
        "multiple_scoring",
        "score",
        "passed",
        "started_at",
        "submitted_at",
    ]

    @admin.display(description="学员")
    def learner(self, obj):
        return obj.enrollment.person.name

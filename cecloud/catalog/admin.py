"""Back office (运营后台) for the catalog: providers, lecturers, tags, courses with chapters, import."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from cecloud.core.admin_base import AuditedModelAdmin
from cecloud.core.errors import ServiceError

from . import media, services
from .importer import import_courses, template_workbook
from .models import Chapter, Course, CourseLecturer, Lecturer, PreviewGrant, Provider, SubjectTag
from .selectors import catalog_changed


class CatalogChangedMixin:
    """Every back-office write to what the course listing shows invalidates its cached pages."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalog_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalog_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        catalog_changed()


@admin.register(Provider)
class ProviderAdmin(CatalogChangedMixin, AuditedModelAdmin):
    list_display = ["name", "short_name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(Lecturer)
class LecturerAdmin(CatalogChangedMixin, AuditedModelAdmin):
    list_display = ["name", "title"]
    search_fields = ["name", "title"]


@admin.register(SubjectTag)
class SubjectTagAdmin(CatalogChangedMixin, AuditedModelAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


class ChapterForm(forms.ModelForm):
    class Meta:
        model = Chapter
        fields = ["order", "title", "video"]

    def clean_video(self):
        """Refuse files whose duration cannot be read (not a video) before anything is stored."""
        video = self.cleaned_data.get("video")
        if video and "video" in self.changed_data and hasattr(video, "size"):
            local = video.temporary_file_path() if isinstance(video, TemporaryUploadedFile) else None
            try:
                video.seek(0)
                duration = media.probe_duration(video, video.size, local_path=local)
            except (media.MediaError, OSError):
                raise forms.ValidationError("无法读取视频时长，请上传 MP4 等常见格式的视频文件") from None
            finally:
                video.seek(0)
            if duration <= 0:
                raise forms.ValidationError("视频时长为 0，请检查文件")
        return video


class ChapterInline(admin.TabularInline):
    model = Chapter
    form = ChapterForm
    extra = 1
    fields = ["order", "title", "video", "duration", "hls_status", "move"]
    readonly_fields = ["duration", "hls_status", "move"]
    ordering = ["order", "id"]

    @admin.display(description="时长")
    def duration(self, obj):
        return obj.duration_display if obj.pk and obj.duration_seconds else "—"

    @admin.display(description="调整顺序")
    def move(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">上移</a> / <a href="{}">下移</a>',
            reverse("admin:catalog_chapter_move", args=[obj.pk, "up"]),
            reverse("admin:catalog_chapter_move", args=[obj.pk, "down"]),
        )


class CourseLecturerInline(admin.TabularInline):
    model = CourseLecturer
    extra = 1
    autocomplete_fields = ["lecturer"]
    fields = ["lecturer", "sort_order"]
    verbose_name = "讲师"
    verbose_name_plural = "讲师（按顺序显示）"


class CourseImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件 (.xlsx)")
    dry_run = forms.BooleanField(label="仅校验（不写入）", required=False, initial=True)


def _after_chapter_saved(request, chapter: Chapter) -> None:
    try:
        services.chapter_video_saved(chapter=chapter, actor=request.user)
    except ServiceError as exc:
        messages.error(request, f"{chapter.title}：{exc.message}")


@admin.register(Course)
class CourseAdmin(CatalogChangedMixin, AuditedModelAdmin):
    list_display = [
        "title",
        "category",
        "tag",
        "provider",
        "hours",
        "year_list",
        "chapter_count",
        "is_published",
        "rating",
        "enrolled_count",
    ]
    list_filter = ["category", "is_published", "provider", "tag", "years"]
    search_fields = ["title"]
    list_select_related = ["provider", "tag"]
    filter_horizontal = ["years"]
    readonly_fields = ["rating", "rating_count", "enrolled_count", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "category", "tag", "provider", "hours", "years", "is_published", "sort_order"]}),
        ("展示", {"fields": ["cover", "description"]}),
        ("统计（系统维护）", {"fields": ["rating", "rating_count", "enrolled_count", "created_at", "updated_at"]}),
    ]
    inlines = [CourseLecturerInline, ChapterInline]
    actions = ["publish", "unpublish"]
    change_list_template = "admin/catalog/course/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("years", "chapters")

    @admin.display(description="适用年度")
    def year_list(self, obj):
        return "、".join(str(y.year) for y in sorted(obj.years.all(), key=lambda y: y.year))

    @admin.display(description="章节数")
    def chapter_count(self, obj):
        return len(obj.chapters.all())

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("is_published")  # published through the actions, which check the chapters
        return fields

    def save_formset(self, request, form, formset, change):
        if formset.model is not Chapter:
            return super().save_formset(request, form, formset, change)
        changed_video = [f.instance for f in formset.forms if f.has_changed() and "video" in f.changed_data]
        super().save_formset(request, form, formset, change)
        for chapter in changed_video:
            if chapter.pk:
                _after_chapter_saved(request, chapter)

    @admin.action(description="发布所选课程")
    def publish(self, request, queryset):
        try:
            count = services.course_set_published(
                course_ids=list(queryset.values_list("pk", flat=True)), published=True, actor=request.user
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已发布 {count} 门课程", messages.SUCCESS)

    @admin.action(description="取消发布所选课程")
    def unpublish(self, request, queryset):
        count = services.course_set_published(
            course_ids=list(queryset.values_list("pk", flat=True)), published=False, actor=request.user
        )
        self.message_user(request, f"已取消发布 {count} 门课程", messages.SUCCESS)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_course_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template),
                name="catalog_course_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template(self, request):
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''course_import_template.xlsx"
        return response

    def import_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:catalog_course_changelist"))
        result = None
        if request.method == "POST":
            form = CourseImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = import_courses(
                    form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"], actor=request.user
                )
                if result.ok and not result.dry_run:
                    self.message_user(
                        request, f"导入完成：新增 {result.created} 门，更新 {result.updated} 门", messages.SUCCESS
                    )
                    return HttpResponseRedirect(reverse("admin:catalog_course_changelist"))
        else:
            form = CourseImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "批量导入课程",
            "form": form,
            "result": result,
            "template_url": reverse("admin:catalog_course_import_template"),
        }
        return TemplateResponse(request, "admin/catalog/course/import.html", context)


@admin.register(Chapter)
class ChapterAdmin(AuditedModelAdmin):
    form = ChapterForm
    list_display = ["title", "course", "order", "duration", "hls_status", "move"]
    list_filter = ["hls_status", "course__category"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    ordering = ["course", "order", "id"]
    autocomplete_fields = ["course"]
    fields = [
        "course",
        "order",
        "title",
        "video",
        "duration_seconds",
        "video_size",
        "hls_status",
        "hls_playlist",
        "hls_error",
    ]
    readonly_fields = ["duration_seconds", "video_size", "hls_status", "hls_playlist", "hls_error"]
    actions = ["make_hls"]

    @admin.display(description="时长")
    def duration(self, obj):
        return obj.duration_display if obj.duration_seconds else "—"

    @admin.display(description="调整顺序")
    def move(self, obj):
        return format_html(
            '<a href="{}">上移</a> / <a href="{}">下移</a>',
            reverse("admin:catalog_chapter_move", args=[obj.pk, "up"]),
            reverse("admin:catalog_chapter_move", args=[obj.pk, "down"]),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "video" in form.changed_data:
            _after_chapter_saved(request, obj)

    @admin.action(description="重新生成 HLS 播放版本")
    def make_hls(self, request, queryset):
        if not services.hls_enabled():
            self.message_user(request, "服务器未安装 ffmpeg（或已关闭转码），无法生成 HLS", messages.WARNING)
            return
        count = 0
        for chapter in queryset.exclude(video=""):
            _after_chapter_saved(request, chapter)
            count += 1
        self.message_user(request, f"已安排 {count} 个章节转码", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:pk>/move/<str:direction>/",
                self.admin_site.admin_view(self.move_view),
                name="catalog_chapter_move",
            ),
            *super().get_urls(),
        ]

    def move_view(self, request, pk: int, direction: str):
        chapter = get_object_or_404(Chapter, pk=pk)
        if not self.has_change_permission(request, chapter):
            return HttpResponseRedirect(reverse("admin:index"))
        try:
            services.chapter_move(chapter=chapter, direction=direction, actor=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:catalog_course_change", args=[chapter.course_id])
        return HttpResponseRedirect(back)


@admin.register(PreviewGrant)
class PreviewGrantAdmin(AuditedModelAdmin):
    list_display = ["user", "course", "day", "started_at", "expires_at"]
    list_filter = ["day"]
    search_fields = ["user__username", "course__title"]
    list_select_related = ["user", "course"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Back office 信息发布: operators write articles, attach files, scope, pin and schedule them.

Every save goes through the services, so bodies are sanitised here exactly as anywhere else.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from cecloud.core.admin_base import AuditedModelAdmin
from cecloud.core.errors import ServiceError
from cecloud.registry.models import Region

from . import services
from .models import Article, ArticleStatus, Attachment
from .sanitize import sanitize_html


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "name", "sort_order"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size"):
            try:
                services.check_attachment_file(name=upload.name, size=upload.size)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from None
        return upload


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    fields = ["file", "name", "sort_order", "size_display"]
    readonly_fields = ["size_display"]

    @admin.display(description="大小")
    def size_display(self, obj):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(obj.size) if obj and obj.pk else "—"


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["category", "title", "summary", "body", "status", "published_at", "pinned", "region"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 80, "class": "vTextField"}),
            "body": forms.Textarea(
                attrs={"rows": 24, "cols": 100, "class": "vLargeTextField article-body"}  # monospace: admin.css
            ),
            "summary": forms.Textarea(attrs={"rows": 2, "cols": 100}),
        }

    def clean(self):
        data = super().clean()
        if data.get("status") == ArticleStatus.PUBLISHED and not sanitize_html(data.get("body") or ""):
            self.add_error("body", "正文为空（或清理不安全内容后为空），不能发布")
        return data


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin):
    form = ArticleForm
    inlines = [AttachmentInline]

    class Media:
        css = {"all": ["infocenter/admin.css"]}  # no style="…" (Content-Security-Policy)

    list_display = ["title", "category", "state", "scope", "pinned", "published_at", "view_count", "preview_link"]
    list_display_links = ["title"]
    list_filter = ["category", "status", "pinned", ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_at"
    list_per_page = 30
    list_select_related = ["region", "region__parent"]
    readonly_fields = ["preview_link", "view_count", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["category", "title", "summary", "body"]}),
        ("发布设置", {"fields": ["status", "published_at", "pinned", "region"]}),
        ("其他", {"fields": ["preview_link", "view_count", "created_by", "created_at", "updated_at"]}),
    ]
    actions = ["publish_selected", "withdraw_selected"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 24})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = (
                Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.COUNTY])
                .select_related("parent")
                .order_by("code")
            )
            kwargs["empty_label"] = "全省（不限地区）"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="状态")
    def state(self, obj):
        return obj.state_label

    @admin.display(description="发布范围", ordering="region__code")
    def scope(self, obj):
        return obj.region.full_name if obj.region_id else "全省"

    @admin.display(description="预览")
    def preview_link(self, obj):
        if not obj or not obj.pk:
            return "保存后可预览"
        return format_html('<a href="{}" target="_blank" rel="noopener">预览</a>', obj.get_absolute_url())

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, actor=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for attachment in formset.deleted_objects:
            services.attachment_delete(attachment=attachment, actor=request.user, request=request)
        for attachment in instances:
            services.attachment_save(attachment=attachment, actor=request.user, request=request)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.article_delete(article=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            services.article_delete(article=article, actor=request.user, request=request)

    def _set_status(self, request, queryset, status: str) -> None:
        done = 0
        for article in queryset:
            try:
                services.article_set_status(article=article, status=status, actor=request.user, request=request)
                done += 1
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        if done:
            self.message_user(request, f"已处理 {done} 条", messages.SUCCESS)

    @admin.action(description="发布所选信息")
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, ArticleStatus.PUBLISHED)

    @admin.action(description="撤回为草稿")
    def withdraw_selected(self, request, queryset):
        self._set_status(request, queryset, ArticleStatus.DRAFT)

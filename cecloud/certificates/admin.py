"""Back office: certificates are read-only; operators revoke one with a reason (audited)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from cecloud.core.admin_base import ReadOnlyModelAdmin, is_operator
from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number

from .forms import RevokeForm
from .models import Certificate, CertificateStatus
from .services import certificate_revoke


def _operator(request) -> bool:
    return is_operator(request.user)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyModelAdmin):
    list_display = [
        "number",
        "year",
        "name",
        "masked_id",
        "unit_name",
        "grade",
        "total_hours",
        "issued_on",
        "status_label",
    ]
    list_filter = ["status", "year", "grade"]
    search_fields = ["=number", "=verify_code", "name", "=id_number", "unit_name"]
    date_hierarchy = "issued_on"
    ordering = ["-created_at"]
    actions = ["revoke_selected"]
    list_select_related = False
    fields = [
        "number",
        "verify_code",
        "status",
        "revoked_at",
        "revoke_reason",
        "revoked_by",
        "year",
        "issued_on",
        "name",
        "masked_id",
        "unit_name",
        "region_name",
        "grade",
        "ideology_hours",
        "general_hours",
        "skill_hours",
        "total_hours",
        "required_hours",
        "key_id",
        "pdf_sha256",
        "created_at",
    ]
    readonly_fields = fields

    # Read-only for everyone; operators may view and revoke.
    def has_module_permission(self, request):
        return _operator(request)

    def has_view_permission(self, request, obj=None):
        return _operator(request)

    def has_revoke_permission(self, request):
        return _operator(request)

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj):
        if obj.status == CertificateStatus.REVOKED:
            return f"已撤销（{obj.revoke_reason}）"
        return obj.get_status_display()

    def get_urls(self):
        return [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="certificates_certificate_revoke",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and obj.status == CertificateStatus.VALID and self.has_revoke_permission(request):
            extra_context["revoke_url"] = reverse("admin:certificates_certificate_revoke", args=[obj.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def _revoke(self, request, certificates, reason: str) -> int:
        done = 0
        for certificate in certificates:
            try:
                certificate_revoke(certificate=certificate, reason=reason, actor=request.user, request=request)
                done += 1
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        if done:
            self.message_user(request, f"已撤销 {done} 份培训证明", messages.SUCCESS)
        return done

    def _form_page(self, request, certificates, form, *, action: bool):
        context = {
            **self.admin_site.each_context(request),
            "title": "撤销培训证明",
            "opts": self.model._meta,
            "certificates": certificates,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/certificates/certificate/revoke.html", context)

    @admin.action(description="撤销所选培训证明", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        certificates = list(queryset.filter(status=CertificateStatus.VALID))
        if not certificates:
            self.message_user(request, "所选培训证明均已撤销", messages.WARNING)
            return None
        if "apply" in request.POST:
            form = RevokeForm(request.POST)
            if form.is_valid():
                self._revoke(request, certificates, form.cleaned_data["reason"])
                return None
        else:
            form = RevokeForm()
        return self._form_page(request, certificates, form, action=True)

    def revoke_view(self, request, pk: int):
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        certificate = get_object_or_404(Certificate, pk=pk)
        change_url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
        if certificate.status != CertificateStatus.VALID:
            self.message_user(request, f"培训证明 {certificate.number} 已撤销", messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            form = RevokeForm(request.POST)
            if form.is_valid():
                self._revoke(request, [certificate], form.cleaned_data["reason"])
                return HttpResponseRedirect(change_url)
        else:
            form = RevokeForm()
        return self._form_page(request, [certificate], form, action=False)

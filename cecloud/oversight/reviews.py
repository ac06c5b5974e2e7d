"""Unit HR review pages: applications (入库申请) matched to the HR's unit and correction requests
(修改信息) of the unit's people. Another unit's request is a 404. Operators review in the back
office (registry admin)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.roles import unit_hr_required
from cecloud.registry import selectors, services
from cecloud.registry.forms import RejectForm


@unit_hr_required
def review_list(request):
    user = request.user
    applications = list(selectors.applications_for_reviewer(user=user).order_by("submitted_at"))
    corrections = list(selectors.corrections_for_reviewer(user=user).order_by("submitted_at"))
    done_apps, done_corrections = selectors.processed_requests_for_reviewer(user=user, limit=10)
    return render(
        request,
        "oversight/reviews.html",
        {
            "applications": applications,
            "corrections": corrections,
            "done_applications": done_apps,
            "done_corrections": done_corrections,
            "portal_section": "reviews",
        },
    )


def _decide(request, obj, approve, reject, success_approve: str, success_reject: str):
    """Shared POST handling: action=approve | reject (with a reason)."""
    form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                approve(obj)
                messages.success(request, success_approve)
                return redirect("oversight:reviews"), form
            if request.POST.get("action") == "reject" and form.is_valid():
                reject(obj, form.cleaned_data["reason"])
                messages.success(request, success_reject)
                return redirect("oversight:reviews"), form
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(request.path), form
    return None, form


@unit_hr_required
@require_http_methods(["GET", "POST"])
def application_review(request, pk: int):
    application = selectors.application_for_reviewer(user=request.user, pk=pk)
    response, form = _decide(
        request,
        application,
        lambda a: services.application_approve(application=a, actor=request.user, request=request),
        lambda a, reason: services.application_reject(
            application=a, actor=request.user, reason=reason, request=request
        ),
        f"已通过 {application.name} 的入库申请",
        f"已驳回 {application.name} 的入库申请",
    )
    if response is not None:
        return response
    if request.method == "GET":
        # The page shows the applicant's full ID number (needed to check it): record that it was seen.
        audit_log(
            event_type="pii.id_number_viewed",
            actor=request.user,
            subject=application,
            extra_data={"where": "oversight.application_review"},
            request=request,
        )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "oversight/review_application.html",
        {"application": application, "form": form, "portal_section": "reviews"},
        status=status,
    )


@unit_hr_required
@require_http_methods(["GET", "POST"])
def correction_review(request, pk: int):
    correction = selectors.correction_for_reviewer(user=request.user, pk=pk)
    response, form = _decide(
        request,
        correction,
        lambda c: services.correction_approve(correction=c, actor=request.user, request=request),
        lambda c, reason: services.correction_reject(correction=c, actor=request.user, reason=reason, request=request),
        f"已通过 {correction.person.name} 的信息修改申请",
        f"已驳回 {correction.person.name} 的信息修改申请",
    )
    if response is not None:
        return response
    status = 400 if form.is_bound else 200
    return render(
        request,
        "oversight/review_correction.html",
        {
            "correction": correction,
            "rows": selectors.correction_rows(correction),
            "form": form,
            "portal_section": "reviews",
        },
        status=status,
    )

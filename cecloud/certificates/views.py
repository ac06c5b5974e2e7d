"""培训证明 (learner), public verification 证书查验, and unit HR batch verification (requirements S7)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_id_number
from cecloud.core.roles import learner_required, unit_hr_required
from cecloud.training.models import EnrollmentStatus

from . import exports, ratelimit, selectors, services, signing
from .forms import BatchVerifyForm, VerifyForm
from .models import CertificateStatus

# --- learner: 培训证明 ------------------------------------------------------------------------------------


@learner_required
def mine(request):
    items = selectors.learner_certificates(request.user.person)
    return render(
        request,
        "certificates/mine.html",
        {"items": items, "center_section": "certificates", "page_title": "培训证明"},
    )


@learner_required
def print_class(request, enrollment_id: int):
    """打印培训证明 from 我的班级 / 培训成果: issue now if the task has not run yet, then the PDF."""
    enrollment = selectors.owner_enrollment(user=request.user, enrollment_id=enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.QUALIFIED:
        raise Http404
    try:
        certificate, _created = services.certificate_issue(enrollment_id=enrollment.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("certificates:mine")
    return redirect("certificates:pdf", number=certificate.number)


@learner_required
@require_GET
def certificate_pdf(request, number: str):
    certificate = selectors.owner_certificate(user=request.user, number=number)
    if certificate is None:
        raise Http404
    if certificate.status != CertificateStatus.VALID:
        messages.error(request, f"培训证明 {certificate.number} 已撤销：{certificate.revoke_reason}")
        return redirect("certificates:mine")
    data = services.certificate_pdf(certificate=certificate)
    filename = f"培训证明-{certificate.year}-{certificate.number}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename=\"{certificate.number}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-transform"
    response["ETag"] = f'"{certificate.pdf_sha256}"'
    return response


# --- public verification ----------------------------------------------------------------------------------


def _payload_context(token: str, certificate) -> dict:
    if not token:
        return {}
    check = signing.verify_payload(token)
    matches = None
    if check.valid and certificate is not None:
        matches = check.data.get("n") == certificate.number and check.data.get("c") == certificate.verify_code
    return {"payload": check, "payload_matches": matches}


def _verify_page(request, *, form, certificate=None, searched=False, token="", status=200, error=""):
    context = {
        "form": form,
        "certificate": certificate,
        "searched": searched,
        "error": error,
        "keys": signing.published_keys(),
        "limit_count": ratelimit.verify_limit()[0],
        "limit_minutes": max(1, ratelimit.verify_limit()[1] // 60),
        **_payload_context(token, certificate),
    }
    return render(request, "certificates/verify.html", context, status=status)


def _limited(request, form):
    allowed, retry_after = ratelimit.hit(request)
    if allowed:
        return None
    minutes = max(1, (retry_after + 59) // 60)
    response = _verify_page(
        request,
        form=form,
        status=429,
        error=f"查询过于频繁，请 {minutes} 分钟后再试。为防止证书信息被批量获取，每个网络地址的查询次数受限。",
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def verify(request):
    """证书查验: anyone, no login. Enter a certificate number or a verification code."""
    if "q" not in request.GET:
        return _verify_page(request, form=VerifyForm())
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return _verify_page(request, form=form)
    limited = _limited(request, form)
    if limited:
        return limited
    certificate = selectors.certificate_lookup(form.cleaned_data["q"])
    return _verify_page(request, form=form, certificate=certificate, searched=True)


@require_GET
def verify_code(request, code: str):
    """Where the QR code leads: the verification code in the path, the signed payload in ``p``."""
    form = VerifyForm(initial={"q": code})
    limited = _limited(request, form)
    if limited:
        return limited
    certificate = selectors.certificate_lookup(code)
    return _verify_page(
        request, form=form, certificate=certificate, searched=True, token=request.GET.get("p", "")[:2048]
    )


@require_GET
def public_key(request):
    """The current public key (PEM) for checking printed certificates offline."""
    current = signing.published_keys()[0]
    response = HttpResponse(current.pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="cecloud-certificate-{current.key_id}.pem"'
    return response


# --- unit HR: batch verification ------------------------------------------------------------------------


@unit_hr_required
def batch(request):
    """批量查验: upload ID numbers (.xlsx); per person and year registered / paid / hours / certified."""
    rows = token = None
    if request.method == "POST":
        form = BatchVerifyForm(request.POST, request.FILES)
        if form.is_valid():
            year = form.cleaned_data.get("year")
            rows = selectors.batch_verify(unit=request.user.unit, id_numbers=form.id_numbers, year=year)
            services.batch_verify_record(actor=request.user, rows=rows, year=year, exported=False, request=request)
            token = exports.store_rows(user_id=request.user.pk, rows=rows)
    else:
        form = BatchVerifyForm()
    return render(
        request,
        "certificates/batch.html",
        {
            "form": form,
            "rows": rows,
            "token": token,
            "masked": {r.id_number: mask_id_number(r.id_number) for r in rows or [] if r.has_data},
            "own_count": len({r.id_number for r in rows or [] if r.has_data}),
        },
    )


@unit_hr_required
@require_GET
def batch_download(request, token: str):
    rows = exports.load_rows(user_id=request.user.pk, token=token)
    if rows is None:
        messages.error(request, "查询结果已过期，请重新上传名单")
        return redirect("certificates:batch")
    services.batch_verify_record(actor=request.user, rows=rows, year=None, exported=True, request=request)
    data = exports.batch_workbook(rows, unit_name=request.user.unit.name)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = "培训证明批量查验结果.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"certificates.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response

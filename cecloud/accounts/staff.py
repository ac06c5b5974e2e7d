"""工作人员登录: the staff login page (unit HR, bureau, operator) and its second factor (``otp.py``).

Staff log in here with their login name, password and captcha, never in the learners' box on the
home page (which refuses them, and this page refuses learners). Then: the first time, enrolment of
an authenticator app (QR code or manual key, a code to confirm, recovery codes shown once); every
later time, a 6-digit code or a recovery code. The Django admin's login page redirects here.
Also here: the idle-timeout warning's keep-alive and status endpoints (``security_middleware.py``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cecloud.core.audit import audit_log
from cecloud.core.ids import IdError, validate_id_number
from cecloud.core.login_name import normalize_login

from . import lockout, otp
from .password_policy import is_staff_account
from .security_middleware import seconds_left, touch

STAFF_LOGIN_FAILED = "帐号或密码错误"
LEARNER_GO_HOME = "学员请在首页“学员登录”框使用身份证号登录"


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label="登录帐号",
        max_length=64,
        error_messages={"required": "请输入登录帐号"},
        widget=forms.TextInput(
            attrs={"placeholder": "请输入工作人员帐号", "autocomplete": "username", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label="密码",
        max_length=128,
        strip=False,
        error_messages={"required": "请输入密码"},
        widget=forms.PasswordInput(
            attrs={"placeholder": "请输入密码", "autocomplete": "current-password", "class": "form-control"}
        ),
    )
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
        widget=CaptchaTextInput(attrs={"placeholder": "验证码", "class": "form-control", "autocomplete": "off"}),
    )

    def clean_username(self):
        return normalize_login(self.cleaned_data["username"])  # the lockout key and the backend's name


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=32,
        error_messages={"required": "请输入验证码"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg otp-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": "6位数字",
                "autofocus": True,
            }
        ),
    )


def looks_like_id_number(username: str) -> bool:
    try:
        validate_id_number(normalize_login(username))
    except IdError:
        return False
    return True


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _finish(request, next_url: str):
    return redirect(next_url or "accounts:after_login")


@never_cache
def staff_login(request):
    """工作人员登录: login name + password + captcha, then the second factor."""
    next_url = _next_url(request)
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if looks_like_id_number(username):
            form.add_error(None, LEARNER_GO_HOME)  # never authenticated here: no learner account is made
        else:
            refused = lockout.login_throttle(request, username)  # per client IP and per IP + account
            if refused is not None:
                return refused
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                return lockout.lockout_response(request, {"username": username})
            if user is not None:
                lockout.login_succeeded(request, username)  # only failures count against the limits
            if user is not None and not is_staff_account(user):
                form.add_error(None, LEARNER_GO_HOME)
            elif user is not None:
                login(request, user)
                if not otp.required_for(user):
                    otp.record_login(request, user, method="password")
                    return _finish(request, next_url)
                target = "accounts:staff_2fa" if otp.confirmed_totp(user) else "accounts:staff_2fa_enrol"
                return redirect(_with_next(target, next_url))
            else:
                audit_log(
                    event_type="account.login_failed",
                    subject_type="accounts.user",
                    subject_repr=username.strip()[:64],
                    extra_data={"stage": "password", "via": "staff_login"},
                    request=request,
                )
                form.add_error(None, lockout.failure_message(request, username, STAFF_LOGIN_FAILED))
    context = {"form": form, "next": next_url, "timeout": request.GET.get("timeout") == "1"}
    return render(request, "accounts/staff_login.html", context, status=400 if request.method == "POST" else 200)


def admin_login(request):
    """The Django admin's login page: staff log in (with the second factor) on the staff page."""
    next_url = _next_url(request) or reverse("admin:index")
    return redirect(_with_next("accounts:staff_login", next_url))


def _staff_or_home(request):
    if not is_staff_account(request.user):
        return redirect("accounts:after_login")
    if not otp.required_for(request.user):
        return redirect("accounts:after_login")
    return None


@never_cache
@login_required(login_url="accounts:staff_login")
def staff_two_factor(request):
    """二次验证: the authenticator's 6-digit code or a recovery code."""
    next_url = _next_url(request)
    away = _staff_or_home(request)
    if away is not None:
        return away
    user = request.user
    if otp.is_verified(request):
        return _finish(request, next_url)
    device = otp.confirmed_totp(user)
    if device is None:
        return redirect(_with_next("accounts:staff_2fa_enrol", next_url))
    form = CodeForm(request.POST or None)
    locked = otp.locked_until(device)
    if request.method == "POST" and form.is_valid():
        result = otp.verify(request, user, form.cleaned_data["code"])
        if result.ok:
            otp.mark_verified(request, user, device)
            otp.record_login(request, user, method=result.method)
            if result.method == "recovery_code":
                left = otp.remaining_recovery_codes(user)
                messages.warning(
                    request, f"您使用了一个恢复码，还剩 {left} 个。恢复码用完后请联系平台运营重置二次验证。"
                )
            return _finish(request, next_url)
        form.add_error("code", result.message)
        locked = result.locked_until
    context = {"form": form, "next": next_url, "locked": locked}
    return render(request, "accounts/staff_2fa.html", context, status=400 if request.method == "POST" else 200)


@never_cache
@login_required(login_url="accounts:staff_login")
def staff_two_factor_enrol(request):
    """绑定身份验证器 (first login): QR code and manual key, then a code to confirm."""
    next_url = _next_url(request)
    away = _staff_or_home(request)
    if away is not None:
        return away
    user = request.user
    if otp.confirmed_totp(user) is not None:
        return redirect(_with_next("accounts:staff_2fa", next_url))
    device = otp.pending_totp(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp.verify(request, user, form.cleaned_data["code"], device=device)
        if result.ok:
            codes = otp.confirm_enrolment(request, user, device)
            otp.mark_verified(request, user, device)
            otp.record_login(request, user, method="totp_enrolment")
            request.session[otp.SESSION_NEW_CODES] = {"codes": codes, "next": next_url}
            return redirect("accounts:staff_2fa_codes")
        form.add_error("code", result.message)
    context = {
        "form": form,
        "next": next_url,
        "qr": otp.qr_svg(device),
        "manual_key": otp.manual_key(device),
        "locked": otp.locked_until(device),
    }
    return render(request, "accounts/staff_2fa_enrol.html", context, status=400 if request.method == "POST" else 200)


@never_cache
@login_required(login_url="accounts:staff_login")
def staff_recovery_codes(request):
    """恢复码: shown once after enrolment (download or print), gone once the user confirms saving them."""
    pending = request.session.get(otp.SESSION_NEW_CODES)
    if not pending or not otp.is_verified(request):
        return redirect("accounts:after_login")
    if request.method == "POST":
        del request.session[otp.SESSION_NEW_CODES]
        return _finish(request, pending.get("next") or "")
    return render(request, "accounts/staff_2fa_codes.html", {"codes": pending["codes"]})


@never_cache
@require_GET
@login_required(login_url="accounts:staff_login")
def staff_recovery_codes_download(request):
    pending = request.session.get(otp.SESSION_NEW_CODES)
    if not pending or not otp.is_verified(request):
        return redirect("accounts:after_login")
    lines = [
        "江苏工勤人员继续教育云平台 · 二次验证恢复码",
        f"帐号：{request.user.username}",
        "每个恢复码只能使用一次，请妥善保管。",
        "",
        *pending["codes"],
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cecloud-recovery-codes.txt"'
    return response


# --- Idle timeout: the warning script's endpoints ----------------------------------------------------------


@never_cache
@require_POST
def keepalive(request):
    """继续: any request counts as activity; this one restarts the clock at once."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0, "code": "session_expired"}, status=401)
    touch(request.session)
    return JsonResponse({"remaining": seconds_left(request)})


@never_cache
@require_GET
def session_status(request):
    """How long until the session ends (asked by the warning script; not counted as activity)."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0, "code": "session_expired"}, status=401)
    return JsonResponse({"remaining": seconds_left(request)})

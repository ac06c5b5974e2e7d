from __future__ import annotations

from captcha import views as captcha_views
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cecloud.core.errors import ServiceError
from cecloud.core.masking import mask_phone
from cecloud.core.roles import Role, learner_required
from cecloud.core.throttle import rate_limited
from cecloud.infocenter.selectors import latest_articles

from . import lockout, recovery, services
from .forms import (
    LOGIN_FAILED,
    LoginForm,
    PasswordChangeForm,
    RecoverCodeForm,
    RecoverIdentityForm,
    RecoverPasswordForm,
)
from .otp import record_login

# The captcha's refresh (/captcha/refresh/, routed in config/urls.py) stores a new challenge per call.
captcha_refresh = rate_limited(lockout.CAPTCHA_REFRESH, methods=("GET", "POST"))(captcha_views.captcha_refresh)

STAFF_USE_STAFF_LOGIN = "工作人员帐号请从“工作人员登录”进入（登录框下方及页面底部）"
TRAINING_PROCESS = ["帐号登录", "在线报名缴费", "选择学习", "在线考试", "打印证明"]


def _home_context(request, form=None):
    return {
        "form": form or LoginForm(),
        "process": [(f"{i:02d}", label) for i, label in enumerate(TRAINING_PROCESS, start=1)],
        "articles": latest_articles(user=request.user, limit=6),
    }


def home(request):
    """门户首页: login box, training process, templates, hotline, latest notices."""
    return render(request, "accounts/home.html", _home_context(request))


def login_view(request):
    if request.method != "POST":
        if request.user.is_authenticated:
            return redirect("accounts:after_login")
        return redirect(reverse("home") + "#login")
    form = LoginForm(request.POST)
    if form.is_valid():
        login_name = form.cleaned_data["username"]  # normalised: the lockout key and the backend's name
        refused = lockout.login_throttle(request, login_name)
        if refused is not None:
            return refused
        user = authenticate(request, username=login_name, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout.lockout_response(request, {"username": login_name})
        if user is not None:
            lockout.login_succeeded(request, login_name)  # only failures count against the limits
        if user is not None and not user.is_learner:
            form.add_error(None, STAFF_USE_STAFF_LOGIN)  # staff log in on 工作人员登录, with the second factor
        elif user is not None:
            login(request, user)
            record_login(request, user, method="password")
            next_url = request.POST.get("next") or ""
            if (
                next_url
                and url_has_allowed_host_and_scheme(next_url, {request.get_host()})
                and not user.must_change_password
            ):
                return redirect(next_url)
            return redirect("accounts:after_login")
        else:
            form.add_error(None, lockout.failure_message(request, login_name, LOGIN_FAILED))
    return render(request, "accounts/home.html", _home_context(request, form), status=400)


def lockout_response(request, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: axes calls it with (request, response, credentials) or (request, credentials)."""
    credentials = next((arg for arg in args if isinstance(arg, dict)), kwargs.get("credentials"))
    return lockout.lockout_response(request, credentials)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("home")


@login_required
def after_login(request):
    """登录成功后，可选择进入学员中心或直接去报名."""
    user = request.user
    if user.role == Role.LEARNER:
        return render(request, "accounts/after_login.html")
    if user.role in (Role.UNIT_HR, Role.BUREAU):
        return redirect("oversight:index")
    return redirect("admin:index")


@learner_required
def center(request):
    return redirect("classroom:my_classes")


@learner_required
def profile(request):
    person = request.user.person
    return render(request, "accounts/profile.html", {"person": person, "center_section": "profile"})


@login_required
def password_change(request):
    first = request.user.must_change_password
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(
            user=request.user, new_password=form.cleaned_data["new_password1"], request=request
        )
        messages.success(request, "密码修改成功，其他设备上的登录已失效")
        return redirect("accounts:after_login" if first or not request.user.is_learner else "accounts:profile")
    template = (
        "accounts/password_change_first.html"
        if first or not request.user.is_learner
        else "accounts/password_change.html"
    )
    return render(request, template, {"form": form, "first": first, "center_section": "profile"})


# --- 找回密码 (rules and flow state: recovery.py) ------------------------------------------------------


def _recover_page(request, template: str, step: int, context: dict, status: int = 200):
    return render(request, template, {"step": step, **context}, status=status)


def _restart(request, message: str):
    messages.warning(request, message)
    return redirect("accounts:recover")


@rate_limited(recovery.RECOVER_IP)
def recover(request):
    """Step 1 核认身份: 姓名 + 登录帐号 + 验证码."""
    form = RecoverIdentityForm(request.POST or None)
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            recovery.identify(request, name=form.cleaned_data["name"], id_number=form.cleaned_data["username"])
        except recovery.IdentityError as exc:
            form.add_error(None, exc.message)
            retry_after = exc.verdict.retry_after if exc.verdict else None
        else:
            return redirect("accounts:recover_verify")
    status = 429 if retry_after else 400 if request.method == "POST" else 200
    response = _recover_page(request, "accounts/recover_identity.html", 1, {"form": form}, status)
    if retry_after:
        response["Retry-After"] = str(max(1, retry_after))
    return response


def _verify_context(person, flow, form):
    phone = recovery.bound_phone(person)
    return {
        "form": form,
        "flow": flow,
        "phone": phone,
        "wait": recovery.seconds_until_resend(person=person) if phone else 0,
    }


@require_http_methods(["GET", "POST"])
@rate_limited(recovery.RECOVER_IP)
def recover_verify(request):
    """Step 2 验证真实性: the masked phone, 获取验证码, then the code."""
    token = request.POST.get("flow") if request.method == "POST" else None
    flow = recovery.current(request, recovery.IDENTIFIED, token=token)
    person = flow.person() if flow else None
    if person is None:
        return _restart(request, "请先核认身份" if request.method == "GET" else "页面已过期，请重新核认身份")
    form = RecoverCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and recovery.bound_phone(person):
        result = recovery.verify_code(request, flow, person=person, code=form.cleaned_data["code"])
        if result.ok:
            return redirect("accounts:recover_reset")
        form.add_error("code", result.message)
    status = 400 if request.method == "POST" else 200
    return _recover_page(request, "accounts/recover_verify.html", 2, _verify_context(person, flow, form), status)


@require_POST
@rate_limited(recovery.RECOVER_IP)
def recover_send_code(request):
    """获取验证码 (POST, from step 2; htmx swaps in the status line)."""
    flow = recovery.current(request, recovery.IDENTIFIED, token=request.POST.get("flow"))
    person = flow.person() if flow else None
    if person is None:
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": reverse("accounts:recover")})
        return _restart(request, "页面已过期，请重新核认身份")
    ok, message = True, ""
    try:
        recovery.send_code(person=person)
        message = f"验证码已发送至 {mask_phone(recovery.bound_phone(person))}，5分钟内有效"
    except ServiceError as exc:
        ok, message = False, exc.message
    if request.htmx:
        return render(
            request,
            "accounts/recover_send_status.html",
            {"ok": ok, "message": message, "wait": recovery.seconds_until_resend(person=person)},
            status=200 if ok else 429,
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect("accounts:recover_verify")


@require_http_methods(["GET", "POST"])
@rate_limited(recovery.RECOVER_IP)
def recover_reset(request):
    """Step 3 重置密码: the new password twice."""
    token = request.POST.get("flow") if request.method == "POST" else None
    flow = recovery.current(request, recovery.VERIFIED, token=token)
    person = flow.person() if flow else None
    if person is None:
        if request.method == "GET" and recovery.reached_step(request) == recovery.IDENTIFIED:
            messages.warning(request, "请先完成短信验证")
            return redirect("accounts:recover_verify")
        return _restart(request, "请先核认身份" if request.method == "GET" else "页面已过期，请重新核认身份")
    form = RecoverPasswordForm(recovery.account_for(person), request.POST or None)
    if request.method == "POST" and form.is_valid():
        recovery.reset_password(request, flow, person=person, new_password=form.cleaned_data["new_password1"])
        return redirect("accounts:recover_done")
    status = 400 if request.method == "POST" else 200
    return _recover_page(request, "accounts/recover_reset.html", 3, {"form": form, "flow": flow}, status)


def recover_done(request):
    """Step 4 完成."""
    if recovery.current(request, recovery.DONE) is None:
        return _restart(request, "请先核认身份")
    recovery.clear(request)
    return _recover_page(request, "accounts/recover_done.html", 4, {})

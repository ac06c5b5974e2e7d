from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cecloud.infocenter.selectors import latest_articles

from . import services
from .decorators import learner_required
from .forms import LOGIN_FAILED, LoginForm, PasswordChangeForm
from .models import Role

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
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None)
        if user is not None:
            login(request, user)
            next_url = request.POST.get("next") or ""
            if (
                next_url
                and url_has_allowed_host_and_scheme(next_url, {request.get_host()})
                and not user.must_change_password
            ):
                return redirect(next_url)
            return redirect("accounts:after_login")
        form.add_error(None, LOGIN_FAILED)
    return render(request, "accounts/home.html", _home_context(request, form), status=400)


def lockout_response(request, credentials, *args, **kwargs):
    html = render_to_string("accounts/locked.html", {}, request=request)
    return HttpResponse(html, status=429)


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
    return redirect("training:my_classes")


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
        return redirect("accounts:after_login" if first else "accounts:profile")
    template = (
        "accounts/password_change_first.html"
        if first or not request.user.is_learner
        else "accounts/password_change.html"
    )
    return render(request, template, {"form": form, "first": first, "center_section": "profile"})


def recover(request):
    """找回密码 (placeholder until the SMS recovery flow lands)."""
    from cecloud.core.views import empty_state

    return empty_state(request, title="找回密码", text="请联系客服重置密码")

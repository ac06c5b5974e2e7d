from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cecloud.core.errors import ServiceError
from cecloud.core.roles import Role, learner_required
from cecloud.core.throttle import Throttle, rate_limited

from . import selectors, services
from .forms import ApplicationForm, CorrectionForm, county_choices
from .models import Region
from .template import build_template


def template_download(request):
    """信息模板 (xlsx) for people not in the registry and for operators' imports."""
    response = HttpResponse(
        build_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%BF%A1%E6%81%AF%E6%A8%A1%E6%9D%BF.xlsx"
    return response


# Anonymous form: posts per client IP (core.throttle; rate THROTTLE_APPLY_IP).
APPLY_IP = Throttle("apply_ip", default="50/1h", message="申请提交过于频繁")


@rate_limited(APPLY_IP)
def apply(request):
    """非在库人员在线申请入库 (the same fields as the 信息模板)."""
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_submit(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                unit_name=data["unit_name"],
                region=data["region"],
                grade=data["grade"],
                post=data["post"],
                request=request,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            # The same answer whatever the ID number's state (see services.application_submit).
            request.session["registry_applied"] = True
            return redirect("registry:apply_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/apply.html", {"form": form}, status=status)


def apply_done(request):
    if not request.session.pop("registry_applied", False):
        return redirect("registry:apply")
    return render(request, "registry/apply_done.html")


@require_GET
def county_options(request):
    """htmx: the county <option>s of the chosen city."""
    city = selectors.region_by_code(request.GET.get("city", ""))
    if city is not None and city.level != Region.Level.CITY:
        city = None
    return render(request, "registry/_county_options.html", {"choices": county_choices(city)})


@learner_required
def correction(request):
    """修改信息: the learner asks for a change; one pending request at a time."""
    person = request.user.person
    pending = selectors.pending_correction(person=person)
    latest = selectors.latest_correction(person=person)
    form = None
    if pending is None:
        form = CorrectionForm(person, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.correction_submit(
                    person=person,
                    changes=form.cleaned_data["changes"],
                    reason=form.cleaned_data.get("reason", ""),
                    actor=request.user,
                    request=request,
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "修改申请已提交，审核通过后将更新您的信息")
                return redirect("registry:correction")
    elif request.method == "POST":
        messages.error(request, "您已有待审核的信息修改申请，请等待审核结果")
        return redirect("registry:correction")
    context = {
        "person": person,
        "form": form,
        "pending": pending,
        "pending_rows": selectors.correction_rows(pending, masked=True) if pending else [],
        "latest": latest if latest is not None and latest != pending else None,
        "latest_rows": selectors.correction_rows(latest, masked=True)
        if latest is not None and latest != pending
        else [],
        "center_section": "profile",
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "registry/correction.html", context, status=status)


def review_list(request):
    """Old entry point: unit HR review in the portal, operators in the back office."""
    user = request.user
    if user.is_authenticated and user.role == Role.UNIT_HR:
        return redirect("oversight:reviews")
    if user.is_authenticated and selectors.is_operator(user):
        return redirect("admin:registry_application_changelist")
    return redirect("home")

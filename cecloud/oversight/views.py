"""Unit HR (单位管理员) and bureau (人社局管理员) portals, requirements S10. Thin views: scopes and numbers come
from ``selectors``, writes and audit records from ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cecloud.core.errors import ServiceError
from cecloud.core.roles import Role, bureau_required, staff_portal_required, unit_hr_required
from cecloud.registry.models import Person, Region
from cecloud.training.models import RegionSchedule

from . import charts, exports, services
from .forms import ScheduleForm, WorkerFilterForm
from .models import Reminder
from .selectors import completion, scope, workers

WORKERS_PER_PAGE = 20
UNITS_PER_PAGE = 30
REMINDERS_PER_PAGE = 50


def _optional_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@staff_portal_required
def index(request):
    if request.user.role == Role.UNIT_HR:
        return redirect("oversight:unit_workers")
    return redirect("oversight:bureau_dashboard")


# --- Shared: worker lists --------------------------------------------------------------------------------


def _worker_filters(request, years):
    data = request.GET.copy()
    data.setdefault("year", str(years[0].year))
    form = WorkerFilterForm(data, years=years)
    values = form.values(years[0].year)
    training_year = scope.pick_year(years, values["year"])
    return form, values, training_year


def _worker_list_context(request, people, *, export_url: str) -> dict:
    years = scope.active_years_or_404()
    form, values, training_year = _worker_filters(request, years)
    queryset = workers.workers_queryset(
        people, training_year, q=values["q"], grade=values["grade"], status=values["status"]
    )
    page = Paginator(queryset, WORKERS_PER_PAGE).get_page(request.GET.get("page"))
    counts = workers.status_counts(people, training_year)
    grades = completion.grade_completion(people, training_year)
    return {
        "filters": form,
        "training_year": training_year,
        "page_obj": page,
        "rows": workers.worker_rows(list(page.object_list), training_year),
        "status_counts": [(key, label, counts[key]) for key, label in workers.WORKER_STATUSES.items()],
        "workers_total": sum(counts.values()),
        "grades": grades,
        "status_chart": charts.status_donut(counts),
        "grade_chart": charts.grade_bars(grades),
        "export_url": export_url,
        "export_query": request.GET.urlencode(),
        "charts_on_page": True,
    }


def _worker_export(request, people, *, filename: str, title: str, full_ids: bool, subject, kind: str):
    years = scope.active_years_or_404()
    _form, values, training_year = _worker_filters(request, years)
    queryset = workers.workers_queryset(
        people, training_year, q=values["q"], grade=values["grade"], status=values["status"]
    )
    content, count = exports.workers_workbook(
        title=title,
        queryset=queryset,
        training_year=training_year,
        full_id_numbers=full_ids,
        absolute=request.build_absolute_uri,
    )
    services.export_record(
        actor=request.user,
        kind=kind,
        filters={**values, "year": training_year.year},
        rows=count,
        full_id_numbers=full_ids,
        subject=subject,
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return exports.xlsx_response(content, f"{filename}_{training_year.year}年度_{stamp}.xlsx")


# --- Unit HR ---------------------------------------------------------------------------------------------


def _unit_people(user):
    return Person.objects.filter(unit_id=user.unit_id)


@unit_hr_required
def unit_workers(request):
    context = _worker_list_context(request, _unit_people(request.user), export_url=reverse("oversight:unit_export"))
    context.update(
        {
            "portal_section": "workers",
            "unit": request.user.unit,
            "register_url": _optional_url("billing:unit_register"),
        }
    )
    return render(request, "oversight/unit_workers.html", context)


@unit_hr_required
def unit_export(request):
    unit = request.user.unit
    return _worker_export(
        request,
        _unit_people(request.user),
        filename=f"{unit.name}_人员学习情况",
        title="人员学习情况",
        full_ids=True,
        subject=unit,
        kind="unit_workers",
    )


@unit_hr_required
@require_http_methods(["GET", "POST"])
def unit_reminders(request):
    years = scope.active_years_or_404()
    training_year = scope.pick_year(years, request.POST.get("year") or request.GET.get("year"))
    people = _unit_people(request.user)
    not_done = workers.workers_queryset(people, training_year).filter(worker_status__in=workers.NOT_DONE)
    if request.method == "POST":
        if request.POST.get("scope") == "all":
            person_ids = list(not_done.values_list("pk", flat=True))
        else:
            person_ids = [int(pk) for pk in request.POST.getlist("person") if pk.isdigit()]
        try:
            result = services.reminder_send(
                actor=request.user, training_year=training_year, person_ids=person_ids, request=request
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            (messages.success if result.sent else messages.warning)(request, result.message)
        return redirect(f"{reverse('oversight:unit_reminders')}?year={training_year.year}")
    page = Paginator(not_done, REMINDERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = workers.worker_rows(list(page.object_list), training_year)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    last_sent = {}
    for reminder in Reminder.objects.filter(person_id__in=[r.person.pk for r in rows]).order_by("sent_at"):
        last_sent[reminder.person_id] = reminder.sent_at
    return render(
        request,
        "oversight/unit_reminders.html",
        {
            "portal_section": "reminders",
            "unit": request.user.unit,
            "years": years,
            "training_year": training_year,
            "page_obj": page,
            "rows": [(row, last_sent.get(row.person.pk)) for row in rows],
            "today_start": today,
            "per_unit_hourly": services.REMINDER_PER_UNIT_HOURLY,
        },
    )


# --- Worker page (unit HR and bureau) -------------------------------------------------------------------


@staff_portal_required
@require_http_methods(["GET", "POST"])
def worker_detail(request, pk: int):
    person = scope.worker_for_viewer(user=request.user, pk=pk)
    years = scope.active_years()
    revealed = ""
    if request.method == "POST":
        revealed = services.id_number_reveal(actor=request.user, person=person, request=request)
        if request.htmx:
            return render(request, "oversight/_id_number.html", {"person": person, "revealed": revealed})
    back_url = (
        reverse("oversight:unit_workers")
        if request.user.role == Role.UNIT_HR
        else reverse("oversight:bureau_unit", args=[person.unit_id])
    )
    return render(
        request,
        "oversight/worker_detail.html",
        {
            "portal_section": "workers" if request.user.role == Role.UNIT_HR else "units",
            "person": person,
            "history": workers.worker_history(person, years),
            "revealed": revealed,
            "back_url": back_url,
        },
    )


# --- Bureau ----------------------------------------------------------------------------------------------


def _bureau_scope(request):
    years = scope.active_years_or_404()
    training_year = scope.pick_year(years, request.GET.get("year"))
    region = scope.bureau_scope_region(request.user, request.GET.get("region"))
    return years, training_year, region


@bureau_required
def bureau_dashboard(request):
    years, training_year, region = _bureau_scope(request)
    board = completion.dashboard(region=region, training_year=training_year)
    region_rows = board.by_region if region.level == Region.Level.CITY else []
    return render(
        request,
        "oversight/bureau_dashboard.html",
        {
            "portal_section": "dashboard",
            "years": years,
            "regions": scope.bureau_regions(request.user),
            "region": region,
            "training_year": training_year,
            "board": board,
            "region_rows": region_rows,
            "region_chart": charts.rate_bars(region_rows) if region_rows else None,
            "region_chart_height": charts.bar_height(len(region_rows)),
            "grade_chart": charts.grade_bars(board.by_grade),
            "day_chart": charts.daily_lines(board.days),
            "unit_chart": charts.rate_bars(board.lowest_units),
            "unit_chart_height": charts.bar_height(len(board.lowest_units)),
            "day_totals": board.day_totals,
            "charts_on_page": True,
        },
    )


@bureau_required
def bureau_export(request):
    _years, training_year, region = _bureau_scope(request)
    board = completion.dashboard(region=region, training_year=training_year)
    units = completion.unit_completion(region=region, training_year=training_year)
    content, count = exports.dashboard_workbook(board, units)
    services.export_record(
        actor=request.user,
        kind="bureau_statistics",
        filters={"year": training_year.year, "region": region.code},
        rows=count,
        full_id_numbers=False,
        subject=region,
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return exports.xlsx_response(content, f"{region.full_name}_{training_year.year}年度统计_{stamp}.xlsx")


@bureau_required
def bureau_units(request):
    years, training_year, region = _bureau_scope(request)
    q = (request.GET.get("q") or "").strip()[:50]
    units = completion.unit_completion(region=region, training_year=training_year, q=q)
    page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/bureau_units.html",
        {
            "portal_section": "units",
            "years": years,
            "regions": scope.bureau_regions(request.user),
            "region": region,
            "training_year": training_year,
            "page_obj": page,
            "q": q,
        },
    )


def _bureau_unit_people(request, unit):
    return Person.objects.filter(unit=unit, region_id__in=scope.bureau_region_ids(request.user.region))


@bureau_required
def bureau_unit(request, pk: int):
    unit = scope.unit_for_bureau(user=request.user, pk=pk)
    context = _worker_list_context(
        request,
        _bureau_unit_people(request, unit),
        export_url=reverse("oversight:bureau_unit_export", args=[unit.pk]),
    )
    context.update({"portal_section": "units", "unit": unit})
    return render(request, "oversight/bureau_unit.html", context)


@bureau_required
def bureau_unit_export(request, pk: int):
    unit = scope.unit_for_bureau(user=request.user, pk=pk)
    return _worker_export(
        request,
        _bureau_unit_people(request, unit),
        filename=f"{unit.name}_人员学习情况",
        title="人员学习情况",
        full_ids=False,
        subject=unit,
        kind="bureau_unit_workers",
    )


@bureau_required
@require_http_methods(["GET", "POST"])
def bureau_schedules(request):
    user = request.user
    years = scope.active_years()
    editable_regions = services.schedule_regions(user)
    if request.method == "POST" and not editable_regions:
        raise PermissionDenied("只有市人社局可以设置时间安排")
    schedules = scope.schedules_for_bureau(user)
    form = None
    if editable_regions and years:
        if request.method == "POST":
            form = ScheduleForm(request.POST, regions=editable_regions, years=years)
            if form.is_valid():
                data = form.cleaned_data
                region = next(r for r in editable_regions if r.code == data["region"])
                training_year = next(y for y in years if y.year == data["year"])
                try:
                    services.schedule_save(
                        actor=user,
                        region=region,
                        training_year=training_year,
                        register_start=data["register_start"],
                        register_end=data["register_end"],
                        study_start=data["study_start"],
                        study_end=data["study_end"],
                        catch_up_open=data["catch_up_open"],
                        request=request,
                    )
                except ServiceError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"已保存{region.full_name}{training_year.year}年度的时间安排")
                    return redirect("oversight:bureau_schedules")
        else:
            region = next((r for r in editable_regions if r.code == request.GET.get("region")), editable_regions[0])
            training_year = scope.pick_year(years, request.GET.get("year"))
            existing = RegionSchedule.objects.filter(region=region, training_year=training_year).first()
            initial = {"region": region.code, "year": training_year.year, "catch_up_open": True}
            if existing is not None:
                initial.update({f: getattr(existing, f) for f in services.SCHEDULE_FIELDS})
            form = ScheduleForm(initial=initial, regions=editable_regions, years=years)
    status = 400 if form is not None and form.is_bound else 200
    return render(
        request,
        "oversight/bureau_schedules.html",
        {
            "portal_section": "schedules",
            "schedules": schedules,
            "form": form,
            "can_edit": bool(editable_regions),
        },
        status=status,
    )

"""Writes for the unit HR and bureau portals: study reminders, the region's schedule, and the audit
records of exports and of full ID numbers shown. Every action leaves an AuditLog row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import PermissionDeniedError, ServiceError
from cecloud.core.masking import mask_id_number
from cecloud.core.roles import Role
from cecloud.notifications.services import sms_notify
from cecloud.registry.models import Person, Region, Unit
from cecloud.training.models import RegionSchedule, TrainingYear

from .models import Reminder
from .selectors import scope, workers

# Rate limits for study reminders (学习提醒).
REMINDER_PER_PERSON_DAILY = 1  # per local calendar day
REMINDER_PER_UNIT_HOURLY = 200  # per unit, sliding hour
REMINDER_TEMPLATE = "study_reminder"

ACTION_TEXT = {
    workers.STATUS_NONE: "报名缴费和学习考试",
    workers.STATUS_UNPAID: "缴费和学习考试",
    workers.STATUS_LEARNING: "课程学习和课后测验",
}


@dataclass
class ReminderResult:
    sent: list[Person] = field(default_factory=list)
    already_today: list[Person] = field(default_factory=list)
    no_phone: list[Person] = field(default_factory=list)
    done: list[Person] = field(default_factory=list)
    over_limit: list[Person] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = [f"已向 {len(self.sent)} 人发送学习提醒短信"]
        if self.already_today:
            parts.append(f"{len(self.already_today)} 人今天已提醒过")
        if self.no_phone:
            parts.append(f"{len(self.no_phone)} 人未登记手机号")
        if self.done:
            parts.append(f"{len(self.done)} 人已合格无需提醒")
        if self.over_limit:
            parts.append(
                f"{len(self.over_limit)} 人因超出每小时 {REMINDER_PER_UNIT_HOURLY} 条的发送上限未发送，请稍后再试"
            )
        return "；".join(parts)


def _local_day_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def reminder_send(*, actor, training_year: TrainingYear, person_ids: list[int], request=None) -> ReminderResult:
    """Send a study reminder to the given workers of the actor's unit who are not done for the year.

    Limits: one reminder per person per local day; at most ``REMINDER_PER_UNIT_HOURLY`` per unit in
    any hour. The unit's row is locked while the limits are counted, so two clicks at once cannot
    exceed them. People outside the unit are refused as a whole (nothing is sent).
    """
    if actor.role != Role.UNIT_HR or not actor.unit_id:
        raise PermissionDeniedError("只有单位管理员可以发送学习提醒")
    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        raise ServiceError("请选择要提醒的人员")
    unit = Unit.objects.select_for_update().get(pk=actor.unit_id)
    people = list(
        workers.annotate_workers(Person.objects.filter(pk__in=ids, unit=unit, status="active"), training_year).order_by(
            "name", "id"
        )
    )
    if len(people) != len(ids):
        raise PermissionDeniedError("只能提醒本单位在岗人员")
    now = timezone.now()
    reminded_today = set(
        Reminder.objects.filter(person_id__in=ids, sent_at__gte=_local_day_start(now)).values_list(
            "person_id", flat=True
        )
    )
    used = Reminder.objects.filter(unit=unit, sent_at__gt=now - dt.timedelta(hours=1)).count()
    budget = max(0, REMINDER_PER_UNIT_HOURLY - used)
    result = ReminderResult()
    rows = []
    for person in people:
        if person.worker_status == workers.STATUS_QUALIFIED:
            result.done.append(person)
        elif not person.phone:
            result.no_phone.append(person)
        elif person.pk in reminded_today:
            result.already_today.append(person)
        elif len(rows) >= budget:
            result.over_limit.append(person)
        else:
            rows.append(
                Reminder(
                    person=person,
                    unit=unit,
                    training_year=training_year,
                    phone=person.phone,
                    state=person.worker_status,
                    sent_by=actor,
                    sent_at=now,
                )
            )
            result.sent.append(person)
    Reminder.objects.bulk_create(rows)
    for person in result.sent:
        sms_notify(
            phone=person.phone,
            template=REMINDER_TEMPLATE,
            params={
                "name": person.name,
                "year": str(training_year.year),
                "unit": unit.name,
                "action": ACTION_TEXT[person.worker_status],
            },
        )
    audit_log(
        event_type="oversight.reminders_sent",
        actor=actor,
        subject=unit,
        extra_data={
            "year": training_year.year,
            "sent": [p.pk for p in result.sent],
            "already_today": [p.pk for p in result.already_today],
            "no_phone": [p.pk for p in result.no_phone],
            "done": [p.pk for p in result.done],
            "over_limit": [p.pk for p in result.over_limit],
        },
        request=request,
    )
    return result


# --- Schedules (the city bureau) ---------------------------------------------------------------------------

SCHEDULE_FIELDS = ("register_start", "register_end", "study_start", "study_end", "catch_up_open")


def schedule_regions(actor) -> list[Region]:
    """Regions whose schedule the actor may set: a city bureau sets its city's and its counties'."""
    if actor.role != Role.BUREAU or not actor.region_id or actor.region.level != Region.Level.CITY:
        return []
    return scope.bureau_regions(actor)


def check_schedule_dates(
    *, register_start: dt.date, register_end: dt.date, study_start: dt.date, study_end: dt.date
) -> None:
    if register_end < register_start:
        raise ServiceError("报名缴费结束日期不能早于开始日期")
    if study_end < study_start:
        raise ServiceError("学习考试结束日期不能早于开始日期")
    if study_start < register_start:
        raise ServiceError("学习考试开始日期不能早于报名缴费开始日期")
    if study_end < register_end:
        raise ServiceError("学习考试结束日期不能早于报名缴费结束日期（缴费后须留出学习时间）")


def _schedule_values(schedule: RegionSchedule | None) -> dict:
    if schedule is None:
        return {}
    return {
        f: (getattr(schedule, f).isoformat() if isinstance(getattr(schedule, f), dt.date) else getattr(schedule, f))
        for f in SCHEDULE_FIELDS
    }


@transaction.atomic
def schedule_save(
    *,
    actor,
    region: Region,
    training_year: TrainingYear,
    register_start: dt.date,
    register_end: dt.date,
    study_start: dt.date,
    study_end: dt.date,
    catch_up_open: bool,
    request=None,
) -> RegionSchedule:
    """Create or change a region's windows for a year (city bureau only), audited with before/after."""
    if region.pk not in {r.pk for r in schedule_regions(actor)}:
        raise PermissionDeniedError("只有市人社局可以设置本市及所辖县区的时间安排")
    check_schedule_dates(
        register_start=register_start, register_end=register_end, study_start=study_start, study_end=study_end
    )
    existing = RegionSchedule.objects.select_for_update().filter(region=region, training_year=training_year).first()
    before = _schedule_values(existing)
    schedule = existing or RegionSchedule(region=region, training_year=training_year)
    schedule.register_start = register_start
    schedule.register_end = register_end
    schedule.study_start = study_start
    schedule.study_end = study_end
    schedule.catch_up_open = catch_up_open
    schedule.save()
    after = _schedule_values(schedule)
    audit_log(
        event_type="oversight.schedule_created" if existing is None else "oversight.schedule_changed",
        actor=actor,
        subject=schedule,
        extra_data={
            "region": region.code,
            "year": training_year.year,
            "before": before,
            "after": after,
            "changed": sorted(k for k in after if before.get(k) != after[k]),
        },
        request=request,
    )
    return schedule


# --- Audit of exports and full ID numbers ---------------------------------------------------------------


def export_record(
    *, actor, kind: str, filters: dict, rows: int, full_id_numbers: bool, subject=None, request=None
) -> None:
    """An export leaves a trace: who, what (kind, filters, row count), whether full ID numbers left."""
    audit_log(
        event_type="oversight.export",
        actor=actor,
        subject=subject,
        subject_type="" if subject is not None else "oversight.export",
        subject_id="" if subject is not None else kind,
        subject_repr="" if subject is not None else kind,
        extra_data={"kind": kind, "filters": filters, "rows": rows, "full_id_numbers": full_id_numbers},
        request=request,
    )


def id_number_reveal(*, actor, person: Person, request=None) -> str:
    """Return the full ID number to a staff account in scope, recording that it was shown."""
    if actor.role not in (Role.UNIT_HR, Role.BUREAU):
        raise PermissionDeniedError("无权查看完整身份证号")
    audit_log(
        event_type="pii.id_number_viewed",
        actor=actor,
        subject=person,
        subject_repr=f"{person.name}（{mask_id_number(person.id_number)}）",
        extra_data={"where": "oversight.worker"},
        request=request,
    )
    return person.id_number

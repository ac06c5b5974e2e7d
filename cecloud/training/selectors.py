"""Reads for training years, schedules and classes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cecloud.registry.models import Person, Region, grade_group

from .models import Enrollment, RegionSchedule, TrainingYear, YearRequirement


def local_today() -> dt.date:
    return timezone.localdate()


def schedule_for(*, region: Region, training_year: TrainingYear) -> RegionSchedule | None:
    """The county's own schedule if it has one, otherwise its city's."""
    candidates = [region.pk]
    if region.parent_id and region.level == Region.Level.COUNTY:
        candidates.append(region.parent_id)
    schedules = {
        s.region_id: s for s in RegionSchedule.objects.filter(region_id__in=candidates, training_year=training_year)
    }
    for region_id in candidates:
        if region_id in schedules:
            return schedules[region_id]
    return None


def requirement_for(*, training_year: TrainingYear, grade: str) -> YearRequirement | None:
    return YearRequirement.objects.filter(training_year=training_year, grade_group=grade_group(grade)).first()


def latest_year() -> int | None:
    return TrainingYear.objects.filter(is_active=True).order_by("-year").values_list("year", flat=True).first()


def is_catch_up(training_year: TrainingYear) -> bool:
    latest = latest_year()
    return latest is not None and training_year.year < latest


def person_enrollments(person: Person):
    return Enrollment.objects.filter(person=person).select_related("training_year").order_by("-training_year__year")

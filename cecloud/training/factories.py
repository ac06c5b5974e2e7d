"""Test helpers for training years, schedules and classes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cecloud.registry.models import Person, Region

from .models import Enrollment, RegionSchedule, TrainingYear, YearRequirement
from .seed import load_years
from .services import enrollment_open


def training_year(year: int = 2023) -> TrainingYear:
    """The seeded year; reloads the seed if a transactional test flushed it."""
    found = TrainingYear.objects.filter(year=year).first()
    if found is None:
        load_years(TrainingYear, YearRequirement)
        found = TrainingYear.objects.filter(year=year).first() or TrainingYear.objects.create(year=year)
    return found


def open_schedule(
    region: Region, year: int = 2023, *, days_before: int = 30, days_after: int = 60, **overrides
) -> RegionSchedule:
    today = timezone.localdate()
    values = {
        "register_start": today - dt.timedelta(days=days_before),
        "register_end": today + dt.timedelta(days=days_after),
        "study_start": today - dt.timedelta(days=days_before),
        "study_end": today + dt.timedelta(days=days_after),
        "catch_up_open": True,
    }
    values.update(overrides)
    schedule, _ = RegionSchedule.objects.update_or_create(
        region=region, training_year=training_year(year), defaults=values
    )
    return schedule


def enrollment_for(person: Person, year: int = 2023, *, with_schedule: bool = True) -> Enrollment:
    """An opened class (as after payment), with the learner's city schedule open today."""
    if with_schedule:
        open_schedule(person.region.city or person.region, year)
    enrollment, _ = enrollment_open(person=person, training_year=training_year(year), order_no="TEST")
    return enrollment

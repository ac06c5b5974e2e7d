"""The oversight demo: learners from the 11th on get classes, payments and hours through the real
services; the first ten (the README's accounts) are untouched; loading twice changes nothing."""

from __future__ import annotations

import pytest

from cecloud.accounts.demo import demo_learners
from cecloud.billing.models import Order, OrderKind, OrderLine
from cecloud.core.management.commands.load_demo import demo_modules
from cecloud.registry.models import Person
from cecloud.training.models import Enrollment, EnrollmentStatus, HourLedgerEntry

from .. import demo
from ..selectors import workers

pytestmark = pytest.mark.django_db


def first_ten_activity() -> tuple[int, int]:
    first_ten = demo_learners(demo.FIRST_INDEX)
    return (
        Enrollment.objects.filter(person__in=first_ten).count(),
        OrderLine.objects.filter(person__in=first_ten).count(),
    )


def test_demo_activity(django_capture_on_commit_callbacks):
    modules = demo_modules()
    assert modules[-1] is demo
    with django_capture_on_commit_callbacks(execute=True):
        for module in modules[:-1]:
            module.load()
    before_mine = first_ten_activity()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    assert first_ten_activity() == before_mine  # the first ten (README accounts, journey tests) untouched
    first_three = demo_learners(3)
    assert not Enrollment.objects.filter(person__in=first_three).exists()
    assert Enrollment.objects.filter(status=EnrollmentStatus.QUALIFIED, training_year__year=2023).count() >= 8
    assert Enrollment.objects.filter(status=EnrollmentStatus.OPEN, training_year__year=2023).count() >= 8
    assert HourLedgerEntry.objects.exists()
    assert Order.objects.filter(kind=OrderKind.UNIT, paid_at__isnull=False).exists()
    assert Order.objects.filter(kind=OrderKind.PERSONAL, paid_at__isnull=False).exists()
    hospital = Person.objects.filter(unit__name="连云港市第一人民医院")
    from cecloud.training.models import TrainingYear

    counts = workers.status_counts(hospital, TrainingYear.objects.get(year=2023))
    assert all(counts[key] for key in ("none", "unpaid", "learning", "qualified")), counts
    before = (Enrollment.objects.count(), Order.objects.count(), HourLedgerEntry.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        assert demo.load() == {"opened": 0}
    assert (Enrollment.objects.count(), Order.objects.count(), HourLedgerEntry.objects.count()) == before

"""The bureau dashboard's numbers equal direct counts over generated data: several counties, units,
grades, statuses (未报名, unpaid, expired orders, open, qualified, closed classes, 离岗 workers),
several years, and people outside the region."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cecloud.billing.models import OrderLine
from cecloud.registry.models import Person, PersonStatus
from cecloud.training.factories import training_year
from cecloud.training.models import Enrollment, EnrollmentStatus

from ..selectors import completion
from ..testing import populate

pytestmark = pytest.mark.django_db


def direct(people, year: int) -> tuple[int, int, int]:
    """(active workers, registered, qualified) counted the plain way."""
    active = people.filter(status=PersonStatus.ACTIVE)
    classes = Enrollment.objects.filter(person__in=active, training_year__year=year)
    return (
        active.count(),
        classes.filter(status__in=[EnrollmentStatus.OPEN, EnrollmentStatus.QUALIFIED]).count(),
        classes.filter(status=EnrollmentStatus.QUALIFIED).count(),
    )


def counts(c) -> tuple[int, int, int]:
    return (c.workers, c.registered, c.qualified)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dashboard_numbers_equal_direct_counts(seed):
    world = populate(seed)
    city = world["city"]
    ty = training_year(2023)
    board = completion.dashboard(region=city, training_year=ty, lowest=100)
    in_city = Person.objects.filter(region__in=[city, *world["counties"]])
    assert counts(board.total) == direct(in_city, 2023)
    assert board.total.workers > 0 and board.total.qualified > 0 and board.total.learning > 0

    by_region = {c.code: c for c in board.by_region}
    for r in [city, *world["counties"]]:
        people = Person.objects.filter(region=r)
        if people.exists() or r.level == "county":
            assert counts(by_region[r.code]) == direct(people, 2023), r.name
    assert sum(c.workers for c in board.by_region) == board.total.workers

    for g in board.by_grade:
        assert counts(g) == direct(in_city.filter(grade=g.key), 2023), g.label

    units = completion.unit_completion(region=city, training_year=ty)
    for c in units:
        assert counts(c) == direct(in_city.filter(unit_id=c.key), 2023), c.label
    rates = [c.rate for c in units if c.workers]
    assert rates == sorted(rates)
    lowest = [c for c in board.lowest_units]
    assert [c.key for c in lowest] == [c.key for c in units if c.workers][: len(lowest)]

    # Daily line: order lines of people in the city by local day submitted / paid; qualifications.
    registered, paid, amount, qualified = Counter(), Counter(), Counter(), Counter()
    for line in OrderLine.objects.filter(training_year=ty, person__in=in_city).select_related("order"):
        registered[timezone.localtime(line.order.created_at).date()] += 1
        if line.order.paid_at:
            paid[timezone.localtime(line.order.paid_at).date()] += 1
            amount[timezone.localtime(line.order.paid_at).date()] += line.price
    for e in Enrollment.objects.filter(
        training_year=ty, status=EnrollmentStatus.QUALIFIED, person__in=in_city.filter(status=PersonStatus.ACTIVE)
    ):
        qualified[timezone.localtime(e.qualified_at).date()] += 1
    days = {d.day: d for d in board.days}
    for day in set(registered) | set(paid) | set(qualified):
        assert (days[day].registered, days[day].paid, days[day].amount, days[day].qualified) == (
            registered[day],
            paid[day],
            amount[day],
            qualified[day],
        ), day
    assert sum(d.registered for d in board.days) == sum(registered.values())
    assert sum(d.qualified for d in board.days) == sum(qualified.values())
    # The axis covers the window from its first day, up to today (not the future).
    assert board.days[0].day <= board.schedule.register_start
    last_activity = max(set(registered) | set(paid) | set(qualified))
    assert board.days[-1].day == max(last_activity, min(board.schedule.study_end, timezone.localdate()))

    # A county bureau's dashboard is its county only.
    county = world["counties"][0]
    county_board = completion.dashboard(region=county, training_year=ty)
    assert counts(county_board.total) == direct(Person.objects.filter(region=county), 2023)


def test_the_page_shows_the_selector_numbers_in_its_tables(client: Client):
    world = populate(7)
    from cecloud.accounts.factories import BureauFactory

    client.force_login(BureauFactory(region=world["city"]))
    response = client.get(reverse("oversight:bureau_dashboard"), {"year": 2023})
    assert response.status_code == 200
    board = response.context["board"]
    html = response.content.decode()
    total = board.total
    assert f"{total.rate}%" in html
    assert 'id="chart-region-data"' in html and 'id="chart-days-data"' in html and 'id="chart-grade-data"' in html
    region_chart = response.context["region_chart"]
    assert region_chart["series"][0]["data"] == [c.rate for c in board.by_region][::-1]
    assert response.context["grade_chart"]["series"][0]["data"] == [g.qualified for g in board.by_grade]
    assert response.context["day_chart"]["series"][1]["data"] == [d.paid for d in board.days]
    for c in board.by_region:
        assert c.label in html


def test_dashboard_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    world = populate(4)
    ty = training_year(2023)
    with django_assert_max_num_queries(10):
        completion.dashboard(region=world["city"], training_year=ty)
    for _ in range(3):
        populate(5)
    with django_assert_max_num_queries(10):
        completion.dashboard(region=world["city"], training_year=ty)

"""Demo certificates: a worker of 连云港市第一人民医院 (not one of the demo learner accounts, and below
the learners the oversight demo uses) with 2021 and 2022 completed, so that 证书查验 and the unit
HR's 批量查验 have something to show from the start. Classes the oversight demo qualifies get their
certificates through the normal hook. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from cecloud.catalog.models import Course
from cecloud.registry.demo import demo_people
from cecloud.registry.models import Person
from cecloud.training.models import EnrollmentStatus, TrainingYear
from cecloud.training.services import enrollment_open, ledger_credit

from .services import certificate_issue

# (index in registry.demo.demo_people(), year); index 0 is the demo learner of the README.
DEMO_CERTIFICATES = [(5, 2021), (5, 2022)]


def _qualify(enrollment) -> None:
    """Credit published demo courses of the year, category by category, until each is met."""
    year = enrollment.training_year.year
    for category, required in enrollment.hours_by_category().items():
        credited = Decimal("0")
        courses = Course.objects.filter(category=category, years__year=year, is_published=True).order_by(
            "sort_order", "id"
        )
        for course in courses:
            if credited >= required:
                break
            entry, _ = ledger_credit(
                enrollment=enrollment,
                course=course,
                category=category,
                hours=course.hours,
                attempt_ref="demo",
                evidence={"demo": True},
            )
            credited += entry.hours


def load(stdout=None) -> list[str]:
    people = demo_people()
    numbers = []
    for index, year in DEMO_CERTIFICATES:
        person = Person.objects.filter(id_number=people[index]["id_number"]).first()
        training_year = TrainingYear.objects.filter(year=year).first()
        if person is None or training_year is None:
            continue
        enrollment, _ = enrollment_open(person=person, training_year=training_year, order_no="DEMO")
        if enrollment.status == EnrollmentStatus.OPEN:
            _qualify(enrollment)
            enrollment.refresh_from_db()
        if enrollment.status != EnrollmentStatus.QUALIFIED:
            continue
        certificate, _ = certificate_issue(enrollment_id=enrollment.pk)
        numbers.append(
            f"{certificate.number}（{certificate.year}年度 {certificate.name}，查验码 {certificate.verify_code_display}）"
        )
    if stdout and numbers:
        stdout.write("培训证明（证书查验 /certificates/verify/）：" + "；".join(numbers))
    return numbers

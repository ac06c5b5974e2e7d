"""Issuing: exactly once per qualified class, whatever triggers it and however often."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import OperationalError, connection

from cecloud.catalog.factories import CourseFactory
from cecloud.certificates import services
from cecloud.certificates.codes import CODE_ALPHABET, CODE_LENGTH, NUMBER_RE
from cecloud.certificates.models import Certificate, CertificateCounter
from cecloud.certificates.services import certificate_issue, certificates_issue_missing
from cecloud.certificates.tasks import certificate_issue_task
from cecloud.core import events
from cecloud.core.errors import ServiceError
from cecloud.core.models import AuditLog
from cecloud.core.testing import require_postgres
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.events import enrollment_qualified
from cecloud.training.factories import enrollment_for
from cecloud.training.models import Enrollment
from cecloud.training.services import ledger_credit

from .helpers import qualified_enrollment, qualify

pytestmark = pytest.mark.django_db


def test_qualifying_the_class_issues_one_certificate_after_commit(django_capture_on_commit_callbacks):
    person = PersonFactory(grade=Grade.SENIOR, name="黄诗雨")  # 7 / 7 / 10
    enrollment = enrollment_for(person, 2023)
    with django_capture_on_commit_callbacks(execute=True):
        qualify(enrollment)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.person == person
    assert certificate.year == 2023
    assert certificate.name == "黄诗雨" and certificate.id_number == person.id_number
    assert certificate.unit_name == person.unit.name and certificate.grade == Grade.SENIOR
    assert (certificate.ideology_hours, certificate.general_hours, certificate.skill_hours) == (7, 7, 10)
    assert certificate.total_hours == Decimal("24") and certificate.required_hours == Decimal("24")
    assert (
        certificate.issued_on
        == enrollment.qualified_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    )
    assert certificate.pdf and len(certificate.pdf_sha256) == 64  # rendered and kept by the task
    assert AuditLog.objects.filter(event_type="certificate.issued", subject_id=str(certificate.pk)).count() == 1


def test_issuing_again_returns_the_same_certificate():
    enrollment = qualified_enrollment()
    first, created = certificate_issue(enrollment_id=enrollment.pk)
    second, created_again = certificate_issue(enrollment_id=enrollment.pk)
    certificate_issue_task.delay(enrollment.pk)
    assert created and not created_again
    assert first.pk == second.pk
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert AuditLog.objects.filter(event_type="certificate.issued").count() == 1


def test_a_class_that_is_not_qualified_gets_no_certificate():
    enrollment = enrollment_for(PersonFactory(), 2023)
    with pytest.raises(ServiceError, match="尚未合格"):
        certificate_issue(enrollment_id=enrollment.pk)
    # The task does not retry a refusal (it is not a transient error).
    with pytest.raises(ServiceError):
        certificate_issue_task.delay(enrollment.pk)
    assert not Certificate.objects.exists()


def test_numbers_are_sequential_per_year_and_codes_random():
    certificates = [certificate_issue(enrollment_id=qualified_enrollment().pk)[0] for _ in range(3)]
    older = certificate_issue(enrollment_id=qualified_enrollment(year=2022).pk)[0]
    assert [c.number for c in certificates] == ["JSGQ2023000001", "JSGQ2023000002", "JSGQ2023000003"]
    assert older.number == "JSGQ2022000001"
    assert all(NUMBER_RE.match(c.number) for c in [*certificates, older])
    codes = [c.verify_code for c in [*certificates, older]]
    assert len(set(codes)) == 4
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert CertificateCounter.objects.get(year=2023).last_value == 3


def test_verification_codes_come_from_the_os_random_source():
    enrollment = qualified_enrollment()
    with mock.patch("cecloud.certificates.codes.secrets.choice", return_value="Q") as choice:
        certificate = certificate_issue(enrollment_id=enrollment.pk)[0]
    assert certificate.verify_code == "Q" * CODE_LENGTH
    assert choice.call_count == CODE_LENGTH


def test_the_data_is_frozen_from_the_ledger_and_not_changed_later():
    enrollment = qualified_enrollment(name="张三")
    certificate = certificate_issue(enrollment_id=enrollment.pk)[0]
    person = enrollment.person
    person.name = "张三丰"
    person.save()
    extra = CourseFactory(category="skill", hours=Decimal("2"))
    ledger_credit(enrollment=enrollment, course=extra, category="skill", hours=Decimal("2"))
    certificate.refresh_from_db()
    assert certificate.name == "张三" and certificate.total_hours == Decimal("40")


def test_a_task_that_crashed_is_retried_and_still_makes_one_certificate():
    enrollment = qualified_enrollment()
    real_create = services._create
    calls = {"n": 0}

    def crash_once(locked):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_create(locked)

    with mock.patch.object(services, "_create", side_effect=crash_once):
        # Eager apply without propagation follows Celery's retry path inline.
        result = certificate_issue_task.apply(args=[enrollment.pk], throw=False)
    assert calls["n"] == 2
    assert result.get() == Certificate.objects.get(enrollment=enrollment).number
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def test_a_crash_after_issuing_is_retried_without_a_second_certificate():
    enrollment = qualified_enrollment()
    real_pdf = services.certificate_pdf
    calls = {"n": 0}

    def pdf_fails_once(*, certificate):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("storage unavailable")
        return real_pdf(certificate=certificate)

    with mock.patch.object(services, "certificate_pdf", side_effect=pdf_fails_once):
        certificate_issue_task.apply(args=[enrollment.pk], throw=False)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert calls["n"] == 2 and certificate.pdf
    assert Certificate.objects.count() == 1 and CertificateCounter.objects.get(year=2023).last_value == 1


def test_an_unscheduled_task_never_breaks_the_quiz_that_qualified_the_class(django_capture_on_commit_callbacks):
    enrollment = enrollment_for(PersonFactory(), 2023)
    with (
        mock.patch.object(certificate_issue_task, "delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        qualify(enrollment)  # no exception reaches the caller
    assert not Certificate.objects.exists()
    # The periodic sweep issues it later.
    assert certificates_issue_missing() == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert certificates_issue_missing() == 0


def test_when_two_callers_race_the_unique_constraint_decides():
    """The loser of the one-to-one constraint gets the winner's certificate (IntegrityError path)."""
    enrollment = qualified_enrollment()
    winner = certificate_issue(enrollment_id=enrollment.pk)[0]
    # Simulate a caller that saw no certificate before locking (as if it read before the commit).
    real_filter = Certificate.objects.filter
    seen = {"n": 0}

    def blind_first_reads(*args, **kwargs):
        if kwargs.get("enrollment_id") == enrollment.pk and seen["n"] < 2:
            seen["n"] += 1
            return real_filter(pk=-1)
        return real_filter(*args, **kwargs)

    with mock.patch.object(Certificate.objects, "filter", side_effect=blind_first_reads):
        again, created = certificate_issue(enrollment_id=enrollment.pk)
    assert not created and again.pk == winner.pk
    assert Certificate.objects.count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_crashed_task_with_backoff(celery_worker):
    with events.captured(enrollment_qualified):  # trigger it below, not on commit
        enrollment = qualified_enrollment()
    real_create = services._create
    calls = {"n": 0}

    def crash_once(locked):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("could not serialize access")
        return real_create(locked)

    with mock.patch.object(services, "_create", side_effect=crash_once):
        number = certificate_issue_task.delay(enrollment.pk).get(timeout=60)
    assert calls["n"] == 2
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert number == certificate.number and certificate.pdf
    assert Certificate.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_triggers_make_exactly_one_certificate_on_postgresql():
    require_postgres()
    with events.captured(enrollment_qualified):  # no issuing on commit here
        enrollments = [qualified_enrollment() for _ in range(3)]
    assert not Certificate.objects.exists()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def trigger(enrollment_id):
        try:
            barrier.wait(timeout=10)
            results.append(certificate_issue(enrollment_id=enrollment_id))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    # Four concurrent triggers for the first class, two each for the others.
    targets = [enrollments[0].pk] * 4 + [enrollments[1].pk] * 2 + [enrollments[2].pk] * 2
    threads = [threading.Thread(target=trigger, args=(pk,)) for pk in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 8
    assert sum(1 for _c, created in results if created) == 3
    assert Certificate.objects.count() == 3
    for enrollment in enrollments:
        assert len({c.pk for c, _ in results if c.enrollment_id == enrollment.pk}) == 1
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == ["JSGQ2023000001", "JSGQ2023000002", "JSGQ2023000003"]
    assert Enrollment.objects.filter(certificate__isnull=True, status="qualified").count() == 0

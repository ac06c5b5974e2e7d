"""Test helpers for learning and exams: a learner with a confirmed course, and honest watching."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from cecloud.accounts.factories import LearnerFactory
from cecloud.catalog.factories import ChapterFactory, CourseFactory, demo_video_bytes
from cecloud.catalog.models import Chapter, Course
from cecloud.registry.factories import PersonFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import enrollment_for
from cecloud.training.models import Enrollment, HourCategory

from .models import CourseSelection, SelectionStatus


class Clock:
    """An injectable server clock for heartbeat tests: ``clock.now`` moves only when told."""

    def __init__(self, start: dt.datetime | None = None):
        self.now = start or timezone.now()

    def advance(self, seconds: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(seconds=seconds)
        return self.now


def confirm_course(enrollment: Enrollment, course: Course) -> CourseSelection:
    """The course confirmed in the class (as after 确认选中的课程)."""
    selection, _ = CourseSelection.objects.update_or_create(
        enrollment=enrollment,
        course=course,
        defaults={
            "category": course.category,
            "hours": course.hours,
            "status": SelectionStatus.CONFIRMED,
            "confirmed_at": timezone.now(),
            "confirm_round": 1,
        },
    )
    return selection


def chapter_with_duration(course: Course, order: int, seconds: float, *, title: str = "") -> Chapter:
    return ChapterFactory(
        course=course,
        order=order,
        title=title or f"第{order}讲",
        video=ContentFile(demo_video_bytes(1), name="demo.mp4"),
        duration_seconds=seconds,
    )


@dataclass
class StudySetup:
    user: object
    enrollment: Enrollment
    course: Course
    selection: CourseSelection
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def person(self):
        return self.user.person


def study_setup(
    *,
    durations: tuple[float, ...] = (60.0, 120.0),
    hours: str = "2",
    category: str = HourCategory.IDEOLOGY,
    grade: str = Grade.SENIOR_TECHNICIAN,
    user=None,
    enrollment: Enrollment | None = None,
    name: str = "黄诗雨",
) -> StudySetup:
    """A learner (with an open 2023 class) who confirmed a course with chapters of ``durations``."""
    if user is None:
        user = LearnerFactory(person=PersonFactory(grade=grade, name=name))
    enrollment = enrollment or enrollment_for(user.person, 2023)
    course = CourseFactory(category=category, hours=Decimal(hours))
    chapters = [chapter_with_duration(course, i + 1, seconds) for i, seconds in enumerate(durations)]
    selection = confirm_course(enrollment, course)
    return StudySetup(user=user, enrollment=enrollment, course=course, selection=selection, chapters=chapters)


def watch_everything(setup: StudySetup, clock: Clock | None = None, step: float = 10.0) -> None:
    """Watch every chapter honestly through the heartbeat service (real-time beats on ``clock``)."""
    from .services.playback import attention_answer, playback_heartbeat, playback_start

    clock = clock or Clock()
    session = playback_start(user=setup.user, enrollment=setup.enrollment, course=setup.course, now=clock.now)
    for chapter in setup.chapters:
        position = 0.0
        while position < chapter.duration_seconds:
            target = min(chapter.duration_seconds, position + step)
            clock.advance(target - position)
            result = playback_heartbeat(
                user=setup.user,
                token=session.token,
                chapter_id=chapter.pk,
                start=position,
                position=target,
                now=clock.now,
            )
            assert result.accepted, result.reason
            if result.check_id:
                attention_answer(user=setup.user, token=session.token, check_id=result.check_id, now=clock.now)
            position = target

"""factory_boy factories for the catalog (used by the catalog, learning and exams tests)."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from cecloud.training.factories import training_year
from cecloud.training.models import HourCategory

from .demo import DEMO_MEDIA
from .models import Chapter, Course, CourseLecturer, Lecturer, Provider, SubjectTag
from .selectors import catalog_changed

# demo-1.mp4 … demo-4.mp4: 3, 4, 5 and 6 seconds.
DEMO_VIDEO_SECONDS = {1: 3.0, 2: 4.0, 3: 5.0, 4: 6.0}


def demo_video_bytes(n: int = 1) -> bytes:
    return (DEMO_MEDIA / f"demo-{n}.mp4").read_bytes()


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        catalog_changed()

    name = factory.Sequence(lambda n: f"课程提供方{n}")
    sort_order = factory.Sequence(lambda n: n)


class LecturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecturer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"讲师{n}")


class SubjectTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectTag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"标签{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    """A published course offered for ``years`` (default 2023) with ``lecturers`` (default one)."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"测试课程{n:04d}")
    category = HourCategory.IDEOLOGY
    provider = factory.SubFactory(ProviderFactory)
    hours = Decimal("2")
    is_published = True
    sort_order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def years(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.years.set([training_year(y) for y in (extracted if extracted is not None else [2023])])

    @factory.post_generation
    def lecturers(obj, create, extracted, **kwargs):
        if not create:
            return
        people = extracted if extracted is not None else [LecturerFactory()]
        CourseLecturer.objects.bulk_create(
            [CourseLecturer(course=obj, lecturer=lecturer, sort_order=i) for i, lecturer in enumerate(people)]
        )
        catalog_changed()  # as the back office does after a save: cached listing pages are stale now


class ChapterFactory(factory.django.DjangoModelFactory):
    """A chapter with one of the demo videos (set ``video=None`` for none)."""

    class Meta:
        model = Chapter

    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"第{n + 1}讲")
    video = factory.LazyFunction(lambda: ContentFile(demo_video_bytes(1), name="demo.mp4"))
    duration_seconds = DEMO_VIDEO_SECONDS[1]
    video_size = factory.LazyFunction(lambda: len(demo_video_bytes(1)))

"""课程评价 (requirements S8): 课件内容 and 教师授课质量, 1–5 stars, one per learner and course, changeable.

The course's 综合评价 is the average over its evaluations of (课件内容 + 教师授课质量) / 2, stored on
the course by ``catalog.services.course_rating_refresh`` in the same transaction; the course row
is locked while the aggregate is computed, so concurrent evaluations never leave it stale.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Avg, Count, F, FloatField
from django.db.models.functions import Cast

from cecloud.catalog.models import Course
from cecloud.catalog.services import course_rating_refresh
from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.training.models import Enrollment

from ..models import CourseEvaluation
from ..selectors import confirmed_course_for

COMMENT_MAX = 500


def _stars(value, label: str) -> int:
    try:
        stars = int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"请为{label}评分（1–5星）") from None
    if not 1 <= stars <= 5:
        raise ServiceError(f"{label}评分应为1–5星")
    return stars


@transaction.atomic
def evaluation_save(
    *, user, enrollment: Enrollment, course: Course, content_score, teaching_score, comment: str = ""
) -> tuple[CourseEvaluation, bool]:
    """Create or change the learner's evaluation of a course confirmed in their class; returns
    (evaluation, created) and refreshes the course's 综合评价."""
    if enrollment.person_id != getattr(user, "person_id", None):
        raise ServiceError("只能评价自己班级的课程")
    if confirmed_course_for(enrollment, course) is None:
        raise ServiceError("只能评价已确认选择的课程")
    content = _stars(content_score, "课件内容")
    teaching = _stars(teaching_score, "教师授课质量")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(f"评价内容不能超过{COMMENT_MAX}字")
    Course.objects.select_for_update().filter(pk=course.pk).values_list("pk", flat=True).first()
    evaluation, created = CourseEvaluation.objects.update_or_create(
        person_id=enrollment.person_id,
        course=course,
        defaults={
            "enrollment": enrollment,
            "content_score": content,
            "teaching_score": teaching,
            "comment": comment,
        },
    )
    aggregate = CourseEvaluation.objects.filter(course=course).aggregate(
        average=Avg(Cast(F("content_score") + F("teaching_score"), FloatField()) / 2.0),
        count=Count("id"),
    )
    course_rating_refresh(course_id=course.pk, average=aggregate["average"], count=aggregate["count"])
    audit_log(
        event_type="learning.course_evaluated",
        actor=user,
        subject=course,
        extra_data={"content": content, "teaching": teaching, "created": created},
    )
    return evaluation, created

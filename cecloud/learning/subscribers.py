"""What learning does when training's events are published (imported by ``LearningConfig.ready()``)."""

from cecloud.training import events as training_events

from .models import CourseSelection
from .selectors import enrollment_has_selection


@training_events.enrollment_reopened.subscribe
def drop_stale_candidates(*, enrollment) -> None:
    """A reopened class starts its selection afresh: candidates belong to the old class's grade."""
    CourseSelection.objects.filter(enrollment=enrollment).delete()


@training_events.enrollment_in_use.subscribe
def class_has_confirmed_course(*, enrollment) -> bool:
    return enrollment_has_selection(enrollment)

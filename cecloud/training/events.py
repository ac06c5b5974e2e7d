"""Training events: what happens to a class (班级) that apps above training react to or answer.

Subscribers: certificates (``enrollment_qualified``), learning (``enrollment_reopened``,
``enrollment_in_use``), billing (``training_year_in_use``). See ``cecloud.core.events``.
"""

from cecloud.core.events import Event

enrollment_qualified = Event(
    "training.enrollment_qualified",
    fields=("enrollment_id",),
    doc="A class met every hour requirement (published after commit): certificates issues its certificate.",
)
enrollment_reopened = Event(
    "training.enrollment_reopened",
    fields=("enrollment",),
    doc=(
        "A refunded, unused class was reopened for a new paid order (inside the transaction, row locked): "
        "learning drops the course candidates picked for the old class."
    ),
)
enrollment_in_use = Event(
    "training.enrollment_in_use",
    fields=("enrollment",),
    doc="Question: does anything above training use this closed class? learning answers True once a course was confirmed.",
)
training_year_in_use = Event(
    "training.training_year_in_use",
    fields=("training_year",),
    doc="Question: has anyone registered for this year? billing answers True once any order line names it.",
)

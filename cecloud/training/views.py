from django.urls import reverse

from cecloud.accounts.decorators import learner_required
from cecloud.core.views import empty_state


@learner_required
def my_classes(request):
    return empty_state(
        request,
        title="我的班级",
        text="您还没有报名任何班级",
        section="classes",
        icon="bi-journal-bookmark",
        action_url=reverse("billing:register"),
        action_label="报名培训",
    )

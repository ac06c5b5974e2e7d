from django.shortcuts import render

from cecloud.accounts.decorators import learner_required
from cecloud.core.views import empty_state


@learner_required
def mine(request):
    return empty_state(
        request, title="培训证明", text="班级合格后，才可以看到班级培训证明", section="certificates", icon="bi-award"
    )


def verify(request):
    return render(request, "certificates/verify.html", {})

from django.shortcuts import render

from cecloud.accounts.decorators import learner_required
from cecloud.core.views import empty_state


def index(request):
    return render(request, "infocenter/index.html", {})


@learner_required
def center(request):
    return empty_state(request, title="信息中心", text="暂无已发布的信息", section="info", icon="bi-megaphone")

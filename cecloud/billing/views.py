from cecloud.accounts.decorators import learner_required
from cecloud.core.views import empty_state


@learner_required
def orders(request):
    return empty_state(request, title="发票下载", text="暂无订单", section="invoices", icon="bi-receipt")


@learner_required
def register(request):
    return empty_state(request, title="报名培训", text="报名功能即将开放", section="classes", icon="bi-pencil-square")

from cecloud.accounts.decorators import learner_required
from cecloud.core.views import empty_state


@learner_required
def orders(request):
    return empty_state(request, title="发票下载", text="暂无订单", section="invoices", icon="bi-receipt")

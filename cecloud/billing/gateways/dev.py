"""The development gateway: a local cashier page (收银台) stands in for Alipay when no merchant keys are set.

"确认支付" on the cashier produces a notification shaped like Alipay's and signed with a key derived
from SECRET_KEY (HMAC-SHA256); it goes through the same inbox and verification path as a real
gateway's notification, so a forged or altered one is refused exactly the same way. The "remote"
trade state (for query and refund) lives in the cache, as a stand-in for the gateway's own books.
"""

from __future__ import annotations

import hmac
import uuid
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .base import (
    GatewayError,
    NotificationRejected,
    PaymentGateway,
    PaymentRedirect,
    PaymentRequest,
    RefundResult,
    TradeResult,
)

DEV_APP_ID = "cecloud-dev"
_SALT = "cecloud.billing.gateways.dev"
_TRADE_TTL = 7 * 24 * 3600


def canonical(params: dict[str, str]) -> str:
    """Every parameter except sign and sign_type, sorted by key, joined k=v&... (as Alipay does)."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type") and params[k] != "")


def dev_sign(params: dict[str, str]) -> str:
    return salted_hmac(_SALT, canonical(params), algorithm="sha256").hexdigest()


class DevGateway(PaymentGateway):
    name = "dev"
    label = "支付宝（模拟收银台）"
    app_id = DEV_APP_ID

    def create_payment(self, request: PaymentRequest) -> PaymentRedirect:
        return PaymentRedirect(url=reverse("billing:dev_cashier", args=[request.order_no]))

    # --- the cashier's "确认支付": what the gateway would send after the buyer paid ---------------
    def pay(self, *, order_no: str, amount: Decimal) -> dict[str, str]:
        now = timezone.localtime()
        params = {
            "app_id": DEV_APP_ID,
            "notify_id": uuid.uuid4().hex,
            "notify_time": now.strftime("%Y-%m-%d %H:%M:%S"),
            "out_trade_no": order_no,
            "trade_no": f"DEV{order_no}",
            "trade_status": "TRADE_SUCCESS",
            "total_amount": f"{amount:.2f}",
            "gmt_payment": now.strftime("%Y-%m-%d %H:%M:%S"),
            "sign_type": "HMAC-SHA256",
        }
        params["sign"] = dev_sign(params)
        cache.set(self._trade_key(order_no), params, _TRADE_TTL)
        return params

    def verify_notification(self, params: dict[str, str]) -> TradeResult:
        sign = params.get("sign", "")
        if not sign:
            raise NotificationRejected("缺少签名")
        if not hmac.compare_digest(sign, dev_sign(params)):
            raise NotificationRejected("签名验证失败")
        return self._result(params)

    def _result(self, params: dict[str, str]) -> TradeResult:
        try:
            amount = Decimal(params["total_amount"])
        except (KeyError, InvalidOperation):
            raise NotificationRejected("金额格式错误") from None
        if not params.get("out_trade_no") or not params.get("trade_status"):
            raise NotificationRejected("缺少订单号或交易状态")
        return TradeResult.from_notification(params, amount=amount, paid_at=timezone.now())

    def query(self, *, order_no: str) -> TradeResult | None:
        params = cache.get(self._trade_key(order_no))
        if not params:
            return None
        return self._result(params)

    def close(self, *, order_no: str) -> bool:
        params = cache.get(self._trade_key(order_no))
        return not params or params.get("trade_status") not in ("TRADE_SUCCESS", "TRADE_FINISHED")

    def refund(
        self, *, order_no: str, trade_no: str, amount: Decimal, out_request_no: str, reason: str
    ) -> RefundResult:
        if not trade_no:
            raise GatewayError("没有可退款的交易")
        key = f"billing:dev:refund:{out_request_no}"
        done = cache.get(key)
        if done is None:
            done = {"refund_no": f"DEVR{out_request_no}", "amount": f"{amount:.2f}", "trade_no": trade_no}
            cache.set(key, done, _TRADE_TTL)
        return RefundResult(refund_no=done["refund_no"], amount=Decimal(done["amount"]), raw=done)

    @staticmethod
    def _trade_key(order_no: str) -> str:
        return f"billing:dev:trade:{order_no}"

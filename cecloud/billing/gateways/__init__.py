"""Payment gateways behind one interface (``base.PaymentGateway``).

``PAYMENT_GATEWAY`` picks the gateway new payments use: ``alipay`` when merchant keys are set,
otherwise ``dev`` (a local cashier page). Settings are read on every call so tests can override them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .base import GatewayError, NotificationRejected, PaymentGateway, PaymentRedirect, PaymentRequest, TradeResult

__all__ = [
    "GatewayError",
    "NotificationRejected",
    "PaymentGateway",
    "PaymentRedirect",
    "PaymentRequest",
    "TradeResult",
    "active_gateway_name",
    "enabled_gateways",
    "get_gateway",
]

GATEWAY_LABELS = {"alipay": "支付宝", "dev": "支付宝（模拟收银台）"}


def active_gateway_name() -> str:
    return settings.PAYMENT_GATEWAY


def alipay_configured() -> bool:
    return bool(settings.ALIPAY_APP_ID and settings.ALIPAY_APP_PRIVATE_KEY_PATH and settings.ALIPAY_PUBLIC_KEY_PATH)


def dev_gateway_allowed() -> bool:
    """The local cashier hands out classes for free: never in the production profile."""
    return settings.CECLOUD_ENV != "production"


def enabled_gateways() -> set[str]:
    """Gateways whose notifications are accepted: the active one, and Alipay whenever it is configured."""
    names = {active_gateway_name()}
    if alipay_configured():
        names.add("alipay")
    if not dev_gateway_allowed():
        names.discard("dev")
    return names


def get_gateway(name: str | None = None) -> PaymentGateway:
    name = name or active_gateway_name()
    if name == "dev":
        if not dev_gateway_allowed():
            raise GatewayError("模拟收银台不能在生产环境使用，请配置支付宝商户密钥（ALIPAY_*）")
        from .dev import DevGateway

        return DevGateway()
    if name == "alipay":
        from .alipay import AlipayGateway

        if not alipay_configured():
            raise GatewayError("支付宝未配置：需要 ALIPAY_APP_ID、ALIPAY_APP_PRIVATE_KEY_PATH、ALIPAY_PUBLIC_KEY_PATH")
        return AlipayGateway(
            app_id=settings.ALIPAY_APP_ID,
            seller_id=settings.ALIPAY_SELLER_ID,
            app_private_key=Path(settings.ALIPAY_APP_PRIVATE_KEY_PATH).read_text(),
            alipay_public_key=Path(settings.ALIPAY_PUBLIC_KEY_PATH).read_text(),
            gateway_url=settings.ALIPAY_GATEWAY_URL,
            timeout=float(getattr(settings, "ALIPAY_TIMEOUT", 10)),
        )
    raise GatewayError(f"未知的支付方式：{name}")


def gateway_label(name: str) -> str:
    return GATEWAY_LABELS.get(name, name or "—")

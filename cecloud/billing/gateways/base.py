"""The payment-gateway interface: create a payment, verify a notification, query, close, refund.

Gateways know nothing about the database: they turn an order's public facts (order number,
amount, subject, deadline) into a request, and a gateway's answer into plain dataclasses. The
billing services decide what the answers mean for an order.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal


class GatewayError(Exception):
    """The gateway could not be reached or answered with an error; ``str(exc)`` says why."""


class NotificationRejected(Exception):  # noqa: N818 - a rejection, not a crash
    """A notification that must not be trusted: bad or missing signature, unknown parameters."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


PAID_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
CLOSED_STATUS = "TRADE_CLOSED"


@dataclass(frozen=True)
class PaymentRequest:
    """What a gateway needs to start a payment for an order."""

    order_no: str
    amount: Decimal
    subject: str
    expires_at: dt.datetime
    return_url: str
    notify_url: str
    quit_url: str
    mobile: bool = False


@dataclass(frozen=True)
class PaymentRedirect:
    url: str


@dataclass(frozen=True)
class TradeResult:
    """A payment result whose origin has been verified (signed notification or signed query answer)."""

    order_no: str
    trade_no: str
    trade_status: str
    amount: Decimal | None
    app_id: str = ""
    seller_id: str = ""
    paid_at: dt.datetime | None = None
    notify_id: str = ""
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_notification(cls, params: dict[str, str], *, amount: Decimal, paid_at: dt.datetime | None) -> TradeResult:
        """The result a verified notification carries (its signature left out of ``raw``)."""
        return cls(
            order_no=params["out_trade_no"],
            trade_no=params.get("trade_no", ""),
            trade_status=params["trade_status"],
            amount=amount,
            app_id=params.get("app_id", ""),
            seller_id=params.get("seller_id", ""),
            paid_at=paid_at,
            notify_id=params.get("notify_id", ""),
            raw={k: v for k, v in params.items() if k != "sign"},
        )

    @property
    def is_paid(self) -> bool:
        return self.trade_status in PAID_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.trade_status == CLOSED_STATUS


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    amount: Decimal
    raw: dict = field(default_factory=dict)


class PaymentGateway(ABC):
    name: str = ""
    label: str = ""
    # What a verified notification must carry to be ours (empty = not checked by this gateway).
    app_id: str = ""
    seller_id: str = ""

    @abstractmethod
    def create_payment(self, request: PaymentRequest) -> PaymentRedirect: ...

    @abstractmethod
    def verify_notification(self, params: dict[str, str]) -> TradeResult:
        """Return the verified result or raise NotificationRejected."""

    @abstractmethod
    def query(self, *, order_no: str) -> TradeResult | None:
        """The trade's state at the gateway (None when the gateway has no such trade)."""

    @abstractmethod
    def close(self, *, order_no: str) -> bool:
        """Close an unpaid trade so it can no longer be paid; True if closed or never created."""

    @abstractmethod
    def refund(
        self, *, order_no: str, trade_no: str, amount: Decimal, out_request_no: str, reason: str
    ) -> RefundResult: ...

    # The exact body the gateway expects after a notification was handled (or not).
    success_reply = "success"
    failure_reply = "fail"

"""Test helpers for orders and payments (used by billing tests and browser tests)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cecloud.accounts.factories import LearnerFactory, UnitHRFactory
from cecloud.registry.models import Grade
from cecloud.training.factories import open_schedule, training_year

from .gateways.dev import DevGateway, dev_sign
from .models import Order
from .services import InvoiceInfo, notification_receive, order_create, order_start_payment


def learner(*, grade: str = Grade.SENIOR_TECHNICIAN, year: int = 2023, open_window: bool = True, **person_kwargs):
    """A learner account whose city is open for registration this year."""
    user = LearnerFactory(person__grade=grade, **{f"person__{k}": v for k, v in person_kwargs.items()})
    if open_window:
        open_schedule(user.person.region.city or user.person.region, year)
    return user


def unit_hr(unit, *, year: int = 2023):
    open_schedule(unit.region.city or unit.region, year)
    return UnitHRFactory(unit=unit)


def pending_order(user, year: int = 2023, invoice: InvoiceInfo | None = None) -> Order:
    order, _ = order_create(user=user, training_year=training_year(year), invoice=invoice or InvoiceInfo())
    return order


def age_order(order: Order, age: dt.timedelta) -> Order:
    """Pretend the order was created ``age`` ago (its 24-hour deadline moves with it)."""
    created = timezone.now() - age
    Order.objects.filter(pk=order.pk).update(created_at=created, expires_at=created + dt.timedelta(hours=24))
    order.refresh_from_db()
    return order


def dev_notification(order: Order, *, resign: bool = False, **overrides) -> dict:
    """A dev-gateway notification for the order, signed before the overrides (a tampered one)
    or, with ``resign``, after them (what a holder of the key would send)."""
    params = DevGateway().pay(order_no=order.order_no, amount=order.total_amount)
    params.update(overrides)
    if resign:
        params["sign"] = dev_sign(params)
    return params


def pay_with_dev(order: Order, actor=None):
    """立即支付 then 确认支付 on the dev cashier; returns the inbox result."""
    order_start_payment(order=order, actor=actor or order.buyer)
    return notification_receive(gateway_name="dev", params=dev_notification(order))

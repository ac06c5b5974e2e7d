"""The VAT split of an invoice amount is computed once (cecloud.billing.tax.split_tax), half up to the
fen, and everything that shows a split uses it: the Invoice model, the local PDF and 诺诺."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from cecloud.billing.models import Invoice
from cecloud.billing.tax import split_tax

BILLING = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("amount", "net", "tax"),
    [
        ("120.00", "113.21", "6.79"),
        ("80.00", "75.47", "4.53"),
        ("0.01", "0.01", "0.00"),
        ("-120.00", "-113.21", "-6.79"),  # 红冲
        ("1005.50", "948.58", "56.92"),
    ],
)
def test_split_tax_at_six_percent(amount, net, tax):
    with override_settings(INVOICE_TAX_RATE="0.06"):
        assert split_tax(Decimal(amount)) == (Decimal(net), Decimal(tax))


@override_settings(INVOICE_TAX_RATE="0.6")
def test_a_tie_rounds_half_up_in_the_model_too():
    # 0.20 / 1.6 = 0.125 exactly: half up gives 0.13 (half even would give 0.12).
    assert split_tax(Decimal("0.20")) == (Decimal("0.13"), Decimal("0.07"))
    invoice = Invoice(amount=Decimal("0.20"))
    assert (invoice.amount_excluding_tax, invoice.tax_amount) == (Decimal("0.13"), Decimal("0.07"))


def test_parts_always_add_up():
    with override_settings(INVOICE_TAX_RATE="0.06"):
        for fen in range(1, 20001, 7):
            amount = Decimal(fen) / 100
            net, tax = split_tax(amount)
            assert net + tax == amount
            assert net.as_tuple().exponent == -2


def test_no_other_module_divides_by_the_tax_rate():
    """The split lives in tax.py only: nothing else in billing reads INVOICE_TAX_RATE."""
    readers = []
    for path in BILLING.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "tax.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        names |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
        if "INVOICE_TAX_RATE" in names:
            readers.append(path.name)
    assert not readers

"""The VAT (增值税) split of a tax-inclusive amount: the one place it is computed.

Invoices state 价税合计 (the amount paid, tax included); the amount excluding tax is that divided by
1 + ``INVOICE_TAX_RATE``, rounded half up to the fen, and the tax is the remainder, so the two always
add up to the amount. The local PDF, the 诺诺 request and the Invoice model all use ``split_tax``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

FEN = Decimal("0.01")


def tax_rate() -> Decimal:
    return Decimal(str(settings.INVOICE_TAX_RATE))


def split_tax(amount: Decimal) -> tuple[Decimal, Decimal]:
    """(amount excluding tax, tax) for a tax-inclusive ``amount``; a negative amount (红冲) splits
    into negative parts of the same size."""
    net = (amount / (1 + tax_rate())).quantize(FEN, rounding=ROUND_HALF_UP)
    return net, amount - net

"""The invoice-issuer interface: issue an electronic invoice from an order's invoice information, and
reverse it (红冲) after a refund. ``local`` renders a PDF in development; ``nuonuo`` calls the
诺诺 tax platform in production."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings


class IssuerError(Exception):
    """Issuing failed; ``str(exc)`` is shown to operators as the last error."""


class IssuerPending(Exception):  # noqa: N818 - a state, not a crash
    """The provider accepted the request but the invoice is not ready yet: ask again later."""

    def __init__(self, serial: str, message: str = "开票中"):
        super().__init__(message)
        self.serial = serial


@dataclass(frozen=True)
class IssueResult:
    invoice_no: str
    issued_at: dt.datetime
    serial: str = ""
    invoice_code: str = ""
    pdf: bytes | None = None
    pdf_url: str = ""


@dataclass(frozen=True)
class Seller:
    name: str
    tax_number: str
    address_phone: str

    @classmethod
    def from_settings(cls) -> Seller:
        return cls(
            name=settings.INVOICE_SELLER_NAME,
            tax_number=settings.INVOICE_SELLER_TAX_NUMBER,
            address_phone=settings.INVOICE_SELLER_ADDRESS_PHONE,
        )


class InvoiceIssuer(ABC):
    name: str = ""

    @abstractmethod
    def issue(self, invoice) -> IssueResult:
        """Issue the blue invoice for ``invoice`` (a billing.Invoice); raise IssuerPending or IssuerError."""

    @abstractmethod
    def reverse(self, invoice) -> IssueResult:
        """Issue the red invoice (红冲) that cancels ``invoice``; raise IssuerPending or IssuerError."""

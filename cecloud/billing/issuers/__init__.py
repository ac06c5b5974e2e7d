"""Invoice issuers behind one interface (``base.InvoiceIssuer``); ``INVOICE_ISSUER`` picks one."""

from __future__ import annotations

from django.conf import settings

from .base import InvoiceIssuer, IssuerError, IssueResult, IssuerPending

__all__ = ["InvoiceIssuer", "IssueResult", "IssuerError", "IssuerPending", "get_issuer"]


def get_issuer(name: str | None = None) -> InvoiceIssuer:
    name = name or settings.INVOICE_ISSUER
    if name == "local":
        from .local import LocalIssuer

        return LocalIssuer()
    if name == "nuonuo":
        from .nuonuo import NuonuoIssuer

        return NuonuoIssuer(
            app_key=settings.NUONUO_APP_KEY,
            app_secret=settings.NUONUO_APP_SECRET,
            seller_tax_number=settings.INVOICE_SELLER_TAX_NUMBER,
            api_url=settings.NUONUO_API_URL,
            token_url=settings.NUONUO_TOKEN_URL,
            access_token=settings.NUONUO_ACCESS_TOKEN,
            clerk=settings.NUONUO_CLERK,
            invoice_line=settings.NUONUO_INVOICE_LINE,
            goods_code=settings.NUONUO_GOODS_CODE,
            seller_address=settings.INVOICE_SELLER_ADDRESS_PHONE,
            timeout=float(settings.NUONUO_TIMEOUT),
        )
    raise IssuerError(f"未知的开票渠道：{name}")

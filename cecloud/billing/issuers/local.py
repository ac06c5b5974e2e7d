"""The development issuer: numbers the invoice itself and renders it as a PDF (Chinese font embedded)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..pdf import amount_in_words, render_pdf
from ..tax import split_tax, tax_rate
from .base import InvoiceIssuer, IssueResult, Seller


def local_invoice_number(invoice, *, red: bool = False) -> str:
    """20 digits like a fully digital invoice: yy + 32 (Jiangsu) + 0/1 (blue/red) + 15-digit sequence."""
    year = timezone.localtime(invoice.created_at).year % 100
    return f"{year:02d}32{1 if red else 0}{invoice.pk:015d}"


class LocalIssuer(InvoiceIssuer):
    name = "local"

    def _render(self, invoice, *, number: str, issued_at, red: bool) -> bytes:
        sign = -1 if red else 1
        order = invoice.order
        lines = list(order.lines.select_related("person", "training_year").order_by("id"))
        groups: dict[tuple, list] = {}
        for line in lines:
            groups.setdefault((line.get_grade_group_display(), line.price), []).append(line)
        items = []
        for (group, price), members in groups.items():
            gross = price * len(members)
            net, tax = split_tax(gross)
            items.append(
                {
                    "spec": f"{order.training_year.year}年度 {group}",
                    "quantity": len(members) * sign,
                    "unit_price": price,
                    "net": net * sign,
                    "tax": tax * sign,
                }
            )
        net_total = sum((item["net"] for item in items), Decimal("0"))
        amount = invoice.amount * sign
        names = "、".join(line.person.name for line in lines[:30]) + ("等" if len(lines) > 30 else "")
        context = {
            "invoice": invoice,
            "order": order,
            "items": items,
            "names": names if order.kind == "unit" else "",
            "number": number,
            "issued_at": timezone.localtime(issued_at),
            "red": red,
            "seller": Seller.from_settings(),
            "amount": amount,
            "net": net_total,
            "tax": amount - net_total,
            "tax_rate_percent": f"{tax_rate() * 100:.0f}%",
            "amount_words": amount_in_words(amount),
            "original_number": invoice.invoice_no if red else "",
            "clerk": settings.NUONUO_CLERK,
        }
        return render_pdf("billing/invoice_pdf.html", context)

    def issue(self, invoice) -> IssueResult:
        number = invoice.invoice_no or local_invoice_number(invoice)
        issued_at = timezone.now()
        pdf = self._render(invoice, number=number, issued_at=issued_at, red=False)
        return IssueResult(invoice_no=number, issued_at=issued_at, serial=f"LOCAL{number}", pdf=pdf)

    def reverse(self, invoice) -> IssueResult:
        number = local_invoice_number(invoice, red=True)
        issued_at = timezone.now()
        pdf = self._render(invoice, number=number, issued_at=issued_at, red=True)
        return IssueResult(invoice_no=number, issued_at=issued_at, serial=f"LOCAL{number}", pdf=pdf)

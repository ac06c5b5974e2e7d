"""Daily reconciliation workbook (对账单) per gateway: money received, money refunded, totals, and
optionally each payment checked against the gateway's own record (trade query)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cecloud.core.spreadsheet import xlsx_append, xlsx_bytes

from .gateways import GatewayError, gateway_label, get_gateway
from .models import OrderStatus
from .selectors import reconciliation_payments, reconciliation_refunds

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], *, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    xlsx_append(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        xlsx_append(ws, row)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header)) * 2] + [len(str(r[index - 1])) + 2 for r in rows] + [8])
        ws.column_dimensions[get_column_letter(index)].width = min(width, 40)
    ws.freeze_panes = "A2"
    return ws


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def reconciliation_workbook(*, day: dt.date, gateway: str, verify: bool = False) -> bytes:
    payments = list(reconciliation_payments(day=day, gateway=gateway))
    refunds = list(reconciliation_refunds(day=day, gateway=gateway))
    client = get_gateway(gateway) if verify else None
    payment_rows = []
    for n in payments:
        order = n.order
        row = [
            n.order_no,
            n.trade_no,
            order.get_kind_display() if order else "",
            order.training_year.year if order else "",
            order.invoice_title if order else "",
            float(n.total_amount or 0),
            _local(n.processed_at),
            n.get_outcome_display(),
            OrderStatus(order.status).label if order else "",
            n.get_source_display(),
        ]
        if client is not None:
            try:
                remote = client.query(order_no=n.order_no)
            except GatewayError as exc:
                row += ["查询失败", "", str(exc)[:60]]
            else:
                if remote is None:
                    row += ["交易不存在", "", "不一致"]
                else:
                    same = remote.amount == n.total_amount and remote.trade_no == n.trade_no
                    row += [remote.trade_status, float(remote.amount or 0), "一致" if same else "不一致"]
        payment_rows.append(row)
    refund_rows = [
        [
            r.order.order_no,
            r.out_request_no,
            r.trade_no,
            r.get_kind_display(),
            float(r.amount),
            _local(r.completed_at),
            r.reason,
        ]
        for r in refunds
    ]
    received = sum((n.total_amount or Decimal("0") for n in payments), Decimal("0"))
    returned = sum((r.amount for r in refunds), Decimal("0"))
    wb = Workbook()
    _sheet(
        wb,
        "汇总",
        ["对账日期", "支付方式", "收款笔数", "收款金额(元)", "退款笔数", "退款金额(元)", "净额(元)", "导出时间"],
        [
            [
                day.isoformat(),
                gateway_label(gateway),
                len(payments),
                float(received),
                len(refunds),
                float(returned),
                float(received - returned),
                _local(timezone.now()),
            ]
        ],
        first=True,
    )
    payment_headers = [
        "订单号",
        "支付交易号",
        "订单类型",
        "学习年度",
        "发票抬头",
        "金额(元)",
        "到账处理时间",
        "处理结果",
        "当前订单状态",
        "来源",
    ]
    if client is not None:
        payment_headers += ["网关交易状态", "网关金额(元)", "核对结果"]
    _sheet(wb, "收款明细", payment_headers, payment_rows)
    _sheet(
        wb,
        "退款明细",
        ["订单号", "退款请求号", "支付交易号", "退款类型", "金额(元)", "完成时间", "退款原因"],
        refund_rows,
    )
    return xlsx_bytes(wb)

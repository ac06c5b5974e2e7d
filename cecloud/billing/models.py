"""Orders, order lines and events, the payment-notification inbox, refunds and electronic invoices (requirements S3).

Orders, refunds and invoices follow explicit state machines (``ORDER_TRANSITIONS``,
``REFUND_TRANSITIONS``, ``INVOICE_TRANSITIONS``, made by ``cecloud.core.transitions``); every order
transition is made on a locked row and leaves an ``OrderEvent``. An unpaid order
expires 24 hours after creation: ``Order.effective_status`` is computed on every read, so an
order past its deadline is 已取消 even before the periodic sweep writes it down.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from cecloud.core.transitions import StateMachine, Transition
from cecloud.registry.models import Grade, GradeGroup

from .tax import split_tax

PAYMENT_WINDOW = dt.timedelta(hours=24)


class OrderKind(models.TextChoices):
    PERSONAL = "personal", "个人报名"
    UNIT = "unit", "单位报名"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "待支付"
    PAID = "paid", "已支付"
    CANCELLED = "cancelled", "已取消"
    REFUNDING = "refunding", "退款中"
    REFUNDED = "refunded", "已退款"


# The only allowed moves. CANCELLED -> REFUNDING happens when money arrives for an order that was
# already cancelled or expired: the payment is never accepted, it is refunded automatically.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.REFUNDING}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.REFUNDING}),
    OrderStatus.REFUNDING: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
}


def record_order_event(change: Transition) -> None:
    """An order's moves are recorded as its ``OrderEvent`` rows (the audit log is the caller's)."""
    OrderEvent.objects.create(
        order=change.obj,
        event=change.event_type,
        from_status=change.from_state,
        to_status=change.to_state,
        actor=change.actor if getattr(change.actor, "is_authenticated", False) else None,
        note=change.note[:300],
        data=change.data,
    )


class InvoiceTitleType(models.TextChoices):
    PERSONAL = "personal", "个人"
    UNIT = "unit", "单位"


class BuyerKind(models.TextChoices):
    """Who the invoice buyer is: decides whether a tax number is required (国家税务总局公告2017年第16号)."""

    INDIVIDUAL = "individual", "个人"
    ENTERPRISE = "enterprise", "企业"
    AGENCY = "agency", "机关"
    INSTITUTION = "institution", "事业单位"
    ORGANIZATION = "organization", "社会团体"


TAX_NUMBER_REQUIRED = frozenset({BuyerKind.ENTERPRISE})


class Order(models.Model):
    order_no = models.CharField("订单号", max_length=24, unique=True)
    kind = models.CharField("订单类型", max_length=10, choices=OrderKind.choices, default=OrderKind.PERSONAL)
    status = models.CharField(
        "订单状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    training_year = models.ForeignKey(
        "training.TrainingYear", verbose_name="学习年度", on_delete=models.PROTECT, related_name="orders"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下单帐号", on_delete=models.PROTECT, related_name="orders"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="学员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        help_text="个人报名订单的学员",
    )
    unit = models.ForeignKey(
        "registry.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="orders", help_text="下单时的单位"
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+", help_text="下单时的地区"
    )
    total_hours = models.DecimalField("合计学时", max_digits=7, decimal_places=1)
    total_amount = models.DecimalField("支付金额(元)", max_digits=10, decimal_places=2)
    gateway = models.CharField("支付方式", max_length=16, blank=True)
    trade_no = models.CharField("支付交易号", max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField("下单时间", default=timezone.now, db_index=True)
    expires_at = models.DateTimeField("支付截止时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=100, blank=True)
    refunded_at = models.DateTimeField("退款时间", null=True, blank=True)
    # Invoice information (发票信息) as entered with the order.
    invoice_title_type = models.CharField(
        "发票抬头类型", max_length=10, choices=InvoiceTitleType.choices, default=InvoiceTitleType.PERSONAL
    )
    invoice_title = models.CharField("发票抬头", max_length=100)
    invoice_tax_number = models.CharField("纳税人识别号", max_length=18, blank=True)
    invoice_buyer_kind = models.CharField(
        "购买方类型", max_length=15, choices=BuyerKind.choices, default=BuyerKind.INDIVIDUAL
    )
    needs_attention = models.BooleanField("需人工处理", default=False, db_index=True)
    attention_note = models.CharField("处理说明", max_length=300, blank=True)

    states = StateMachine(
        "订单",
        OrderStatus,
        ORDER_TRANSITIONS,
        message="订单{obj.order_no}当前为{current}，不能变为{target}",
        recorder=record_order_event,
    )

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A learner has at most one unpaid personal order per year (submitting again returns it).
            models.UniqueConstraint(
                fields=["person", "training_year"],
                condition=models.Q(status="pending", kind="personal"),
                name="order_one_pending_per_person_year",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_amount_non_negative"),
            models.CheckConstraint(
                condition=models.Q(kind="unit") | models.Q(person__isnull=False), name="order_personal_has_person"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["gateway", "paid_at"]),
            models.Index(fields=["unit", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.order_no

    # --- effective status: correct on every read even if no sweep ran -------------------------
    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.status == OrderStatus.PENDING and (now or timezone.now()) >= self.expires_at

    @property
    def effective_status(self) -> str:
        return OrderStatus.CANCELLED if self.is_expired() else self.status

    def get_effective_status_display(self) -> str:
        return OrderStatus(self.effective_status).label

    @property
    def is_payable(self) -> bool:
        return self.effective_status == OrderStatus.PENDING

    @property
    def is_personal(self) -> bool:
        return self.kind == OrderKind.PERSONAL

    @property
    def invoice_title_display(self) -> str:
        return f"【{self.get_invoice_title_type_display()}】{self.invoice_title}"


class OrderLine(models.Model):
    """One learner's class for the year, with the price and hours snapshotted when ordered.

    ``live`` is true while the line's order is pending or paid: the partial unique constraint keeps
    at most one live line per learner and year across every order (personal or unit).
    """

    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(
        "registry.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="order_lines"
    )
    training_year = models.ForeignKey(
        "training.TrainingYear", verbose_name="学习年度", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField("技术等级", max_length=20, choices=Grade.choices)
    grade_group = models.CharField("等级组", max_length=20, choices=GradeGroup.choices)
    ideology_hours = models.DecimalField("思政学时", max_digits=5, decimal_places=1)
    general_hours = models.DecimalField("通识学时", max_digits=5, decimal_places=1)
    skill_hours = models.DecimalField("岗位提升学时", max_digits=5, decimal_places=1)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    price = models.DecimalField("金额(元)", max_digits=10, decimal_places=2)
    live = models.BooleanField("有效", default=True)
    enrollment = models.ForeignKey(
        "training.Enrollment",
        verbose_name="班级",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )

    class Meta:
        verbose_name = "订单明细"
        verbose_name_plural = "订单明细"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "person"], name="orderline_person_once_per_order"),
            models.UniqueConstraint(
                fields=["person", "training_year"],
                condition=models.Q(live=True),
                name="orderline_one_live_per_person_year",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="orderline_price_non_negative"),
        ]

    def __str__(self) -> str:
        return self.content

    @property
    def content(self) -> str:
        """培训内容 as the manual shows it: "年度: 2023 技术等级: 高级技师"."""
        return f"年度: {self.training_year.year} 技术等级: {self.get_grade_display()}"


EVENT_LABELS = {
    "created": "下单",
    "payment_started": "发起支付",
    "paid": "支付成功",
    "cancelled": "取消订单",
    "expired": "超时取消",
    "trade_closed": "支付交易关闭",
    "late_payment": "取消后到账",
    "refund_requested": "申请退款",
    "refunded": "退款成功",
    "flagged": "标记人工处理",
    "attention_cleared": "人工处理完成",
    "invoice_issued": "发票已开具",
    "invoice_failed": "开票失败",
    "invoice_void": "发票无需开具",
    "invoice_reversal_requested": "申请红冲",
    "invoice_reversed": "发票已红冲",
}


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", default=timezone.now)
    event = models.CharField("事件", max_length=40)
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "订单事件"
        verbose_name_plural = "订单事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.event_label

    @property
    def event_label(self) -> str:
        return f"{EVENT_LABELS.get(self.event, self.event)}（{self.event}）"


class NotificationOutcome(models.TextChoices):
    RECEIVED = "received", "待处理"
    PROCESSED = "processed", "已处理"
    IGNORED = "ignored", "无需处理"
    LATE = "late", "订单已取消，转退款"
    DUPLICATE = "duplicate", "重复通知"
    REJECTED = "rejected", "已拒绝"


class PaymentNotification(models.Model):
    """Inbox of payment results (asynchronous notifications and trade-query results).

    A verified, matching result is stored under ``dedup_key`` (gateway, trade, status) *before* it is
    processed, so a duplicate or replay finds the key taken. Rejected ones (bad signature, wrong
    app id / seller / amount, unknown order) are kept with the reason but never take a key, so a
    forgery cannot block the genuine notification.
    """

    class Source(models.TextChoices):
        NOTIFY = "notify", "异步通知"
        QUERY = "query", "交易查询"

    gateway = models.CharField("支付网关", max_length=16)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.NOTIFY)
    dedup_key = models.CharField("唯一键", max_length=200, null=True, blank=True, unique=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now, db_index=True)
    order = models.ForeignKey(
        Order, verbose_name="订单", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    order_no = models.CharField("订单号", max_length=64, blank=True, db_index=True)
    trade_no = models.CharField("交易号", max_length=64, blank=True)
    trade_status = models.CharField("交易状态", max_length=32, blank=True)
    total_amount = models.DecimalField("金额", max_digits=12, decimal_places=2, null=True, blank=True)
    verified = models.BooleanField("签名有效", default=False)
    outcome = models.CharField(
        "处理结果", max_length=10, choices=NotificationOutcome.choices, default=NotificationOutcome.RECEIVED
    )
    reason = models.CharField("说明", max_length=300, blank=True)
    processed_at = models.DateTimeField("处理时间", null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="重复于", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    payload = models.JSONField("原始参数", default=dict, blank=True)
    remote_addr = models.GenericIPAddressField("来源IP", null=True, blank=True)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.order_no} {self.trade_status} {self.get_outcome_display()}"


class RefundKind(models.TextChoices):
    OPERATOR = "operator", "运营退款"
    LATE_PAYMENT = "late_payment", "取消后到账自动退款"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "退款中"
    SUCCEEDED = "succeeded", "退款成功"
    FAILED = "failed", "退款失败"


# A failed gateway call may be retried (and fail again); a refund that succeeded is final.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
}


class Refund(models.Model):
    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField("类型", max_length=15, choices=RefundKind.choices)
    out_request_no = models.CharField("退款请求号", max_length=64, unique=True)
    gateway = models.CharField("支付网关", max_length=16)
    trade_no = models.CharField("支付交易号", max_length=64, blank=True)
    amount = models.DecimalField("退款金额", max_digits=10, decimal_places=2)
    reason = models.CharField("退款原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    response = models.JSONField("网关返回", default=dict, blank=True)

    states = StateMachine("退款", RefundStatus, REFUND_TRANSITIONS)

    class Meta:
        verbose_name = "退款"
        verbose_name_plural = "退款"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.out_request_no} {self.amount}元 {self.get_status_display()}"


class InvoiceStatus(models.TextChoices):
    PENDING = "pending", "待开票"
    ISSUING = "issuing", "开票中"
    ISSUED = "issued", "已开票"
    FAILED = "failed", "开票失败"
    REVERSING = "reversing", "红冲中"
    REVERSED = "reversed", "已红冲"
    REVERSE_FAILED = "reverse_failed", "红冲失败"
    VOID = "void", "已退款，未开具"


# ISSUING -> ISSUING and REVERSING -> REVERSING: a worker resumes a call the provider has not
# finished (or one presumed dead; FAILED -> ISSUED is such a call succeeding late). A refund asks
# for 红冲 before the invoice is reversed: one never issued (no number, no provider serial, no call
# in flight) is voided instead; an issue call that fails after that leaves the invoice REVERSING.
INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.PENDING: frozenset({InvoiceStatus.ISSUING, InvoiceStatus.VOID}),
    InvoiceStatus.ISSUING: frozenset(
        {
            InvoiceStatus.ISSUING,
            InvoiceStatus.ISSUED,
            InvoiceStatus.FAILED,
            InvoiceStatus.REVERSING,
            InvoiceStatus.VOID,
        }
    ),
    InvoiceStatus.FAILED: frozenset(
        {InvoiceStatus.ISSUING, InvoiceStatus.ISSUED, InvoiceStatus.REVERSING, InvoiceStatus.VOID}
    ),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.REVERSING}),
    InvoiceStatus.REVERSING: frozenset({InvoiceStatus.REVERSING, InvoiceStatus.REVERSED, InvoiceStatus.REVERSE_FAILED}),
    InvoiceStatus.REVERSE_FAILED: frozenset({InvoiceStatus.REVERSING}),
    InvoiceStatus.REVERSED: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}


class Invoice(models.Model):
    """增值税电子普通发票 issued from the order's invoice information after payment."""

    order = models.OneToOneField(Order, verbose_name="订单", on_delete=models.PROTECT, related_name="invoice")
    issuer = models.CharField("开票渠道", max_length=16)
    status = models.CharField(
        "状态", max_length=15, choices=InvoiceStatus.choices, default=InvoiceStatus.PENDING, db_index=True
    )
    title_type = models.CharField("发票抬头类型", max_length=10, choices=InvoiceTitleType.choices)
    title = models.CharField("发票抬头", max_length=100)
    tax_number = models.CharField("纳税人识别号", max_length=18, blank=True)
    buyer_kind = models.CharField("购买方类型", max_length=15, choices=BuyerKind.choices)
    item_name = models.CharField("项目", max_length=50, default="培训费")
    amount = models.DecimalField("价税合计", max_digits=10, decimal_places=2)
    invoice_no = models.CharField("发票号码", max_length=20, blank=True, db_index=True)
    invoice_code = models.CharField("发票代码", max_length=12, blank=True)
    issued_at = models.DateTimeField("开票日期", null=True, blank=True)
    provider_serial = models.CharField("开票流水号", max_length=64, blank=True)
    pdf = models.FileField("发票文件", upload_to="invoices/%Y/%m/", blank=True)
    pdf_url = models.URLField("发票链接", max_length=500, blank=True)
    reversal_no = models.CharField("红字发票号码", max_length=20, blank=True)
    reversal_serial = models.CharField("红冲流水号", max_length=64, blank=True)
    reversed_at = models.DateTimeField("红冲日期", null=True, blank=True)
    reversal_pdf = models.FileField("红字发票文件", upload_to="invoices/%Y/%m/", blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    working_since = models.DateTimeField("处理中（开始时间）", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    states = StateMachine("电子发票", InvoiceStatus, INVOICE_TRANSITIONS, message="发票{current}，不能改为{target}")

    class Meta:
        verbose_name = "电子发票"
        verbose_name_plural = "电子发票"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.invoice_no or f"{self.order.order_no} 的发票"

    @property
    def amount_excluding_tax(self) -> Decimal:
        return split_tax(self.amount)[0]

    @property
    def tax_amount(self) -> Decimal:
        return split_tax(self.amount)[1]

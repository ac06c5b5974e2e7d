from __future__ import annotations

from django import forms

from cecloud.core.ids import IdError, validate_credit_code
from cecloud.registry.models import Grade

from .models import TAX_NUMBER_REQUIRED, BuyerKind, InvoiceTitleType
from .services import InvoiceInfo

UNIT_BUYER_KINDS = [(k.value, k.label) for k in BuyerKind if k != BuyerKind.INDIVIDUAL]


class InvoiceForm(forms.Form):
    """发票信息 on 2 确认报名信息: personal title = real name; a unit title may need a tax number."""

    title_type = forms.ChoiceField(
        label="发票抬头类型",
        choices=InvoiceTitleType.choices,
        widget=forms.RadioSelect,
        initial=InvoiceTitleType.PERSONAL,
    )
    title = forms.CharField(
        label="发票抬头",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "请填写真实姓名"}),
    )
    buyer_kind = forms.ChoiceField(
        label="单位类型",
        choices=UNIT_BUYER_KINDS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="企业须填写纳税人识别号；机关、事业单位、社会团体可不填",
    )
    tax_number = forms.CharField(
        label="纳税人识别号",
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "18位统一社会信用代码", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, person=None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("title_type") == InvoiceTitleType.UNIT:
            if not (data.get("title") or "").strip():
                self.add_error("title", "请填写发票抬头（单位名称）")
            if not data.get("buyer_kind"):
                self.add_error("buyer_kind", "请选择单位类型")
            tax_number = (data.get("tax_number") or "").strip()
            if tax_number:
                try:
                    data["tax_number"] = validate_credit_code(tax_number)
                except IdError as exc:
                    self.add_error("tax_number", str(exc))
            elif data.get("buyer_kind") in TAX_NUMBER_REQUIRED:
                self.add_error("tax_number", "企业抬头须填写纳税人识别号（统一社会信用代码）")
        return data

    def invoice_info(self) -> InvoiceInfo:
        data = self.cleaned_data
        if data["title_type"] == InvoiceTitleType.PERSONAL:
            return InvoiceInfo(InvoiceTitleType.PERSONAL, self.person.name if self.person else data["title"])
        return InvoiceInfo(InvoiceTitleType.UNIT, data["title"], data.get("tax_number", ""), data["buyer_kind"])


class UnitFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="学习年度", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    q = forms.CharField(
        label="姓名/身份证号后四位",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "姓名或身份证号后四位"}),
    )
    grade = forms.ChoiceField(
        label="技术等级",
        required=False,
        choices=[("", "全部等级"), *Grade.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    state = forms.ChoiceField(
        label="报名状态",
        required=False,
        choices=[("", "全部"), ("none", "未报名"), ("pending", "待支付"), ("registered", "已报名")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.year, f"{y.year}年度") for y in years]


class RefundForm(forms.Form):
    reason = forms.CharField(
        label="退款原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
    )


class ReconciliationForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    gateway = forms.ChoiceField(label="支付方式", choices=[("alipay", "支付宝"), ("dev", "模拟收银台（开发）")])

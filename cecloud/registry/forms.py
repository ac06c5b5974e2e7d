"""Forms for the public application (入库申请), the learner's correction request and reviews."""

from __future__ import annotations

import re

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms

from cecloud.core.ids import IdError, validate_id_number
from cecloud.core.masking import mask_phone
from cecloud.core.text import is_valid_phone, normalize_phone, normalize_text

from . import selectors
from .models import CorrectionRequest, Grade, Person, Region

NAME_RE = re.compile(r"^[\u3400-\u9fff·•]{2,20}$")
CITY_ONLY = ""  # the county select's "市直单位" option


def _input(placeholder: str = "", **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", "placeholder": placeholder, **attrs})


def clean_person_name(value: str) -> str:
    name = normalize_text(value).replace(" ", "")
    if not name:
        raise forms.ValidationError("请输入姓名")
    if not NAME_RE.match(name):
        raise forms.ValidationError("姓名应为2-20个汉字（少数民族姓名可含“·”）")
    return name


def clean_phone_number(value: str) -> str:
    phone = normalize_phone(value)
    if not phone:
        raise forms.ValidationError("请输入手机号")
    if not is_valid_phone(phone):
        raise forms.ValidationError("手机号格式错误，应为11位手机号")
    return phone


def clean_unit_name(value: str) -> str:
    name = normalize_text(value)
    if len(name) < 2:
        raise forms.ValidationError("请输入工作单位全称")
    if len(name) > 100:
        raise forms.ValidationError("工作单位不能超过100字")
    return name


class RegionFieldsMixin:
    """所属地区 as two selects: city, then county (or "市直单位"). ``cleaned_data["region"]``."""

    def _setup_region_fields(self, *, initial_region: Region | None = None) -> None:
        city_code = ""
        county_code = CITY_ONLY
        if initial_region is not None:
            city = initial_region.city
            city_code = city.code if city else ""
            county_code = initial_region.code if initial_region.level == Region.Level.COUNTY else CITY_ONLY
            self.initial.setdefault("city", city_code)
            self.initial.setdefault("county", county_code)
        chosen_city = (self.data.get(self.add_prefix("city")) if self.is_bound else None) or self.initial.get("city")
        self.fields["city"].choices = [("", "请选择市")] + [(c.code, c.name) for c in selectors.cities()]
        city = selectors.region_by_code(chosen_city) if chosen_city else None
        if city is not None and city.level != Region.Level.CITY:
            city = None
        self.fields["county"].choices = county_choices(city)

    def clean_region_fields(self, data: dict) -> None:
        if "city" in self.errors or "county" in self.errors:
            return
        city = selectors.region_by_code(data.get("city") or "")
        if city is None or city.level != Region.Level.CITY:
            self.add_error("city", "请选择所属地区（市）")
            return
        county_code = data.get("county") or CITY_ONLY
        if county_code == CITY_ONLY:
            data["region"] = city
            return
        county = selectors.region_by_code(county_code)
        if county is None or county.parent_id != city.pk:
            self.add_error("county", "所选县区不属于该市，请重新选择")
            return
        data["region"] = county


def county_choices(city: Region | None) -> list[tuple[str, str]]:
    if city is None:
        return [(CITY_ONLY, "请先选择市")]
    return [(CITY_ONLY, "市直单位（不选县区）")] + [(c.code, c.name) for c in selectors.counties(city=city)]


def _region_widgets():
    city = forms.ChoiceField(
        label="所属地区（市）",
        error_messages={"required": "请选择所属地区（市）", "invalid_choice": "请选择所属地区（市）"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    county = forms.ChoiceField(
        label="县区/功能板块",
        required=False,
        error_messages={"invalid_choice": "所选县区不属于该市，请重新选择"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    return city, county


class ApplicationForm(RegionFieldsMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50, widget=_input("请输入姓名"))
    id_number = forms.CharField(
        label="身份证号", max_length=30, widget=_input("请输入18位身份证号", autocomplete="off", inputmode="text")
    )
    phone = forms.CharField(
        label="手机号", max_length=20, widget=_input("用于接收审核结果短信", inputmode="numeric", autocomplete="tel")
    )
    unit_name = forms.CharField(label="工作单位", max_length=120, widget=_input("请填写单位全称"))
    city, county = _region_widgets()
    grade = forms.ChoiceField(
        label="技术等级",
        choices=[("", "请选择技术等级")] + list(Grade.choices),
        error_messages={"required": "请选择技术等级", "invalid_choice": "请选择技术等级"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    post = forms.CharField(label="岗位", max_length=100, widget=_input("如：驾驶员、电工"))
    captcha = CaptchaField(
        label="验证码",
        error_messages={"invalid": "验证码错误，请重新输入", "required": "请输入验证码"},
        widget=CaptchaTextInput(attrs={"placeholder": "验证码", "class": "form-control", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, message in (
            ("name", "请输入姓名"),
            ("id_number", "请输入身份证号"),
            ("phone", "请输入手机号"),
            ("unit_name", "请输入工作单位全称"),
            ("post", "请输入岗位"),
        ):
            self.fields[field].error_messages["required"] = message
        self._setup_region_fields()

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data["id_number"])
        except IdError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data["phone"])

    def clean_unit_name(self):
        return clean_unit_name(self.cleaned_data["unit_name"])

    def clean_post(self):
        post = normalize_text(self.cleaned_data["post"])
        if not post:
            raise forms.ValidationError("请输入岗位")
        return post

    def clean(self):
        data = super().clean()
        self.clean_region_fields(data)
        return data


class CorrectionForm(RegionFieldsMixin, forms.Form):
    """Pre-filled with the registry's values; whatever the learner changes becomes the request."""

    name = forms.CharField(label="姓名", max_length=50, widget=_input())
    phone = forms.CharField(
        label="手机号", max_length=20, required=False, widget=_input(inputmode="numeric", autocomplete="tel")
    )
    unit_name = forms.CharField(label="工作单位", max_length=120, widget=_input())
    city, county = _region_widgets()
    grade = forms.ChoiceField(
        label="技术等级", choices=Grade.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    post = forms.CharField(label="岗位", max_length=100, required=False, widget=_input())
    reason = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "placeholder": "可说明修改原因（选填）"}),
    )

    def __init__(self, person: Person, *args, **kwargs):
        self.person = person
        kwargs.setdefault(
            "initial",
            {
                "name": person.name,
                "unit_name": person.unit.name,
                "grade": person.grade,
                "post": person.post,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "请输入姓名"
        self.fields["unit_name"].error_messages["required"] = "请输入工作单位全称"
        self.fields["grade"].error_messages["invalid_choice"] = "请选择技术等级"
        self._setup_region_fields(initial_region=person.region)
        # The full phone number is not echoed into the page: blank means "unchanged".
        self.fields["phone"].widget.attrs["placeholder"] = (
            f"当前：{mask_phone(person.phone)}，不修改请留空" if person.phone else "未绑定，请填写手机号"
        )

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_phone(self):
        if not normalize_phone(self.cleaned_data.get("phone")):
            return self.person.phone
        return clean_phone_number(self.cleaned_data["phone"])

    def clean_unit_name(self):
        return clean_unit_name(self.cleaned_data["unit_name"])

    def clean_post(self):
        return normalize_text(self.cleaned_data.get("post"))

    def clean(self):
        data = super().clean()
        self.clean_region_fields(data)
        if self.errors:
            return data
        person = self.person
        current = {
            "name": person.name,
            "phone": person.phone,
            "unit": person.unit.name,
            "region": person.region_id,
            "grade": person.grade,
            "post": person.post,
        }
        submitted = {
            "name": data["name"],
            "phone": data["phone"],
            "unit": data["unit_name"],
            "region": data["region"].pk,
            "grade": data["grade"],
            "post": data.get("post", ""),
        }
        changes = {f: submitted[f] for f in CorrectionRequest.FIELDS if submitted[f] != current[f]}
        if not changes:
            raise forms.ValidationError("您没有修改任何信息")
        data["changes"] = changes
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="驳回原因",
        max_length=200,
        error_messages={"required": "请填写驳回原因", "max_length": "驳回原因不能超过200字"},
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "placeholder": "请填写驳回原因"}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写驳回原因")
        return reason

from __future__ import annotations

from django import forms

from cecloud.registry.models import Grade

from .selectors.workers import WORKER_STATUSES


class WorkerFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="学习年度", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    grade = forms.ChoiceField(
        label="技术等级",
        required=False,
        choices=[("", "全部等级"), *Grade.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *WORKER_STATUSES.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label="姓名/身份证号",
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "姓名、身份证号或后四位", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.year, f"{y.year}年度") for y in years]

    def values(self, default_year: int) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "year": data.get("year") or default_year,
            "grade": data.get("grade", ""),
            "status": data.get("status", ""),
            "q": (data.get("q") or "").strip(),
        }


class ScheduleForm(forms.Form):
    region = forms.ChoiceField(label="地区", widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.TypedChoiceField(label="学习年度", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    register_start = forms.DateField(
        label="报名缴费开始", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
    )
    register_end = forms.DateField(
        label="报名缴费结束", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
    )
    study_start = forms.DateField(
        label="学习考试开始", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
    )
    study_end = forms.DateField(
        label="学习考试结束", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
    )
    catch_up_open = forms.BooleanField(
        label="开放补学",
        required=False,
        help_text="往年度（补学）是否开放报名与学习",
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, regions=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.full_name) for r in regions]
        self.fields["year"].choices = [(y.year, f"{y.year}年度") for y in years]

from __future__ import annotations

import zipfile

from django import forms

from cecloud.core.spreadsheet import SpreadsheetTooLarge, check_xlsx_upload
from cecloud.training.models import TrainingYear

from .selectors import MAX_BATCH_IDS

MAX_BATCH_FILE_BYTES = 2 * 1024 * 1024


class VerifyForm(forms.Form):
    q = forms.CharField(
        label="证书编号或查验码",
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": "如 JSGQ2023000001 或 ABCD-EFGH-JKLM", "autocomplete": "off", "class": "form-control"}
        ),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), strip=True
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_id_numbers(upload) -> list[str]:
    """ID numbers from the first sheet: the column headed 身份证号 (or the first column)."""
    from openpyxl import load_workbook

    try:
        check_xlsx_upload(upload)
    except SpreadsheetTooLarge as exc:
        raise forms.ValidationError(exc.message) from None
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise forms.ValidationError("文件无法读取，请上传 .xlsx 格式的 Excel 文件") from exc
    try:
        sheet = workbook.worksheets[0]
        column = 0
        values: list[str] = []
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            cells = [_cell_text(v) for v in row]
            if index == 0:
                headers = [c.replace(" ", "") for c in cells]
                found = next((i for i, h in enumerate(headers) if "身份证" in h), None)
                if found is not None:
                    column = found
                    continue
            value = row[column] if column < len(row) else None
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e14:
                raise forms.ValidationError(
                    f"第{index + 1}行的身份证号是数值格式，Excel 只保留 15 位有效数字，末尾数字已丢失："
                    "请将身份证号列设置为文本格式后重新填写"
                )
            if column < len(cells) and cells[column]:
                values.append(cells[column])
            if len(values) > MAX_BATCH_IDS:
                raise forms.ValidationError(f"一次最多查询 {MAX_BATCH_IDS} 个身份证号，请分批上传")
    finally:
        workbook.close()
    if not values:
        raise forms.ValidationError("文件中没有身份证号：请在第一列（或“身份证号”列）填写身份证号")
    return values


class BatchVerifyForm(forms.Form):
    file = forms.FileField(
        label="身份证号名单（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )
    year = forms.TypedChoiceField(
        label="学习年度",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = TrainingYear.objects.order_by("-year").values_list("year", flat=True)
        self.fields["year"].choices = [("", "全部年度")] + [(y, f"{y}年度") for y in years]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件")
        if upload.size > MAX_BATCH_FILE_BYTES:
            raise forms.ValidationError("文件过大（最大 2 MB）")
        self.id_numbers = read_id_numbers(upload)
        return upload

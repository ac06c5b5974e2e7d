"""The registry spreadsheet layout (信息模板): one header row, these columns in this order."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from cecloud.core.spreadsheet import xlsx_append, xlsx_bytes

from .models import Grade, PersonStatus

COLUMNS = ["姓名", "身份证号", "手机号", "工作单位", "所属地区", "技术等级", "岗位", "在岗状态"]
EXAMPLE_ROW = [
    "张三",
    "320706198801011234",
    "13800000000",
    "连云港市第一人民医院",
    "连云港市海州区",
    "高级工",
    "驾驶员",
    "在岗",
]


def build_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "人员信息"
    xlsx_append(ws, COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1559A8")
        cell.alignment = Alignment(horizontal="center")
    widths = [10, 22, 14, 30, 18, 10, 14, 10]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    grades = DataValidation(type="list", formula1='"' + ",".join(Grade.labels) + '"', allow_blank=False)
    status = DataValidation(type="list", formula1='"' + ",".join(PersonStatus.labels) + '"', allow_blank=False)
    ws.add_data_validation(grades)
    ws.add_data_validation(status)
    grades.add("F2:F100000")
    status.add("H2:H100000")
    for col in ("B", "C"):
        for row in range(2, 1001):
            ws[f"{col}{row}"].number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in [
        ["填写说明"],
        ["1. 第一行为表头，请勿修改列的名称和顺序。"],
        ["2. 身份证号须为18位，末位X可大写或小写；请将身份证号、手机号列设为文本格式。"],
        ["3. 所属地区填写“市+县区”，如“连云港市海州区”；市直单位填写市名，如“连云港市”。"],
        ["4. 技术等级：初级工、中级工、高级工、技师、高级技师。"],
        ["5. 在岗状态：在岗、离岗。"],
        ["示例："] + EXAMPLE_ROW,
    ]:
        xlsx_append(notes, line)
    return xlsx_bytes(wb)

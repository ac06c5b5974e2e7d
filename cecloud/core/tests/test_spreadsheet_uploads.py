"""Uploaded .xlsx files are bounded before openpyxl parses them (core.spreadsheet.check_xlsx_upload):
zip bombs, huge shared strings, sheets claiming a million rows or columns, too many rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from cecloud.core.spreadsheet import SpreadsheetTooLarge, check_xlsx_upload, upload_limits

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook_bytes(rows=(("姓名", "身份证号"), ("张三", "320706198801011234"))) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def replaced(content: bytes, name: str, data: bytes) -> bytes:
    """The .xlsx with one member replaced (or added), deflated like Excel does."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, data)
    return out.getvalue()


def sheet(body: bytes, *, dimension: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet '
        + NS
        + b">"
        + dimension
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def refused(content: bytes, **kwargs) -> str:
    with pytest.raises(SpreadsheetTooLarge) as caught:
        check_xlsx_upload(io.BytesIO(content), **kwargs)
    return caught.value.message


def test_an_ordinary_workbook_passes_and_the_file_is_rewound():
    upload = io.BytesIO(workbook_bytes())
    upload.seek(7)
    check_xlsx_upload(upload)
    assert upload.tell() == 7


def test_not_a_zip_is_left_to_the_reader():
    check_xlsx_upload(io.BytesIO(b"not a spreadsheet"))


def test_a_zip_bomb_is_refused_by_its_decompressed_size():
    bomb = sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + b" " * (51 * 1024 * 1024))
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", bomb)
    assert len(content) < 200 * 1024
    assert refused(content) == "文件解压后超过 50 MB，请拆分后上传"


def test_an_extreme_compression_ratio_is_refused_even_under_the_size_limit(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_unzipped_mb": 100}}
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(b" " * (20 * 1024 * 1024)))
    assert "压缩比异常" in refused(content)


def test_huge_shared_strings_are_refused(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_shared_strings": 1000}}
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(1001))
    content = replaced(workbook_bytes(), "xl/sharedStrings.xml", b"<sst " + NS + b">" + strings + b"</sst>")
    assert refused(content) == "表格中的文本超过 1000 条，请拆分后上传"


def test_too_many_rows_are_refused(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_rows": 100}}
    check_xlsx_upload(io.BytesIO(workbook_bytes([("a",)] * 100)))
    assert refused(workbook_bytes([("a",)] * 101)) == "表格超过 100 行，请拆分后上传"


def test_too_many_cells_are_refused(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_cells": 50}}
    assert refused(workbook_bytes([("a", "b", "c")] * 20)) == "表格超过 50 个单元格，请拆分后上传"


@pytest.mark.parametrize(
    "body, dimension",
    [
        (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>', b""),
        (b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<dimension ref="A1:A1048576"/>'),
        (b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="900000"/>', b""),
    ],
)
def test_a_sheet_claiming_a_million_rows_is_refused(body, dimension):
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(body, dimension=dimension))
    assert refused(content) == "表格超过 50000 行，请拆分后上传"


@pytest.mark.parametrize(
    "body, dimension",
    [
        (b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', b""),
        (b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<dimension ref="A1:XFD1"/>'),
    ],
)
def test_a_sheet_claiming_sixteen_thousand_columns_is_refused(body, dimension):
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(body, dimension=dimension))
    assert refused(content) == "表格超过 200 列，请删除多余的列后上传"


def test_rows_split_across_read_chunks_are_all_counted(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_rows": 40_000}}
    row = b'<row r="%d" spans="1:1"><c r="A%d" t="inlineStr"><is><t>' + b"y" * 40 + b"</t></is></c></row>"
    body = b"".join(row % (i, i) for i in range(1, 40_002))
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(body))
    assert refused(content) == "表格超过 40000 行，请拆分后上传"


def test_too_many_members_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for i in range(501):
            target.writestr(f"xl/media/y{i}.bin", b"")
    assert "部件过多" in refused(out.getvalue())


def test_profiles_override_the_default(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_rows": 10}, "registry": {"max_rows": 1000}}
    assert upload_limits()["max_rows"] == 10 and upload_limits("registry")["max_rows"] == 1000
    assert upload_limits("registry")["max_columns"] == 200
    content = workbook_bytes([("a",)] * 20)
    check_xlsx_upload(io.BytesIO(content), profile="registry")
    assert refused(content) == "表格超过 10 行，请拆分后上传"


def test_the_registry_profile_takes_a_300000_row_file():
    limits = upload_limits("registry")
    assert limits["max_rows"] > 300_001 and limits["max_cells"] > 300_001 * 8
    assert limits["max_unzipped_mb"] * 1024 * 1024 > 300_000 * 510  # ~510 bytes of sheet XML per inline-string row

"""Every .xlsx upload refuses an oversize file (zip bomb, too many rows) with a clear Chinese message
before parsing it, through its real view or entry point, never with a 500 or a hang."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import OperatorFactory, UnitHRFactory
from cecloud.core.tests.test_spreadsheet_uploads import replaced, sheet, workbook_bytes
from cecloud.registry.factories import UnitFactory
from cecloud.registry.importer import registry_import
from cecloud.registry.models import ImportJob

pytestmark = pytest.mark.django_db

BOMB_MESSAGE = "文件解压后超过 50 MB，请拆分后上传"


def bomb(size_mb: int = 51) -> bytes:
    """A small .xlsx whose sheet decompresses to ``size_mb`` MB of blanks."""
    body = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + b" " * (size_mb * 1024 * 1024)
    return replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(body))


def upload(content: bytes, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/vnd.ms-excel")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url_name", ["admin:catalog_course_import", "admin:exams_question_import"])
def test_back_office_imports_refuse_a_zip_bomb(url_name):
    response = logged_in(OperatorFactory()).post(reverse(url_name), {"file": upload(bomb()), "dry_run": "on"})
    assert response.status_code == 200
    assert BOMB_MESSAGE in response.content.decode()


def test_back_office_imports_refuse_too_many_rows(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_rows": 10}}
    content = workbook_bytes([("题干",)] * 11)
    response = logged_in(OperatorFactory()).post(
        reverse("admin:exams_question_import"), {"file": upload(content), "dry_run": "on"}
    )
    assert "表格超过 10 行，请拆分后上传" in response.content.decode()


def test_registry_import_upload_form_refuses_a_zip_bomb():
    response = logged_in(OperatorFactory()).post(
        reverse("admin:registry_importjob_add"), {"file": upload(bomb(), "人员.xlsx"), "mode": "dry_run"}
    )
    assert response.status_code == 200
    assert "文件压缩比异常（超过 200 倍）" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_registry_import_job_and_command_refuse_too_many_rows(settings, tmp_path):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"registry": {"max_rows": 5}}
    path = tmp_path / "人员.xlsx"
    path.write_bytes(workbook_bytes([("姓名",)] * 6))
    result = registry_import(source=path, dry_run=True)
    assert [e.message for e in result.errors] == ["表格超过 5 行，请拆分后上传"]
    with path.open("rb") as fh:
        result = registry_import(source=fh, dry_run=True)
    assert [e.message for e in result.errors] == ["表格超过 5 行，请拆分后上传"]


def test_batch_verification_upload_refuses_a_sheet_claiming_a_million_rows():
    client = logged_in(UnitHRFactory(unit=UnitFactory()))
    body = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    content = replaced(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet(body))
    response = client.post(reverse("certificates:batch"), {"file": upload(content)})
    assert response.status_code == 200
    assert "表格超过 50000 行，请拆分后上传" in response.content.decode()


def test_batch_verification_upload_refuses_a_zip_bomb(settings):
    settings.SPREADSHEET_UPLOAD_LIMITS = {"default": {"max_unzipped_mb": 1}}
    client = logged_in(UnitHRFactory(unit=UnitFactory()))
    response = client.post(reverse("certificates:batch"), {"file": upload(bomb(2))})
    assert "文件解压后超过 1 MB，请拆分后上传" in response.content.decode()


def test_an_ordinary_upload_still_works():
    content = io.BytesIO(workbook_bytes([("身份证号",), ("320706198801011234",)]))
    client = logged_in(UnitHRFactory(unit=UnitFactory()))
    response = client.post(reverse("certificates:batch"), {"file": upload(content.getvalue())})
    assert response.status_code == 200 and response.context["token"]

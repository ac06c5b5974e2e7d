"""导入人员库 in the operators' back office, in a real browser: upload, 仅校验 with the error table,
立即导入 after a clean check, and the progress bar that htmx polls every second."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from cecloud.accounts.factories import PASSWORD, OperatorFactory
from cecloud.registry.factories import region, valid_id_number
from cecloud.registry.models import ImportJob, Person
from cecloud.registry.template import COLUMNS

from .conftest import fill_staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def registry_file(path, rows: int, *, bad_phone_row: int | None = None):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for n in range(1, rows + 1):
        phone = "123" if n == bad_phone_row else f"1380000{n:04d}"
        ws.append(
            [
                f"学员{n}",
                valid_id_number("320706", seq=n),
                phone,
                "连云港市第一人民医院",
                "连云港市海州区",
                "高级工",
                "驾驶员",
                "在岗",
            ]
        )
    wb.save(path)
    return path


def admin_login(page, base_url):
    operator = OperatorFactory(username="op_e2e", display_name="运营小王")
    page.goto(base_url + "/admin/")  # the admin's login is 工作人员登录, with the second factor
    page.wait_for_url("**/accounts/staff/login/**")
    fill_staff_login(page, base_url, operator, PASSWORD, next_url="/admin/")
    page.wait_for_url("**/admin/")
    return operator


def test_upload_check_then_import(live_server, page, shot, tmp_path):
    region("320706")
    admin_login(page, live_server.url)
    page.goto(live_server.url + "/admin/registry/person/")
    page.click("#import-registry-link")
    page.wait_for_url("**/admin/registry/importjob/add/")
    assert page.locator("#download-template").is_visible()
    shot("registry-import-form")

    page.set_input_files("#id_file", str(registry_file(tmp_path / "有错误.xlsx", 5, bad_phone_row=3)))
    page.check("input[value=dry_run]")
    page.click("button:has-text('上传并开始')")
    page.wait_for_url("**/change/")
    assert page.locator("#import-summary").inner_text().strip().startswith("发现 1 处错误")
    assert page.locator("#import-errors tbody tr").count() == 1
    assert "第4行" in page.locator("#import-errors").inner_text()
    shot("registry-import-errors")

    page.goto(live_server.url + "/admin/registry/importjob/add/")
    page.set_input_files("#id_file", str(registry_file(tmp_path / "人员信息.xlsx", 30)))
    page.click("button:has-text('上传并开始')")
    page.wait_for_url("**/change/")
    assert "校验通过（未写入）：共 30 行，将新增 30 人" in page.locator("#import-summary").inner_text()
    assert Person.objects.count() == 0
    shot("registry-import-checked")

    page.click("#import-now")
    page.wait_for_selector("text=导入完成")
    assert "新增 30 人" in page.locator("#import-summary").inner_text()
    assert Person.objects.count() == 30
    shot("registry-import-done")

    page.goto(live_server.url + "/admin/registry/person/")
    first = Person.objects.order_by("id").first()
    assert page.locator(f"text={first.id_number[:3]}***********{first.id_number[-4:]}").count() == 1
    assert page.locator(f"text={first.id_number}").count() == 0
    shot("registry-people-list")


def test_progress_bar_is_polled_until_the_job_finishes(live_server, page, shot, tmp_path):
    region("320706")
    operator = admin_login(page, live_server.url)
    job = ImportJob.objects.create(
        file="imports/registry/人员信息.xlsx",
        status=ImportJob.Status.VALIDATING,
        total_rows=300_000,
        processed_rows=126_000,
        created_by=operator,
    )

    page.goto(f"{live_server.url}/admin/registry/importjob/{job.pk}/change/")
    bar = page.locator("#import-status .progress-bar")
    assert bar.inner_text() == "42%"
    assert "已处理 126000 / 300000 行" in page.locator("#import-rows").inner_text()
    shot("registry-import-progress")

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, processed_rows=150_000)
    page.wait_for_selector("#import-status[data-status=importing]", timeout=5000)
    assert page.locator("#import-status .progress-bar").inner_text() == "50%"

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, processed_rows=300_000, created_count=300_000
    )
    page.wait_for_selector("#import-status[data-status=done]", timeout=5000)
    assert "导入完成：共 300000 行，新增 300000 人" in page.locator("#import-summary").inner_text()
    assert page.locator("#import-status[hx-trigger]").count() == 0

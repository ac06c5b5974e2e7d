"""Back office (Django admin) for the registry: 导入人员库 with upload, 仅校验 / 导入, a task and a
progress bar polled with htmx; people with masked IDs in lists and audited full views; refused for
anyone but operators. One test runs the import task in a real Celery worker."""

from __future__ import annotations

import threading

import pytest
from celery.result import EagerResult
from celery.signals import task_postrun
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cecloud.accounts.factories import BureauFactory, OperatorFactory, UnitHRFactory, UserFactory
from cecloud.core.models import AuditLog
from cecloud.core.testing import require_postgres
from cecloud.registry.factories import PersonFactory, region, valid_id_number
from cecloud.registry.models import ImportJob, Person, PersonHistory, PersonStatus
from cecloud.registry.tasks import run_import_job

from .test_import import ID_A, ID_B, row, xlsx

pytestmark = pytest.mark.django_db

ADD_URL = "admin:registry_importjob_add"


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(OperatorFactory(is_superuser=False))
    return client


def upload(tmp_path, rows, name="people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(tmp_path, rows, name=name).read_bytes())


def post_upload(client, tmp_path, rows, mode, capture):
    with capture(execute=True) as callbacks:
        response = client.post(reverse(ADD_URL), {"file": upload(tmp_path, rows), "mode": mode})
    assert len(callbacks) == 1  # the task is started after commit
    return response


# --- Upload page, job page, progress endpoint ------------------------------------------------------------------
def test_upload_page_for_operators(operator_client):
    response = operator_client.get(reverse(ADD_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert "导入人员库" in html
    assert "仅校验" in html and "导入（有任何错误行则全部不导入）" in html
    assert reverse("registry:template") in html
    assert "姓名</code>、<code>身份证号" in html


def test_dry_run_upload_then_import_from_the_validated_file(
    operator_client, tmp_path, django_capture_on_commit_callbacks
):
    response = post_upload(
        operator_client, tmp_path, [row(), row(**{"身份证号": ID_B})], "dry_run", django_capture_on_commit_callbacks
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:registry_importjob_change", args=[job.pk]
    )
    assert job.dry_run and job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows, job.created_count, job.updated_count) == (2, 2, 2, 0)
    assert Person.objects.count() == 0
    page = operator_client.get(response["Location"]).content.decode()
    assert "校验通过（未写入）：共 2 行，将新增 <strong>2</strong> 人" in page
    assert "立即导入此文件" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    assert "bg-success" in page and 'aria-valuenow="100"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(reverse("admin:registry_importjob_run", args=[job.pk]))

    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("admin:registry_importjob_change", args=[real.pk])
    assert not real.dry_run and real.file.name == job.file.name
    assert real.status == ImportJob.Status.DONE and real.created_count == 2
    assert Person.objects.count() == 2
    page = operator_client.get(response["Location"]).content.decode()
    assert "导入完成：共 2 行，新增 <strong>2</strong> 人，更新 <strong>0</strong> 人" in page
    assert "立即导入此文件" not in page
    events = list(
        AuditLog.objects.filter(event_type__startswith="registry.import").values_list("event_type", flat=True)
    )
    assert sorted(events) == ["registry.import_started", "registry.import_started", "registry.imported"]


def test_import_with_bad_rows_shows_the_error_table_and_writes_nothing(
    operator_client, tmp_path, django_capture_on_commit_callbacks
):
    rows = [row(), row(**{"身份证号": ID_B, "手机号": "123", "技术等级": "专家"})]

    post_upload(operator_client, tmp_path, rows, "import", django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and not job.dry_run
    assert job.errors == [
        {"row": 3, "column": "手机号", "reason": "手机号“123”格式错误：应为1开头的11位手机号码"},
        {"row": 3, "column": "技术等级", "reason": "技术等级“专家”无效，应为：初级工、中级工、高级工、技师、高级技师"},
    ]
    assert Person.objects.count() == 0
    page = operator_client.get(reverse("admin:registry_importjob_change", args=[job.pk])).content.decode()
    assert "发现 <strong>2</strong> 处错误，未导入任何数据" in page
    assert '<td data-label="行号">第3行</td><td data-label="列">技术等级</td>' in page
    assert "bg-danger" in page

    csv = operator_client.get(reverse("admin:registry_importjob_errors", args=[job.pk]))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,原因" and lines[1].startswith("3,手机号,")
    assert AuditLog.objects.filter(event_type="registry.import_errors_exported").exists()


def test_wrong_file_type_is_refused_by_the_form(operator_client):
    response = operator_client.post(
        reverse(ADD_URL), {"file": SimpleUploadedFile("people.csv", b"a,b"), "mode": "import"}
    )

    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_progress_endpoint_polls_while_running_and_stops_when_done(operator_client, tmp_path):
    job = ImportJob.objects.create(
        file=upload(tmp_path, [row()]),
        status=ImportJob.Status.VALIDATING,
        total_rows=300_000,
        processed_rows=120_000,
        created_by=None,
    )
    url = reverse("admin:registry_importjob_status", args=[job.pk])

    html = operator_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert f'hx-get="{url}"' in html and 'hx-trigger="every 1s"' in html and 'hx-swap="outerHTML"' in html
    assert 'aria-valuenow="40"' in html and "w-pct-40" in html and ">40%<" in html
    assert "校验中" in html and "已处理 120000 / 300000 行" in html
    assert "progress-bar-animated" in html

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, processed_rows=30_000)
    html = operator_client.get(url).content.decode()
    assert "导入中" in html and "已处理 30000 / 300000 行" in html and "w-pct-10" in html

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, processed_rows=300_000, created_count=299_000, updated_count=1000
    )
    html = operator_client.get(url).content.decode()
    assert "hx-trigger" not in html
    assert "导入完成：共 300000 行，新增 <strong>299000</strong> 人，更新 <strong>1000</strong> 人" in html


def test_job_page_loads_htmx_and_polls_a_pending_job(operator_client, tmp_path):
    job = ImportJob.objects.create(file=upload(tmp_path, [row()]))

    html = operator_client.get(reverse("admin:registry_importjob_change", args=[job.pk])).content.decode()

    assert "htmx" in html and "bootstrap.min.css" in html
    assert 'hx-trigger="every 1s"' in html and "排队中" in html


def test_job_list_shows_error_counts_without_loading_the_errors(operator_client, tmp_path):
    errors = [{"row": n, "column": "手机号", "reason": "手机号格式错误"} for n in range(2, 9)]
    ImportJob.objects.create(file=upload(tmp_path, [row()]), status=ImportJob.Status.FAILED, errors=errors)
    ImportJob.objects.create(file=upload(tmp_path, [row()]), status=ImportJob.Status.DONE, dry_run=True)

    page = operator_client.get(reverse("admin:registry_importjob_changelist")).content.decode()

    assert '<td class="field-error_count">7</td>' in page
    assert '<td class="field-error_count">0</td>' in page
    assert "有错误，未导入" in page and "仅校验" in page
    assert reverse(ADD_URL) in page and "导入人员库" in page


def test_task_runs_a_pending_job_once(tmp_path):
    job = ImportJob.objects.create(file=upload(tmp_path, [row(), row(**{"身份证号": ID_B})]))

    assert run_import_job(job.pk) == ImportJob.Status.DONE
    assert run_import_job(job.pk) == ImportJob.Status.DONE  # a redelivered task does not import twice

    job.refresh_from_db()
    assert (job.created_count, job.total_rows, job.processed_rows) == (2, 2, 2)
    assert job.finished_at is not None
    assert Person.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(tmp_path):
    """On PostgreSQL the import writes inside one long transaction; progress goes through a second
    connection so that the page polling the job sees it before the commit."""
    require_postgres()
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    from cecloud.registry.importer import PHASE_IMPORT, JobProgress

    job = ImportJob.objects.create(file=upload(tmp_path, [row()]), status=ImportJob.Status.VALIDATING)
    progress = JobProgress(job.pk, interval=0)
    observer = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            progress(PHASE_IMPORT, 1200, 300_000)
            with observer.cursor() as cursor:
                cursor.execute(
                    "SELECT status, processed_rows, total_rows FROM registry_importjob WHERE id = %s", [job.pk]
                )
                assert cursor.fetchone() == ("importing", 1200, 300_000)
    finally:
        progress.close()
        observer.close()


def test_task_marks_a_system_error(tmp_path, monkeypatch):
    job = ImportJob.objects.create(file=upload(tmp_path, [row()]))

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("cecloud.registry.importer.registry_import", boom)

    assert run_import_job(job.pk) == ImportJob.Status.ERROR
    job.refresh_from_db()
    assert job.status == ImportJob.Status.ERROR
    assert "系统错误" in job.errors[0]["reason"]


def test_stored_errors_are_capped(tmp_path, monkeypatch):
    from cecloud.registry.importer import jobs

    monkeypatch.setattr(jobs, "MAX_STORED_ERRORS", 3)
    rows = [row(**{"身份证号": valid_id_number("320706", seq=n), "手机号": "1"}) for n in range(1, 6)]
    job = ImportJob.objects.create(file=upload(tmp_path, rows), dry_run=True)

    run_import_job(job.pk)

    job.refresh_from_db()
    assert [e["row"] for e in job.errors] == [2, 3, 4, 0]
    assert job.errors[-1]["reason"] == "错误过多：共5处，仅保存前3处"


# --- Who may use it -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("factory", [UnitHRFactory, BureauFactory], ids=["unit_hr", "bureau"])
def test_non_staff_are_sent_to_the_admin_login(factory, tmp_path):
    client = Client()
    client.force_login(factory())
    job = ImportJob.objects.create(file=upload(tmp_path, [row()]))

    for url in (
        reverse(ADD_URL),
        reverse("admin:registry_importjob_change", args=[job.pk]),
        reverse("admin:registry_importjob_status", args=[job.pk]),
        reverse("admin:registry_person_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_without_the_operator_role_are_refused(tmp_path):
    client = Client()
    client.force_login(BureauFactory(is_staff=True))
    job = ImportJob.objects.create(file=upload(tmp_path, [row()]))

    assert client.get(reverse(ADD_URL)).status_code == 403
    assert client.get(reverse("admin:registry_importjob_status", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:registry_importjob_errors", args=[job.pk])).status_code == 403
    response = client.post(reverse(ADD_URL), {"file": upload(tmp_path, [row()]), "mode": "import"})
    assert response.status_code == 403
    assert client.post(reverse("admin:registry_importjob_run", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:registry_person_changelist")).status_code == 403
    assert ImportJob.objects.count() == 1 and Person.objects.count() == 0


# --- People, units, regions, history in the admin ---------------------------------------------------------------
def test_person_list_masks_ids_and_the_change_form_shows_the_full_id_with_an_audit_entry(operator_client):
    person = PersonFactory(id_number=ID_A, phone="13812345678", name="陈列表")

    listing = operator_client.get(reverse("admin:registry_person_changelist")).content.decode()
    assert "320***********" + ID_A[-4:] in listing
    assert ID_A not in listing and "13812345678" not in listing and "138****5678" in listing
    assert "导入人员库" in listing and reverse(ADD_URL) in listing
    assert not AuditLog.objects.filter(event_type="person.viewed_full_id").exists()

    page = operator_client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()

    assert ID_A in page
    log = AuditLog.objects.get(event_type="person.viewed_full_id")
    assert log.subject_id == str(person.pk) and log.actor.is_operator


def test_person_search_by_name_and_id_prefix(operator_client):
    PersonFactory(id_number=ID_A, name="孙搜索")
    PersonFactory(id_number=ID_B, name="周其他")
    url = reverse("admin:registry_person_changelist")

    by_id = operator_client.get(url, {"q": ID_A[:10]}).content.decode()
    by_name = operator_client.get(url, {"q": "其他"}).content.decode()
    by_full_width = operator_client.get(url, {"q": "３２０７０６"}).content.decode()

    assert "孙搜索" in by_id and "周其他" not in by_id
    assert "周其他" in by_name and "孙搜索" not in by_name
    assert "孙搜索" in by_full_width


def test_editing_a_person_in_the_admin_keeps_history(operator_client):
    person = PersonFactory(phone="13800000000")
    url = reverse("admin:registry_person_change", args=[person.pk])
    data = {
        "name": person.name,
        "id_number": person.id_number.lower(),
        "phone": "139 0000 0000",
        "unit": person.unit_id,
        "region": person.region_id,
        "grade": person.grade,
        "post": person.post,
        "status": PersonStatus.INACTIVE,
        "history-TOTAL_FORMS": "0",
        "history-INITIAL_FORMS": "0",
    }

    response = operator_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.phone, person.status) == ("13900000000", PersonStatus.INACTIVE)
    entry = PersonHistory.objects.get(person=person)
    assert entry.source == "admin"
    assert entry.before == {"phone": "13800000000", "status": "active"}
    assert entry.after == {"phone": "13900000000", "status": "inactive"}
    page = operator_client.get(url).content.decode()
    assert "手机号：13800000000 → 13900000000" in page and "在岗状态：在岗 → 离岗" in page


def test_person_form_refuses_a_bad_id_number(operator_client):
    person = PersonFactory()
    response = operator_client.post(
        reverse("admin:registry_person_change", args=[person.pk]),
        {
            "name": person.name,
            "id_number": "110105194912310021",
            "phone": "",
            "unit": person.unit_id,
            "region": person.region_id,
            "grade": person.grade,
            "post": "",
            "status": person.status,
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "身份证号校验位错误" in response.content.decode()


def test_regions_are_read_only_and_history_is_listed(operator_client):
    assert operator_client.get(reverse("admin:registry_region_changelist")).status_code == 200
    assert operator_client.get(reverse("admin:registry_region_add")).status_code == 403
    person = PersonFactory()
    PersonHistory.objects.create(
        person=person, source="import", before={"grade": "senior"}, after={"grade": "technician"}
    )

    page = operator_client.get(reverse("admin:registry_personhistory_changelist")).content.decode()

    assert "技术等级：高级工 → 技师" in page
    assert operator_client.get(reverse("admin:registry_personhistory_add")).status_code == 403


def test_admin_index_lists_the_registry_for_operators(operator_client):
    page = operator_client.get(reverse("admin:index")).content.decode()

    for label in ("人员库", "单位", "地区", "人员变更记录", "人员导入"):
        assert label in page


def test_units_admin_validates_credit_codes(operator_client):
    response = operator_client.post(
        reverse("admin:registry_unit_add"),
        {"name": "测试机关", "region": region("320706").pk, "kind": "agency", "credit_code": "91110000600037341A"},
    )

    assert response.status_code == 200 and "统一社会信用代码校验位错误" in response.content.decode()


# --- A real Celery worker -----------------------------------------------------------------------------------------
@pytest.fixture
def import_task_finished():
    """An event set when the worker has finished a registry import task. Waiting on it, rather than
    polling the database, keeps the test thread off the tables the worker writes (the in-memory
    SQLite test database locks whole tables across connections)."""
    finished = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if getattr(sender, "name", "") == run_import_job.name:
            finished.set()

    task_postrun.connect(on_postrun, weak=False)
    yield finished
    task_postrun.disconnect(on_postrun)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_upload_runs_the_import_in_a_real_celery_worker(celery_worker, import_task_finished, tmp_path):
    region("320706")  # reference data (reloaded if an earlier transactional test flushed it)
    client = Client()
    client.force_login(OperatorFactory())
    rows = [row(**{"身份证号": valid_id_number("320706", seq=n)}) for n in range(1, 26)]

    response = client.post(reverse(ADD_URL), {"file": upload(tmp_path, rows), "mode": "import"})

    assert response.status_code == 302
    assert import_task_finished.wait(60), "the worker did not run the import task"
    job_id = int(response["Location"].rstrip("/").split("/")[-2])
    html = client.get(reverse("admin:registry_importjob_status", args=[job_id])).content.decode()
    assert "hx-trigger" not in html
    assert "导入完成：共 25 行，新增 <strong>25</strong> 人" in html
    job = ImportJob.objects.get()
    assert job.pk == job_id and job.status == ImportJob.Status.DONE
    assert Person.objects.count() == 25


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_import_task_is_sent_to_the_worker(celery_worker, tmp_path):
    region("320706")
    job = ImportJob.objects.create(file=upload(tmp_path, [row(), row(**{"身份证号": ID_B, "手机号": "1"})]))

    result = run_import_job.delay(job.pk)

    assert not isinstance(result, EagerResult)
    assert result.get(timeout=60) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.errors == [{"row": 3, "column": "手机号", "reason": "手机号“1”格式错误：应为1开头的11位手机号码"}]
    assert Person.objects.count() == 0
    assert UserFactory._meta.model.objects.count() == 0

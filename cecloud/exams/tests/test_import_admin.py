"""Question bank back office: Excel import with a dry run reporting bad rows, and editing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cecloud.accounts.factories import OperatorFactory
from cecloud.catalog.factories import CourseFactory, ProviderFactory
from cecloud.core.models import AuditLog
from cecloud.exams.importer import COLUMNS, import_questions, parse_time, template_workbook
from cecloud.exams.models import Question, QuestionKind
from cecloud.learning.factories import chapter_with_duration

pytestmark = pytest.mark.django_db


def workbook(rows, header=COLUMNS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def course():
    c = CourseFactory(title="公共基础知识")
    chapter_with_duration(c, 1, 120.0, title="第一讲 法律基础")
    return c


def single(**overrides):
    row = {
        "课程名称": "公共基础知识",
        "题型": "单选题",
        "题干": "我国的根本大法是（ ）。",
        "选项A": "刑法",
        "选项B": "宪法",
        "选项C": "民法典",
        "选项D": "行政法",
        "正确答案": "B",
        "题析": "宪法是国家的根本法。",
        "知识点": "宪法",
        "讲解章节": "1",
        "讲解开始": "0:30",
        "讲解结束": "1:15",
    }
    row.update(overrides)
    return row


def test_template_round_trips_through_the_importer(course):
    CourseFactory(title="《党的十九届五中全会精神总体解读——“十四五”规划建议的重点和亮点》")
    result = import_questions(io.BytesIO(template_workbook()), dry_run=True)
    errors = [(e.row, e.column, e.message) for e in result.errors]
    # the template's first course has no chapters here: only that row's chapter is reported
    assert errors == [(2, "讲解章节", "课程中没有章节“1”（填写章节序号或章节名称）")]
    assert load_workbook(io.BytesIO(template_workbook())).active["A1"].value == "课程名称"


def test_dry_run_reports_every_bad_row_and_writes_nothing(course):
    rows = [
        single(),
        single(题干="", 正确答案=""),
        single(题干="重复的题", 课程名称="不存在的课程"),
        single(题干="题2", 题型="填空题"),
        single(题干="题3", 选项B="", 正确答案="A"),
        single(题干="题4", 正确答案="AB"),
        single(题干="题5", 题型="多选题", 正确答案="A"),
        single(题干="题6", 正确答案="E"),
        single(题干="题7", 题型="判断题", 正确答案="也许"),
        single(题干="题8", 讲解章节="9"),
        single(题干="题9", 讲解开始="2:00", 讲解结束="1:00"),
        single(题干="题10", 讲解结束=""),
        single(题干="题11", 讲解开始="5:00", 讲解结束="6:00"),
        single(),  # duplicate of row 2
    ]
    result = import_questions(workbook(rows), dry_run=True)
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "题干"),
        (3, "正确答案"),
        (4, "课程名称"),
        (5, "题型"),
        (6, "选项"),
        (7, "正确答案"),
        (8, "正确答案"),
        (9, "正确答案"),
        (10, "正确答案"),
        (11, "讲解章节"),
        (12, "讲解结束"),
        (13, "讲解开始"),
        (14, "讲解开始"),
        (15, "题干"),
    } <= found
    assert 2 not in {e.row for e in result.errors}
    assert result.total_rows == 14 and not Question.objects.exists()
    messages = {e.message for e in result.errors}
    assert "与第 2 行的题目重复" in messages and "多选题至少有2个正确答案" in messages


def test_missing_columns_and_unreadable_files():
    bad = import_questions(workbook([], header=["课程名称", "题干"]), dry_run=True)
    assert bad.errors[0].message == "缺少必填列" and "题型" in bad.errors[0].column
    junk = import_questions(io.BytesIO(b"not a spreadsheet"), dry_run=True)
    assert "无法读取文件" in junk.errors[0].message


def test_import_creates_then_updates_all_or_nothing(course):
    rows = [
        single(),
        single(题干="以下属于基本政治制度的有（ ）。", 题型="多选题", 正确答案="ACD", 讲解章节="第一讲 法律基础"),
        single(题干="宪法具有最高的法律效力。", 题型="判断题", 正确答案="对", **{f"选项{x}": "" for x in "ABCD"}),
    ]
    dry = import_questions(workbook(rows), dry_run=True)
    assert dry.ok and (dry.created, dry.updated) == (3, 0) and not Question.objects.exists()
    result = import_questions(workbook(rows), dry_run=False)
    assert result.ok and (result.created, result.updated) == (3, 0)
    q = Question.objects.get(stem="我国的根本大法是（ ）。")
    assert q.kind == QuestionKind.SINGLE and (q.range_start, q.range_end) == (30, 75) and q.chapter.order == 1
    assert list(q.options.values_list("text", "is_correct")) == [
        ("刑法", False),
        ("宪法", True),
        ("民法典", False),
        ("行政法", False),
    ]
    multi = Question.objects.get(kind=QuestionKind.MULTIPLE)
    assert list(multi.options.filter(is_correct=True).values_list("order", flat=True)) == [0, 2, 3]
    tf = Question.objects.get(kind=QuestionKind.TRUE_FALSE)
    assert list(tf.options.values_list("text", "is_correct")) == [("正确", True), ("错误", False)]
    again = import_questions(workbook([single(正确答案="C", 题析="改")]), dry_run=False)
    assert (again.created, again.updated) == (0, 1)
    q.refresh_from_db()
    assert q.explanation == "改" and q.options.get(is_correct=True).text == "民法典"
    assert AuditLog.objects.filter(event_type="exams.questions_imported").count() == 2
    # one bad row: nothing of the file is written
    before = Question.objects.count()
    mixed = import_questions(workbook([single(题干="新题"), single(题干="坏题", 正确答案="Z")]), dry_run=False)
    assert not mixed.ok and Question.objects.count() == before


def test_same_title_needs_the_provider():
    a, b = ProviderFactory(name="甲培训中心"), ProviderFactory(name="乙培训中心")
    CourseFactory(title="同名课程", provider=a)
    target = CourseFactory(title="同名课程", provider=b)
    row = single(课程名称="同名课程", 讲解章节="", 讲解开始="", 讲解结束="")
    assert import_questions(workbook([row]), dry_run=True).errors[0].column == "课程提供方"
    result = import_questions(workbook([dict(row, 课程提供方="乙培训中心")]), dry_run=False)
    assert result.ok and Question.objects.get().course == target


def test_parse_time():
    assert parse_time("90") == 90
    assert parse_time("1:30") == 90
    assert parse_time("01:02:03") == 3723
    assert parse_time("12.5") == 12.5
    with pytest.raises(ValueError):
        parse_time("abc")


def test_admin_import_page_and_template(course):
    client = Client()
    client.force_login(OperatorFactory())
    url = reverse("admin:exams_question_import")
    assert "批量导入试题" in client.get(reverse("admin:exams_question_changelist")).content.decode()
    template = client.get(reverse("admin:exams_question_import_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    upload = SimpleUploadedFile("q.xlsx", workbook([single(), single(题干="坏", 正确答案="")]).getvalue())
    page = client.post(url, {"file": upload, "dry_run": "on"}).content.decode()
    assert "发现 1 处错误，未写入任何数据" in page and "不能为空" in page
    upload = SimpleUploadedFile("q.xlsx", workbook([single()]).getvalue())
    response = client.post(url, {"file": upload})
    assert response.status_code == 302 and Question.objects.count() == 1


def test_admin_edit_checks_the_options_fit_the_type(course):
    client = Client()
    client.force_login(OperatorFactory())
    data = {
        "course": course.pk,
        "kind": "single",
        "stem": "单选题干",
        "explanation": "",
        "knowledge_point": "",
        "is_active": "on",
        "sort_order": 0,
        "chapter": "",
        "range_start": "",
        "range_end": "",
        "options-TOTAL_FORMS": 4,
        "options-INITIAL_FORMS": 0,
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
    }
    for i, (text, correct) in enumerate([("甲", True), ("乙", True), ("丙", False), ("丁", False)]):
        data[f"options-{i}-order"] = i
        data[f"options-{i}-text"] = text
        if correct:
            data[f"options-{i}-is_correct"] = "on"
    response = client.post(reverse("admin:exams_question_add"), data)
    assert response.status_code == 200 and "单选题须有且只有1个正确答案" in response.content.decode()
    data.pop("options-1-is_correct")
    response = client.post(reverse("admin:exams_question_add"), data)
    assert response.status_code == 302 and Question.objects.get().options.count() == 4


def test_questions_are_switched_on_and_off_by_action_through_the_service(course):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from cecloud.exams.factories import make_question

    client = Client()
    client.force_login(OperatorFactory())
    first, second = make_question(course), make_question(course)
    url = reverse("admin:exams_question_changelist")

    client.post(url, {"action": "deactivate", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
    assert not Question.objects.filter(is_active=True).exists()
    client.post(url, {"action": "activate", ACTION_CHECKBOX_NAME: [second.pk]})
    assert list(Question.objects.filter(is_active=True)) == [second]
    assert AuditLog.objects.filter(event_type="admin.action", extra_data__action="activate").count() == 1

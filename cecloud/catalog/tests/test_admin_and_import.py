"""Back office: chapter uploads (duration from the file), reordering, publishing, Excel import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cecloud.accounts.factories import OperatorFactory
from cecloud.catalog import media
from cecloud.catalog.factories import ChapterFactory, CourseFactory, ProviderFactory, demo_video_bytes
from cecloud.catalog.importer import COLUMNS, import_courses
from cecloud.catalog.models import Chapter, Course, Lecturer, SubjectTag
from cecloud.core.models import AuditLog
from cecloud.training.factories import training_year
from cecloud.training.models import HourCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(OperatorFactory())
    return client


# --- Chapters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_ffprobe", [True, False], ids=["ffprobe", "mvhd-fallback"])
def test_uploading_a_chapter_video_reads_its_duration(operator_client, monkeypatch, with_ffprobe):
    if not with_ffprobe:
        monkeypatch.setattr(media, "ffprobe_path", lambda: None)
    course = CourseFactory()
    upload = SimpleUploadedFile("lesson.mp4", demo_video_bytes(2), content_type="video/mp4")
    response = operator_client.post(
        reverse("admin:catalog_chapter_add"),
        {"course": course.pk, "order": 1, "title": "第一讲", "video": upload},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chapter = Chapter.objects.get(course=course)
    assert chapter.duration_seconds == pytest.approx(4.0, abs=0.1)
    assert chapter.video_size == len(demo_video_bytes(2))
    assert AuditLog.objects.filter(event_type="catalog.chapter_video").exists()


def test_a_file_that_is_not_a_video_is_refused_by_the_form(operator_client):
    course = CourseFactory()
    upload = SimpleUploadedFile("notes.mp4", b"just some text", content_type="video/mp4")
    response = operator_client.post(
        reverse("admin:catalog_chapter_add"), {"course": course.pk, "order": 1, "title": "第一讲", "video": upload}
    )
    assert response.status_code == 200
    assert "无法读取视频时长" in response.content.decode()
    assert not Chapter.objects.exists()


def test_course_pages_render_with_chapter_and_lecturer_inlines(operator_client):
    chapter = ChapterFactory()
    assert operator_client.get(reverse("admin:catalog_course_changelist")).status_code == 200
    page = operator_client.get(reverse("admin:catalog_course_change", args=[chapter.course.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "上移" in html and "下移" in html and "批量导入课程" not in html
    assert "批量导入课程" in operator_client.get(reverse("admin:catalog_course_changelist")).content.decode()
    assert operator_client.get(reverse("admin:catalog_course_add")).status_code == 200


def test_chapters_move_up_and_down(operator_client):
    course = CourseFactory()
    a, b, c = (ChapterFactory(course=course, order=n, title=t) for n, t in [(1, "甲"), (2, "乙"), (3, "丙")])
    operator_client.get(reverse("admin:catalog_chapter_move", args=[c.pk, "up"]))
    assert list(course.chapters.order_by("order").values_list("title", flat=True)) == ["甲", "丙", "乙"]
    operator_client.get(reverse("admin:catalog_chapter_move", args=[a.pk, "down"]))
    assert list(course.chapters.order_by("order").values_list("title", flat=True)) == ["丙", "甲", "乙"]
    operator_client.get(reverse("admin:catalog_chapter_move", args=[c.pk, "up"]))  # already first: no change
    assert list(course.chapters.order_by("order").values_list("order", "title")) == [(1, "丙"), (2, "甲"), (3, "乙")]


def test_publish_needs_playable_chapters_and_unpublish_works(operator_client):
    ready = CourseFactory(is_published=False)
    ChapterFactory(course=ready)
    empty = CourseFactory(is_published=False, title="没有视频的课程")
    url = reverse("admin:catalog_course_changelist")
    response = operator_client.post(url, {"action": "publish", "_selected_action": [ready.pk, empty.pk]}, follow=True)
    assert "没有可播放的章节视频" in response.content.decode()
    ready.refresh_from_db()
    assert not ready.is_published  # nothing changes when one course is refused
    operator_client.post(url, {"action": "publish", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.is_published
    operator_client.post(url, {"action": "unpublish", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert not ready.is_published


# --- Excel import -------------------------------------------------------------------------------------------


def _xlsx(rows, header=COLUMNS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def provider():
    for year in range(2018, 2024):
        training_year(year)
    return ProviderFactory(name="南京福久教育信息咨询服务有限公司", short_name="福久教育")


def test_dry_run_reports_every_bad_row_and_writes_nothing(provider):
    rows = [
        ["公共基础知识", "通识", "法律法规", "福久教育", "李红梅、吴国平", 4, "2018-2023", "否", 1, ""],
        ["", "思政", "", "福久教育", "", 2, "2023", "否", "", ""],
        ["坏分类", "历史", "", "福久教育", "", 2, "2023", "否", "", ""],
        ["未知提供方", "思政", "", "不存在的公司", "", 2, "2023", "否", "", ""],
        ["学时错误", "思政", "", "福久教育", "", 0.3, "2023", "否", "", ""],
        ["年度错误", "思政", "", "福久教育", "", 2, "2030", "否", "", ""],
        ["发布错误", "思政", "", "福久教育", "", 2, "2023", "也许", "", ""],
        ["公共基础知识", "通识", "", "福久教育", "", 4, "2023", "否", "", ""],
        ["直接发布新课", "思政", "", "福久教育", "", 2, "2023", "是", "", ""],
    ]
    result = import_courses(_xlsx(rows), dry_run=True)
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "课程名称") in found
    assert (4, "课程分类") in found
    assert (5, "课程提供方") in found
    assert (6, "学时") in found
    assert (7, "适用年度") in found
    assert (8, "是否发布") in found
    assert (9, "课程名称") in found  # duplicate of row 2
    assert (10, "是否发布") in found  # a new course has no videos yet
    assert 2 not in {e.row for e in result.errors}
    assert result.total_rows == 9
    assert not Course.objects.exists()
    # Not a dry run either: any error means nothing is written.
    assert not import_courses(_xlsx(rows), dry_run=False).ok
    assert not Course.objects.exists()


def test_import_creates_then_updates_courses(provider):
    rows = [
        [
            "《党的十九届六中全会精神总体解读》",
            "思政",
            "中共党史",
            "福久教育",
            "宋承敏、王小广",
            4,
            "2018-2020,2023",
            "否",
            3,
            "简介",
        ],
        ["公共基础知识", "通识", "", "南京福久教育信息咨询服务有限公司", "李红梅", "0.5", "2023", "", "", ""],
    ]
    dry = import_courses(_xlsx(rows), dry_run=True)
    assert dry.ok and (dry.created, dry.updated) == (2, 0)
    assert not Course.objects.exists()
    result = import_courses(_xlsx(rows), dry_run=False)
    assert result.ok and (result.created, result.updated) == (2, 0)
    course = Course.objects.get(title="《党的十九届六中全会精神总体解读》")
    assert course.category == HourCategory.IDEOLOGY
    assert course.hours == Decimal("4")
    assert sorted(course.years.values_list("year", flat=True)) == [2018, 2019, 2020, 2023]
    assert [cl.lecturer.name for cl in course.course_lecturers.order_by("sort_order")] == ["宋承敏", "王小广"]
    assert course.tag == SubjectTag.objects.get(name="中共党史")
    assert not course.is_published
    assert Course.objects.get(title="公共基础知识").hours == Decimal("0.5")

    ChapterFactory(course=course)
    rows[0][5] = 2
    rows[0][7] = "是"
    rows[0][4] = "王小广"
    again = import_courses(_xlsx(rows), dry_run=False)
    assert again.ok and (again.created, again.updated) == (0, 2)
    course.refresh_from_db()
    assert course.hours == 2 and course.is_published
    assert [cl.lecturer.name for cl in course.course_lecturers.all()] == ["王小广"]
    assert Lecturer.objects.filter(name="宋承敏").exists()
    assert AuditLog.objects.filter(event_type="catalog.courses_imported").count() == 2


def test_missing_columns_and_unreadable_files(provider):
    result = import_courses(_xlsx([["x"]], header=["课程名称"]), dry_run=True)
    assert result.errors[0].row == 1 and "课程分类" in result.errors[0].column
    result = import_courses(io.BytesIO(b"not an excel file"), dry_run=True)
    assert "无法读取文件" in result.errors[0].message


def test_import_page_and_template(operator_client, provider):
    template = operator_client.get(reverse("admin:catalog_course_import_template"))
    assert template.status_code == 200
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert header == COLUMNS
    bad = _xlsx([["课程", "历史", "", "福久教育", "", 2, "2023", "否", "", ""]])
    page = operator_client.post(
        reverse("admin:catalog_course_import"),
        {"file": SimpleUploadedFile("c.xlsx", bad.getvalue()), "dry_run": "on"},
    )
    html = page.content.decode()
    assert "应为 思政、通识 或 岗位提升" in html and "<td>2</td>" in html
    good = _xlsx([["公文写作与处理实务", "通识", "公文写作", "福久教育", "刘晓燕", 2, "2023", "否", "", ""]])
    response = operator_client.post(
        reverse("admin:catalog_course_import"), {"file": SimpleUploadedFile("c.xlsx", good.getvalue())}
    )
    assert response.status_code == 302
    assert Course.objects.filter(title="公文写作与处理实务").exists()

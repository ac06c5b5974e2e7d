"""Question bank import from Excel (.xlsx): a dry run lists every bad row, then all or nothing.

Columns (first row is the header, order free): 课程名称*, 课程提供方 (needed when two providers
have a course of the same title), 题型* (单选题 / 多选题 / 判断题), 题干*, 选项A … 选项F,
正确答案* (单选 "B", 多选 "ABD", 判断 "正确"/"错误" or 对/错/√/×), 题析, 知识点,
讲解章节 (the chapter's number in the course, or its title), 讲解开始 and 讲解结束 (seconds,
"m:ss" or "h:mm:ss"). A question is matched by course and 题干: re-importing updates it and
replaces its options.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from openpyxl import Workbook

from cecloud.catalog.models import Chapter, Course
from cecloud.core.audit import audit_log
from cecloud.core.spreadsheet import (
    ImportResult,
    RowError,
    SheetError,
    SheetRow,
    check_rows,
    sheet_rows,
    xlsx_append,
    xlsx_bytes,
)
from cecloud.core.text import normalize_text

from .models import TRUE_FALSE_OPTIONS, Question, QuestionKind, QuestionOption

OPTION_COLUMNS = [f"选项{letter}" for letter in "ABCDEF"]
COLUMNS = [
    "课程名称",
    "课程提供方",
    "题型",
    "题干",
    *OPTION_COLUMNS,
    "正确答案",
    "题析",
    "知识点",
    "讲解章节",
    "讲解开始",
    "讲解结束",
]
REQUIRED = {"课程名称", "题型", "题干", "正确答案"}
MAX_ROWS = 20_000
KINDS = {
    "单选题": QuestionKind.SINGLE,
    "单选": QuestionKind.SINGLE,
    "多选题": QuestionKind.MULTIPLE,
    "多选": QuestionKind.MULTIPLE,
    "判断题": QuestionKind.TRUE_FALSE,
    "判断": QuestionKind.TRUE_FALSE,
}
TRUE_WORDS = {"正确", "对", "是", "√", "✓", "T", "TRUE", "Y", "A"}
FALSE_WORDS = {"错误", "错", "否", "×", "✗", "X", "F", "FALSE", "N", "B"}
_TIME = re.compile(r"^(?:(\d+):)?(?:(\d{1,2}):)?(\d+(?:\.\d+)?)$")


@dataclass
class QuestionRow:
    row: int
    course: Course
    kind: str
    stem: str
    options: list[str]
    correct: list[int]
    explanation: str
    knowledge_point: str
    chapter: Chapter | None
    range_start: float | None
    range_end: float | None


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "试题"
    xlsx_append(ws, COLUMNS)
    xlsx_append(
        ws,
        [
            "《党的十九届五中全会精神总体解读——“十四五”规划建议的重点和亮点》",
            "",
            "单选题",
            "2020年3月，中央政治局决定党的十九届五中全会审议“十四五”规划建议，成立文件起草组，由（ ）担任组长。",
            "李克强",
            "王沪宁",
            "韩正",
            "习近平",
            "",
            "",
            "D",
            "文件起草组由习近平总书记任组长。",
            "“十四五”规划建议的起草",
            "1",
            "0:00",
            "0:03",
        ],
    )
    xlsx_append(ws,
        ["公共基础知识", "", "多选题", "下列属于我国根本政治制度和基本政治制度的有（ ）。", "人民代表大会制度",
         "中国共产党领导的多党合作和政治协商制度", "民族区域自治制度", "基层群众自治制度", "", "", "ABCD",
         "人民代表大会制度是根本政治制度，其余三项是基本政治制度。", "政治制度", "", "", ""]
    )  # fmt: skip
    xlsx_append(ws,
        ["公共基础知识", "", "判断题", "宪法是国家的根本法，具有最高的法律效力。", "", "", "", "", "", "", "正确",
         "宪法序言明确规定宪法是国家的根本法，具有最高的法律效力。", "宪法", "", "", ""]
    )  # fmt: skip
    widths = [40, 24, 8, 60, 18, 18, 18, 18, 12, 12, 10, 40, 16, 10, 10, 10]
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    return xlsx_bytes(wb)


def _cell(value) -> str:
    """Cell text as written (Chinese punctuation kept), whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _code(value: str) -> str:
    """A short code-like cell (题型, 正确答案, 章节, times): half-width, no spaces."""
    return normalize_text(value).replace(" ", "")


def parse_time(text: str) -> float:
    """Seconds from "90", "1:30", "01:02:03" or "12.5"."""
    text = text.replace("：", ":").strip()
    match = _TIME.match(text)
    if not match:
        raise ValueError("应为秒数或“分:秒”，如 90 或 1:30")
    parts = [p for p in text.split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _course_index() -> tuple[dict[str, list[Course]], dict[tuple[str, str], Course]]:
    by_title: dict[str, list[Course]] = {}
    by_provider: dict[tuple[str, str], Course] = {}
    for course in Course.objects.select_related("provider"):
        title = normalize_text(course.title)
        by_title.setdefault(title, []).append(course)
        by_provider[(normalize_text(course.provider.name), title)] = course
        if course.provider.short_name:
            by_provider[(normalize_text(course.provider.short_name), title)] = course
    return by_title, by_provider


def read_rows(fileobj) -> tuple[list[QuestionRow], list[RowError], int]:
    """Parse and validate every row; never writes."""
    try:
        rows = sheet_rows(fileobj, columns=COLUMNS, required=REQUIRED, cell=_cell)
    except SheetError as exc:
        return [], [exc.error], 0
    by_title, by_provider = _course_index()
    chapters: dict[int, list[Chapter]] = {}
    seen: dict[tuple[int, str], int] = {}

    def parse(row: SheetRow) -> QuestionRow:
        cells, bad = row.cells, row.bad
        title, provider = normalize_text(cells.get("课程名称", "")), normalize_text(cells.get("课程提供方", ""))
        course = None
        if title:
            if provider:
                course = by_provider.get((provider, title))
                if course is None:
                    bad("课程名称", f"课程提供方“{provider}”没有名为“{title}”的课程")
            else:
                matches = by_title.get(title, [])
                if not matches:
                    bad("课程名称", f"课程“{title}”不存在，请先在后台添加课程")
                elif len(matches) > 1:
                    bad("课程提供方", "多个课程提供方有同名课程，请填写课程提供方")
                else:
                    course = matches[0]
        kind = KINDS.get(_code(cells.get("题型", "")))
        if cells.get("题型") and kind is None:
            bad("题型", "应为 单选题、多选题 或 判断题")
        stem = cells.get("题干", "")
        if len(stem) > 2000:
            bad("题干", "不能超过2000个字")
        options, correct = [], []
        answer = _code(cells.get("正确答案", "")).upper().replace(",", "").replace("、", "")
        if kind == QuestionKind.TRUE_FALSE:
            options = list(TRUE_FALSE_OPTIONS)
            if answer in TRUE_WORDS:
                correct = [0]
            elif answer in FALSE_WORDS:
                correct = [1]
            elif answer:
                bad("正确答案", "判断题的答案应为 正确 或 错误")
        elif kind is not None:
            raw = [cells.get(column, "") for column in OPTION_COLUMNS]
            last = max((i for i, text in enumerate(raw) if text), default=-1)
            options = raw[: last + 1]
            if any(not text for text in options):
                bad("选项", "选项须从A开始连续填写，中间不能空缺")
            if len(options) < 2:
                bad("选项", "至少需要2个选项")
            if any(len(text) > 500 for text in options):
                bad("选项", "每个选项不能超过500个字")
            if len(set(options)) != len(options):
                bad("选项", "选项内容重复")
            if answer:
                letters = list(dict.fromkeys(answer))
                if not all("A" <= letter <= "F" for letter in letters):
                    bad("正确答案", "应为选项字母，如 B 或 ABD")
                else:
                    correct = sorted("ABCDEF".index(letter) for letter in letters)
                    if any(i >= len(options) for i in correct):
                        bad("正确答案", "答案对应的选项为空")
                    elif kind == QuestionKind.SINGLE and len(correct) != 1:
                        bad("正确答案", "单选题只能有1个正确答案")
                    elif kind == QuestionKind.MULTIPLE and len(correct) < 2:
                        bad("正确答案", "多选题至少有2个正确答案")
        chapter = None
        chapter_text = normalize_text(cells.get("讲解章节", ""))
        if chapter_text and course is not None:
            if course.pk not in chapters:
                chapters[course.pk] = list(Chapter.objects.filter(course=course).order_by("order", "id"))
            found = [
                c
                for c in chapters[course.pk]
                if normalize_text(c.title) == chapter_text or (chapter_text.isdigit() and c.order == int(chapter_text))
            ]
            if not found:
                bad("讲解章节", f"课程中没有章节“{chapter_text}”（填写章节序号或章节名称）")
            else:
                chapter = found[0]
        range_start = range_end = None
        start_text, end_text = _code(cells.get("讲解开始", "")), _code(cells.get("讲解结束", ""))
        if start_text or end_text:
            if not (start_text and end_text):
                bad("讲解开始", "讲解开始和讲解结束须同时填写")
            elif not chapter_text:
                bad("讲解章节", "填写讲解时间时须填写讲解章节")
            else:
                try:
                    range_start, range_end = parse_time(start_text), parse_time(end_text)
                except ValueError as exc:
                    bad("讲解开始", str(exc))
                else:
                    if range_end <= range_start:
                        bad("讲解结束", "讲解结束须晚于讲解开始")
                    elif chapter is not None and chapter.duration_seconds and range_start >= chapter.duration_seconds:
                        bad("讲解开始", f"超出章节时长（{chapter.duration_display}）")
        if course is not None and stem:
            key = (course.pk, stem)
            if key in seen:
                bad("题干", f"与第 {seen[key]} 行的题目重复")
            else:
                seen[key] = row.number
        return QuestionRow(
            row=row.number,
            course=course,
            kind=kind,
            stem=stem,
            options=options,
            correct=correct,
            explanation=cells.get("题析", ""),
            knowledge_point=cells.get("知识点", "")[:100],
            chapter=chapter,
            range_start=range_start,
            range_end=range_end,
        )

    return check_rows(rows, required=REQUIRED, max_rows=MAX_ROWS, parse=parse)


def _save(row: QuestionRow) -> bool:
    """Create or update one question with its options; True when created."""
    question, created = Question.objects.update_or_create(
        course=row.course,
        stem=row.stem,
        defaults={
            "kind": row.kind,
            "explanation": row.explanation,
            "knowledge_point": row.knowledge_point,
            "chapter": row.chapter,
            "range_start": row.range_start,
            "range_end": row.range_end,
            "is_active": True,
        },
    )
    question.options.all().delete()
    QuestionOption.objects.bulk_create(
        [
            QuestionOption(question=question, order=i, text=text, is_correct=i in row.correct)
            for i, text in enumerate(row.options)
        ]
    )
    return created


def import_questions(fileobj, *, dry_run: bool, actor=None) -> ImportResult:
    rows, errors, total = read_rows(fileobj)
    result = ImportResult(dry_run=dry_run, total_rows=total, errors=errors)
    if errors:
        return result
    existing = set(Question.objects.filter(course_id__in={r.course.pk for r in rows}).values_list("course_id", "stem"))
    if dry_run:
        result.updated = sum(1 for r in rows if (r.course.pk, r.stem) in existing)
        result.created = len(rows) - result.updated
        return result
    with transaction.atomic():
        for row in rows:
            if _save(row):
                result.created += 1
            else:
                result.updated += 1
        audit_log(
            event_type="exams.questions_imported",
            actor=actor,
            subject_type="exams.question",
            extra_data={"rows": total, "created": result.created, "updated": result.updated},
        )
    return result

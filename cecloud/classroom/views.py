"""我的班级 and the class home (班级首页), requirements S5. Learners only ever see their own classes.

These pages show a class (training) with its courses (catalog), selection and progress (learning)
and quiz results (exams), so they live here, above all four."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from cecloud.catalog.models import CourseLecturer
from cecloud.core.roles import learner_required
from cecloud.learning.models import CourseSelection
from cecloud.learning.selectors import learner_enrollment
from cecloud.training.models import EnrollmentStatus
from cecloud.training.selectors import person_enrollments

from .selectors import CourseResult, class_progress, classes_progress

TABS = {"select": "选课", "learning": "课程学习", "results": "培训成果"}
STATUS_FILTERS = {"all": "全部", "todo": "未完成", "done": "已完成"}
SORTS = {"default": "默认排序", "hours": "学时", "progress": "学习进度"}

# Pages the buttons lead to; each is looked up by name so a page that does not exist yet shows
# a disabled button (the player, quizzes and evaluations come with the learning issue).
STUDY_URL = "learning:course_study"  # args: enrollment pk, course pk
QUIZ_URL = "exams:course_quiz"  # args: enrollment pk, course pk
EVALUATE_URL = "learning:course_evaluate"  # args: enrollment pk, course pk


def _optional_url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass
class CourseRow:
    selection: CourseSelection
    result: CourseResult
    lecturers: list[str]
    study_url: str
    quiz_url: str
    evaluate_url: str

    @property
    def course(self):
        return self.selection.course

    @property
    def lecturers_text(self) -> str:
        return "、".join(self.lecturers)


@learner_required
def my_classes(request):
    enrollments = list(person_enrollments(request.user.person)) if request.user.person_id else []
    progress = classes_progress(enrollments)
    classes = [(enrollment, progress[enrollment.pk]) for enrollment in enrollments]
    return render(
        request,
        "classroom/my_classes.html",
        {
            "classes": classes,
            "center_section": "classes",
            "certificate_url": _optional_url("certificates:mine"),
        },
    )


def _course_rows(enrollment, progress) -> list[CourseRow]:
    confirmed = progress.summary.confirmed
    names: dict[int, list[str]] = {}
    for row in (
        CourseLecturer.objects.filter(course_id__in=[s.course_id for s in confirmed])
        .select_related("lecturer")
        .order_by("sort_order", "id")
    ):
        names.setdefault(row.course_id, []).append(row.lecturer.name)
    rows = []
    for s in confirmed:
        result = progress.results.get(s.pk, CourseResult())
        rows.append(
            CourseRow(
                selection=s,
                result=result,
                lecturers=names.get(s.course_id, []),
                study_url=_optional_url(STUDY_URL, enrollment.pk, s.course_id),
                quiz_url=_optional_url(QUIZ_URL, enrollment.pk, s.course_id) if result.quiz_unlocked else "",
                evaluate_url=_optional_url(EVALUATE_URL, enrollment.pk, s.course_id),
            )
        )
    return rows


@learner_required
def class_home(request, pk: int):
    enrollment = learner_enrollment(user=request.user, enrollment_id=pk)
    if enrollment is None:
        raise Http404
    progress = class_progress(enrollment)
    summary = progress.summary
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "learning"
    status = request.GET.get("status") if request.GET.get("status") in STATUS_FILTERS else "all"
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "default"

    rows = _course_rows(enrollment, progress)
    if status == "todo":
        rows = [r for r in rows if not r.result.passed]
    elif status == "done":
        rows = [r for r in rows if r.result.passed]
    if sort == "hours":
        rows.sort(key=lambda r: r.selection.hours, reverse=True)
    elif sort == "progress":
        rows.sort(key=lambda r: r.result.progress, reverse=True)

    completed = progress.completed_by_category()
    qualified = enrollment.status == EnrollmentStatus.QUALIFIED
    base = reverse("classroom:class_home", args=[enrollment.pk])
    return render(
        request,
        "classroom/class_home.html",
        {
            "enrollment": enrollment,
            "progress": progress,
            "summary": summary,
            "tab": tab,
            "tabs": [
                (key, label, f"{base}?tab={key}", _unmet(key, summary, progress, qualified))
                for key, label in TABS.items()
            ],
            "rows": rows,
            "status": status,
            "sort": sort,
            "status_options": [
                (k, v, f"{base}?tab=learning&status={k}&sort={sort}") for k, v in STATUS_FILTERS.items()
            ],
            "sort_options": [(k, v, f"{base}?tab=learning&status={status}&sort={k}") for k, v in SORTS.items()],
            "result_lines": [
                {
                    "line": line,
                    "completed": completed[line.category],
                    "met": completed[line.category] >= line.required,
                }
                for line in summary.lines
            ],
            "qualified": qualified,
            "certificate_url": _optional_url("certificates:mine"),
            "center_section": "classes",
        },
    )


def _unmet(tab: str, summary, progress, qualified: bool) -> bool:
    if tab == "select":
        return not summary.structure_met
    if tab == "learning":
        return not progress.learning_met
    return not qualified

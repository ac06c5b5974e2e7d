"""我要评价: rate a confirmed course's 课件内容 and 教师授课质量 (1–5 stars) with an optional comment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cecloud.catalog.models import CourseLecturer
from cecloud.core.errors import ServiceError
from cecloud.core.roles import learner_required

from ..models import CourseEvaluation
from ..selectors import learner_course_or_404
from ..services.evaluation import COMMENT_MAX, evaluation_save

STARS = [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")]


class EvaluationForm(forms.Form):
    content_score = forms.TypedChoiceField(label="课件内容", choices=STARS, coerce=int, widget=forms.RadioSelect)
    teaching_score = forms.TypedChoiceField(label="教师授课质量", choices=STARS, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="评价内容（选填）",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "说说您对课程的看法（选填，500字以内）"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_score"].error_messages["required"] = "请为课件内容评分"
        self.fields["teaching_score"].error_messages["required"] = "请为教师授课质量评分"


@learner_required
@require_http_methods(["GET", "POST"])
def course_evaluate(request, pk: int, course_pk: int):
    enrollment, selection = learner_course_or_404(user=request.user, enrollment_id=pk, course_id=course_pk)
    course = selection.course
    existing = CourseEvaluation.objects.filter(person_id=enrollment.person_id, course=course).first()
    back = reverse("classroom:class_home", args=[enrollment.pk]) + "?tab=learning"
    if request.method == "POST":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                _, created = evaluation_save(
                    user=request.user,
                    enrollment=enrollment,
                    course=course,
                    content_score=form.cleaned_data["content_score"],
                    teaching_score=form.cleaned_data["teaching_score"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "评价已提交，感谢您的反馈" if created else "评价已修改")
                return HttpResponseRedirect(back)
    elif existing is not None:
        form = EvaluationForm(
            initial={
                "content_score": existing.content_score,
                "teaching_score": existing.teaching_score,
                "comment": existing.comment,
            }
        )
    else:
        form = EvaluationForm()
    lecturers = list(
        CourseLecturer.objects.filter(course=course).select_related("lecturer").values_list("lecturer__name", flat=True)
    )
    course.refresh_from_db(fields=["rating", "rating_count"])
    return render(
        request,
        "learning/evaluate.html",
        {
            "enrollment": enrollment,
            "course": course,
            "form": form,
            "existing": existing,
            "lecturers": "、".join(lecturers),
            "back_url": back,
            "stars": STARS,
            "center_section": "classes",
        },
    )

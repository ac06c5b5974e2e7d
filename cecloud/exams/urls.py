from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("classes/<int:pk>/courses/<int:course_pk>/quiz/", views.course_quiz, name="course_quiz"),
    path("attempts/<uuid:public_id>/", views.attempt_page, name="attempt"),
    path("attempts/<uuid:public_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<uuid:public_id>/continue/", views.attempt_continue, name="attempt_continue"),
]

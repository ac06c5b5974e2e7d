from django.urls import path

from .views import evaluation, media, player, selection

app_name = "learning"

urlpatterns = [
    path("classes/<int:pk>/select/", selection.select, name="select"),
    path("classes/<int:pk>/select/add/<int:course_pk>/", selection.select_add, name="select_add"),
    path("classes/<int:pk>/select/remove/<int:course_pk>/", selection.select_remove, name="select_remove"),
    path("classes/<int:pk>/select/confirm/", selection.select_confirm, name="select_confirm"),
    # 课程学习 (player) and its JSON endpoints
    path("classes/<int:pk>/courses/<int:course_pk>/study/", player.course_study, name="course_study"),
    path("classes/<int:pk>/courses/<int:course_pk>/play/", player.playback_start, name="playback_start"),
    path("play/beat/", player.playback_beat, name="playback_beat"),
    path("play/attention/", player.playback_attention, name="playback_attention"),
    path("chapters/<int:pk>/video/", media.chapter_video, name="chapter_video"),
    path("chapters/<int:pk>/hls/<str:name>", media.chapter_hls, name="chapter_hls"),
    path("bench/noop/", player.bench_noop, name="bench_noop"),
    # 我要评价
    path("classes/<int:pk>/courses/<int:course_pk>/evaluate/", evaluation.course_evaluate, name="course_evaluate"),
]

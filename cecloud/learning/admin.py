from django.contrib import admin
from django.db.models import F

from cecloud.core.admin_base import ReadOnlyModelAdmin

from .models import AttentionCheck, CourseEvaluation, CourseSelection, PlaybackSession, WatchedChapter


@admin.register(CourseSelection)
class CourseSelectionAdmin(ReadOnlyModelAdmin):
    """Read-only: selections change only through the learner's selection page (rules in the services)."""

    list_display = ["enrollment", "course", "category", "hours", "status", "confirm_round", "confirmed_at"]
    list_filter = ["status", "category", "enrollment__training_year"]
    search_fields = ["course__title", "enrollment__person__name"]
    list_select_related = ["enrollment__person", "enrollment__training_year", "course"]
    raw_id_fields = ["enrollment", "course"]


# --- Playback oversight (read-only): heartbeat counters per session, attention checks, watched chapters ---


class SuspiciousFilter(admin.SimpleListFilter):
    """Sessions worth a look: many refused heartbeats, or attention checks left unanswered."""

    title = "异常情况"
    parameter_name = "suspicious"

    def lookups(self, request, model_admin):
        return [("rejected", "被拒心跳较多"), ("unanswered", "有未确认的学习状态确认")]

    def queryset(self, request, queryset):
        if self.value() == "rejected":
            refused = F("rejected_too_fast") + F("rejected_ahead") + F("rejected_invalid")
            return queryset.annotate(refused=refused).filter(refused__gte=3, beats_accepted__lte=F("refused") * 4)
        if self.value() == "unanswered":
            return queryset.filter(checks_issued__gt=F("checks_answered"))
        return queryset


@admin.register(PlaybackSession)
class PlaybackSessionAdmin(ReadOnlyModelAdmin):
    list_display = [
        "started_at",
        "learner",
        "course",
        "status",
        "beats_accepted",
        "credited_minutes",
        "rejected_too_fast",
        "rejected_ahead",
        "rejected_superseded",
        "rejected_attention",
        "rejected_closed",
        "rejected_invalid",
        "checks_issued",
        "checks_answered",
    ]
    list_filter = ["status", SuspiciousFilter, "started_at"]
    search_fields = ["user__username", "user__display_name", "course__title"]
    list_select_related = ["user", "course"]
    date_hierarchy = "started_at"
    exclude = ["token"]

    @admin.display(description="学员")
    def learner(self, obj):
        return obj.user.display_name or obj.user.username

    @admin.display(description="新增观看(分钟)")
    def credited_minutes(self, obj):
        return f"{obj.credited_seconds / 60:.1f}"


@admin.register(AttentionCheck)
class AttentionCheckAdmin(ReadOnlyModelAdmin):
    list_display = ["issued_at", "session", "chapter", "position", "answered_at", "response"]
    list_select_related = ["session__user", "session__course", "chapter"]
    date_hierarchy = "issued_at"

    @admin.display(description="确认用时(秒)")
    def response(self, obj):
        seconds = obj.response_seconds
        return "未确认" if seconds is None else f"{seconds:.1f}"


@admin.register(WatchedChapter)
class WatchedChapterAdmin(ReadOnlyModelAdmin):
    list_display = ["enrollment", "chapter", "watched_seconds", "furthest", "completed_at", "updated_at"]
    list_select_related = ["enrollment__person", "enrollment__training_year", "chapter__course"]
    search_fields = ["enrollment__person__name", "chapter__course__title"]


@admin.register(CourseEvaluation)
class CourseEvaluationAdmin(ReadOnlyModelAdmin):
    list_display = ["course", "person", "content_score", "teaching_score", "comment", "updated_at"]
    list_select_related = ["course", "person"]
    search_fields = ["course__title", "person__name", "comment"]

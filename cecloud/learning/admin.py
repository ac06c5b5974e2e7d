from django.contrib import admin

from .models import CourseSelection


@admin.register(CourseSelection)
class CourseSelectionAdmin(admin.ModelAdmin):
    """Read-only: selections change only through the learner's selection page (rules in the services)."""

    list_display = ["enrollment", "course", "category", "hours", "status", "confirm_round", "confirmed_at"]
    list_filter = ["status", "category", "enrollment__training_year"]
    search_fields = ["course__title", "enrollment__person__name"]
    list_select_related = ["enrollment__person", "enrollment__training_year", "course"]
    raw_id_fields = ["enrollment", "course"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

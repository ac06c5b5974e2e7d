"""A back office of its own for the admin-audit tests: a unit with its people as an inline and a
custom action, so inlines and actions are tested whatever the apps' own admins look like."""

from django.contrib import admin
from django.urls import include, path

from cecloud.core.admin_base import AuditedModelAdmin
from cecloud.registry.models import Person, Unit

site = admin.AdminSite(name="audit_test")


class PersonInline(admin.TabularInline):
    model = Person
    fields = ("name", "id_number", "region", "grade", "phone")
    extra = 0


@admin.register(Unit, site=site)
class UnitAdmin(AuditedModelAdmin):
    fields = ("name", "region", "kind", "credit_code")
    inlines = (PersonInline,)
    actions = ("mark_checked",)

    @admin.action(description="标记为已核对")
    def mark_checked(self, request, queryset):
        for unit in queryset:
            unit.name = f"{unit.name}（已核对）"
            unit.save(update_fields=["name"])


urlpatterns = [
    path("audit-admin/", site.urls),
    path("", include("config.urls")),
]

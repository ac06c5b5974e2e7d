"""What every app's back office (Django admin) is built on.

* ``AuditedModelAdmin`` — the base of every ModelAdmin (see ``core/admin_audit.py``);
* ``ReadOnlyModelAdmin`` — records nobody adds, changes or deletes in the back office;
  ``ReadOnlyInline`` / ``ReadOnlyStackedInline`` — the same for rows shown inside another record's page;
* ``OperatorOnlyAdmin`` — every permission is the operator role (运营), with per-admin flags for
  add / change / delete; ``OperatorReadOnlyAdmin`` — the same, looking only;
* ``CityFilter`` (所属市) — a city and its counties, on the model's region or a related one.

Writes from the back office go through each app's services; these bases only decide who may see
what and record what was done.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from .admin_audit import AuditedModelAdmin
from .roles import Role

__all__ = [
    "AuditedModelAdmin",
    "CityFilter",
    "OperatorOnlyAdmin",
    "OperatorReadOnlyAdmin",
    "ReadOnlyInline",
    "ReadOnlyStackedInline",
    "ReadOnlyModelAdmin",
    "is_operator",
]


def is_operator(user) -> bool:
    """Back-office access: active staff with the operator role (or a superuser)."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and (getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.OPERATOR)
    )


class ReadOnlyModelAdmin(AuditedModelAdmin):
    """Records that change only through services (or not at all): nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside another record's page, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyStackedInline(ReadOnlyInline):
    """A read-only inline laid out as a form per row (Django's StackedInline template)."""

    template = "admin/edit_inline/stacked.html"


class OperatorOnlyAdmin(AuditedModelAdmin):
    """Every permission is the operator role; other flags are set per admin."""

    operator_can_add = True
    operator_can_change = True
    operator_can_delete = False

    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request):
        return self.operator_can_add and is_operator(request.user)

    def has_change_permission(self, request, obj=None):
        return self.operator_can_change and is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.operator_can_delete and is_operator(request.user)


class OperatorReadOnlyAdmin(OperatorOnlyAdmin):
    """Operators look records up; the records change only through services."""

    operator_can_add = operator_can_change = operator_can_delete = False


class CityFilter(admin.SimpleListFilter):
    """所属市: the city itself and its counties.

    ``region_field`` is the path to the region (``"region"``, ``"person__region"``); the regions
    offered are the cities of that field's model (code, name, level, parent), in ``city_ordering``.
    """

    title = "所属市"
    parameter_name = "city"
    region_field = "region"
    city_ordering = ("code",)

    def region_model(self, model):
        for name in self.region_field.split("__"):
            model = model._meta.get_field(name).related_model
        return model

    def lookups(self, request, model_admin):
        regions = self.region_model(model_admin.model)
        cities = regions._default_manager.filter(level=regions.Level.CITY).order_by(*self.city_ordering)
        return [(r.code, r.name) for r in cities]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        f = self.region_field
        return queryset.filter(Q(**{f"{f}__code": self.value()}) | Q(**{f"{f}__parent__code": self.value()}))

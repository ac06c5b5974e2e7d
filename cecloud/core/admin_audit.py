"""Audit trail for the back office: every add, change and delete made through the Django admin (by
any staff account, for every model, inlines and custom actions included) and every admin page
that shows a full ID number is written to ``AuditLog`` with who, when, what and before/after values.

Every admin in the project inherits ``AuditedModelAdmin`` (through ``core.admin_base``): its hooks
only add rows, they never change what the admin does. Django's and third-party admins are
re-registered as audited subclasses; ``core/tests/test_admin_coverage.py`` fails if a registered
admin is not audited.

Events (``AuditLog.event_type``):

* ``admin.add`` / ``admin.change`` / ``admin.delete`` — ``extra_data``: ``model``, ``changes``
  (``{field: {"before": …, "after": …}}``), the admin's own change message, and for inline objects
  the ``parent`` object;
* ``admin.action`` — a custom action run on selected objects (``action``, ``selected``, ``count``);
* ``pii.id_number_viewed`` — an admin change page that shows a full ID number was opened.

Secrets (password hashes, code hashes, salts, keys, tokens) are never copied: only "changed".
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from .audit import audit_log

SECRET_HINTS = ("password", "secret", "salt", "code_hash", "token", "private_key", "api_key", "access_key")
HIDDEN = "（已隐藏）"
MAX_VALUE_CHARS = 5000
MAX_SELECTED = 500
PII_FIELD = "id_number"


# --- Snapshots ---------------------------------------------------------------------------------------


def is_secret(field_name: str) -> bool:
    name = field_name.lower()
    return any(hint in name for hint in SECRET_HINTS)


def _plain(value: Any) -> Any:
    """A JSON-safe, comparable copy of a field value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return f"（二进制 {len(value)} 字节）"
    if isinstance(value, dict | list):
        return value
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        return text[:MAX_VALUE_CHARS] + f"…（共 {len(text)} 字符，已截断）"
    return text


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every concrete field (foreign keys as ids) and many-to-many ids of a saved object."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue  # "updated at" changes on every save: noise, not a change anyone made
        raw = getattr(obj, field.attname, None)
        if is_secret(field.name):
            # Only whether it changed matters; the value itself never leaves (see _public / diff).
            values[field.name] = hashlib.sha256(str(raw).encode()).hexdigest()[:16]
        else:
            values[field.name] = _plain(raw)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            try:
                values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
            except (ValueError, AttributeError):  # pragma: no cover - unsaved or custom relation
                continue
    return values


def fresh_snapshot(obj: models.Model) -> dict[str, Any]:
    """The object as the database holds it now (after save_related, so many-to-many included)."""
    if obj.pk is None:
        return {}
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else {}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if is_secret(key):
            changes[key] = {"before": HIDDEN, "after": "（已修改）"}
        else:
            changes[key] = {"before": old, "after": new}
    return changes


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (HIDDEN if is_secret(k) else v) for k, v in values.items()}


def shows_full_id_number(obj: models.Model) -> bool:
    """An admin change page of this object shows a full ID number (a registry entry, an application,
    a learner's account whose login name is the ID number…)."""
    if any(f.name == PII_FIELD for f in obj._meta.concrete_fields):
        return True
    return bool(getattr(obj, "person_id", None)) and obj._meta.label_lower == _user_label()


def _user_label() -> str:
    from django.conf import settings

    return settings.AUTH_USER_MODEL.lower()


def _message_text(message) -> str:
    if isinstance(message, list | tuple):
        return json.dumps(message, ensure_ascii=False, default=str)[:2000]
    return str(message or "")[:2000]


def _write(request, event_type: str, obj: models.Model, extra: dict, *, subject_id: str = "") -> None:
    audit_log(
        event_type=event_type,
        actor=getattr(request, "user", None),
        subject=obj,
        subject_id=subject_id,
        extra_data={"model": obj._meta.label_lower, "via": "admin", **extra},
        request=request,
    )


# --- The audited admin ------------------------------------------------------------------------------------


class AuditedModelAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin in the project (``core.admin_base`` re-exports it).

    Adds rows to the audit log and changes nothing else: ``admin.add`` / ``admin.change`` /
    ``admin.delete`` with before/after values (the object itself and the rows of its inlines, which
    are saved through ``save_formset``), ``admin.action`` for a custom action, and
    ``pii.id_number_viewed`` when a change page shows a full ID number. Third-party admins are
    covered by an audited subclass (``class AuditedGroupAdmin(AuditedModelAdmin, GroupAdmin)``);
    a test fails if a registered admin is not one of these.
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._audit_before = snapshot(obj)
            match = getattr(request, "resolver_match", None)
            url_name = getattr(match, "url_name", "") or ""
            if request.method == "GET" and url_name.endswith("_change") and shows_full_id_number(obj):
                seen = request.__dict__.setdefault("_audit_pii_seen", set())
                if (obj._meta.label_lower, obj.pk) not in seen:  # once per page, however often fetched
                    seen.add((obj._meta.label_lower, obj.pk))
                    _write(request, "pii.id_number_viewed", obj, {"where": url_name})
        return obj

    def save_form(self, request, form, change):
        # Called before save_model on the change form and on the list's editable rows, whatever
        # save_model does (a service, say): the database still holds the old values here.
        obj = super().save_form(request, form, change)
        if change and obj.pk is not None:
            obj._audit_before = fresh_snapshot(obj) or getattr(obj, "_audit_before", {})
        return obj

    def log_addition(self, request, obj, message):
        result = super().log_addition(request, obj, message)
        after = fresh_snapshot(obj)
        _write(
            request,
            "admin.add",
            obj,
            {"changes": diff({}, after), "after": _public(after), "message": _message_text(message)},
        )
        return result

    def log_change(self, request, obj, message):
        result = super().log_change(request, obj, message)
        before = getattr(obj, "_audit_before", None) or {}
        after = fresh_snapshot(obj)
        _write(
            request,
            "admin.change",
            obj,
            {"changes": diff(before, after) if before else {}, "message": _message_text(message)},
        )
        obj._audit_before = after
        return result

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        for obj in objects:
            before = snapshot(obj)
            _write(
                request,
                "admin.delete",
                obj,
                {"changes": diff(before, {}), "before": _public(before), "message": "删除"},
            )
        return super().log_deletions(request, objects)

    def save_formset(self, request, form, formset, change):
        """The inline rows: each added, changed or deleted row is recorded with its parent."""
        before = {}
        deleting = {}  # the instances lose their pk when deleted: remember it by identity
        for inline_form in getattr(formset, "forms", []):
            instance = inline_form.instance
            if instance.pk is not None:
                before[instance.pk] = fresh_snapshot(instance)
                deleting[id(instance)] = instance.pk
        result = super().save_formset(request, form, formset, change)
        parent = {"model": form.instance._meta.label_lower, "id": str(form.instance.pk), "repr": str(form.instance)}
        for obj in getattr(formset, "new_objects", []):
            _write(request, "admin.add", obj, {"changes": diff({}, fresh_snapshot(obj)), "parent": parent})
        for obj, _fields in getattr(formset, "changed_objects", []):
            _write(
                request,
                "admin.change",
                obj,
                {"changes": diff(before.get(obj.pk, {}), fresh_snapshot(obj)), "parent": parent},
            )
        for obj in getattr(formset, "deleted_objects", []):
            pk = obj.pk if obj.pk is not None else deleting.get(id(obj))
            old = before.get(pk) or snapshot(obj)
            _write(
                request,
                "admin.delete",
                obj,
                {"changes": diff(old, {}), "before": _public(old), "parent": parent},
                subject_id=str(pk),
            )
        return result

    def response_action(self, request, queryset):
        action = request.POST.get("action", "")
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        select_across = request.POST.get("select_across") == "1"
        response = super().response_action(request, queryset)
        # Deletions are recorded object by object (log_deletions); other actions as one row here.
        if action and action != "delete_selected" and (selected or select_across):
            audit_log(
                event_type="admin.action",
                actor=request.user,
                subject_type=self.model._meta.label_lower,
                subject_id="",
                subject_repr=f"{self.model._meta.verbose_name}：{action}",
                extra_data={
                    "model": self.model._meta.label_lower,
                    "via": "admin",
                    "action": action,
                    "selected": selected[:MAX_SELECTED],
                    "count": len(selected),
                    "select_across": select_across,
                },
                request=request,
            )
        return response


# --- Searching and reading the trail in the back office ------------------------------------------------


def changes_html(entry) -> str:
    """The before/after table of an audit entry (empty when it records no field changes)."""
    from django.utils.html import format_html, format_html_join

    changes = (entry.extra_data or {}).get("changes") or {}
    if not changes:
        return ""

    def show(value):
        if value in (None, ""):
            return "—"
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    rows = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
        ((field, show(v.get("before")), show(v.get("after"))) for field, v in changes.items()),
    )
    return format_html(
        '<table class="audit-changes"><thead><tr><th>字段</th><th>修改前</th><th>修改后</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        rows,
    )


class EventKindFilter(admin.SimpleListFilter):
    """事件类别: groups of event types by prefix (each an indexed LIKE 'prefix%')."""

    title = "事件类别"
    parameter_name = "kind"
    KINDS = {
        "admin": ("后台增删改", ("admin.",)),
        "pii": ("查看完整身份证号", ("pii.", "person.viewed_full_id")),
        "export": (
            "导出",
            (
                "oversight.export",
                "certificate.batch_",
                "billing.reconciliation_exported",
                "registry.import_errors_exported",
                "audit.exported",
            ),
        ),
        "oversight": ("单位/人社局操作", ("oversight.",)),
        "registry": ("人员库与申请", ("registry.", "person.", "unit.")),
        "account": ("帐号与登录", ("account.",)),
        "billing": ("订单、退款与发票", ("order.", "refund.", "invoice.", "billing.")),
        "study": ("班级、选课、学时与证明", ("enrollment.", "selection.", "exams.", "learning.", "certificate.")),
        "content": ("课程与信息中心", ("catalog.", "infocenter.")),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _prefixes) in self.KINDS.items()]

    def queryset(self, request, queryset):
        kind = self.KINDS.get(self.value() or "")
        if kind is None:
            return queryset
        condition = Q()
        for prefix in kind[1]:
            condition |= Q(event_type__startswith=prefix)
        return queryset.filter(condition)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cecloud.core"
    label = "core"
    verbose_name = "核心"

    # The back-office audit trail is a base class every admin inherits (core/admin_audit.py),
    # not something installed here.

    def ready(self):
        # Folders the embedded default writes to (SQLite, STATIC_ROOT) are made at start-up, not when
        # the settings are imported.
        from .local_dirs import ensure_local_dirs

        ensure_local_dirs()
        from . import audit_retention  # noqa: F401 - registers the audit-retention system check

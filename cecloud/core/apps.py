from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cecloud.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # Every back-office change and full-ID view is written to the audit log (core/admin_audit.py).
        from .admin_audit import install

        install()

        # Folders the embedded default writes to (SQLite, STATIC_ROOT) are made at start-up, not when
        # the settings are imported.
        from .local_dirs import ensure_local_dirs

        ensure_local_dirs()

"""Delete audit-log entries older than CECLOUD_AUDIT_RETENTION_DAYS (never younger than 180 days)."""

from django.core.management.base import BaseCommand

from cecloud.core.audit_retention import purge_cutoff, purge_expired


class Command(BaseCommand):
    help = "删除超过保存期限的审计日志（至少保留180天）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, dry_run=False, **options):
        count = purge_expired(dry_run=dry_run)
        verb = "可删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {purge_cutoff():%Y-%m-%d %H:%M} 之前的审计日志 {count} 条")

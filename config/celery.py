"""Celery app: Redis broker in production, eager in the embedded default (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cecloud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

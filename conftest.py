"""Test-wide fixtures. Settings: config/test_settings.py (captcha test mode, temp media, file SMS)."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def regions(db):
    from cecloud.registry.models import Region

    return {r.code: r for r in Region.objects.all()}

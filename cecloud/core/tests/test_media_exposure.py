import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import clear_url_caches


@pytest.fixture
def debug_urls():
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_only_course_covers_are_served_by_url_in_debug(client, db, debug_urls):
    secret = default_storage.save("invoices/2023/01/secret.pdf", ContentFile(b"%PDF secret"))
    cover = default_storage.save("courses/covers/c.png", ContentFile(b"png"))
    assert client.get(f"/media/{cover}").status_code == 200
    assert client.get(f"/media/{secret}").status_code == 404
    assert client.get("/media/courses/covers/../../invoices/2023/01/secret.pdf").status_code == 404

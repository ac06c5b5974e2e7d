"""Catalog's subscribers (imported by ``CatalogConfig.ready()``): HLS renditions are made in Celery."""

from . import events, tasks


@events.chapter_hls_requested.subscribe
def queue_chapter_hls(*, chapter_id: int, video_name: str) -> None:
    tasks.chapter_make_hls.delay(chapter_id, video_name)

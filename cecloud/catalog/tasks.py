"""Background jobs for the catalog: HLS renditions of chapter videos (when ffmpeg is available)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess  # noqa: S404 - ffmpeg with a fixed argument list, no shell
import tempfile
import uuid
from pathlib import Path

from celery import shared_task
from django.core.files.base import File

from . import media
from .models import Chapter, HlsStatus

logger = logging.getLogger(__name__)

HLS_SEGMENT_SECONDS = 6
FFMPEG_TIMEOUT = 4 * 3600


def _local_copy(chapter: Chapter, workdir: Path) -> str:
    """A path ffmpeg can read: the file itself on local storage, a downloaded copy otherwise."""
    storage = chapter.video.storage
    try:
        return storage.path(chapter.video.name)
    except NotImplementedError:
        target = workdir / ("source" + Path(chapter.video.name).suffix)
        with storage.open(chapter.video.name, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        return str(target)


def hls_command(ffmpeg: str, source: str, outdir: Path) -> list[str]:
    return [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        source,
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "26",
        "-pix_fmt",
        "yuv420p",
        "-profile:v",
        "main",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{HLS_SEGMENT_SECONDS})",
        "-f",
        "hls",
        "-hls_time",
        str(HLS_SEGMENT_SECONDS),
        "-hls_playlist_type",
        "vod",
        "-hls_segment_filename",
        str(outdir / "seg_%04d.ts"),
        str(outdir / "index.m3u8"),
    ]


@shared_task(name="catalog.chapter_make_hls")
def chapter_make_hls(chapter_id: int, video_name: str) -> str:
    """Transcode a chapter's video to an HLS rendition stored beside it; returns the new status.

    The rendition goes to ``hls/<chapter id>/<random>/index.m3u8`` in the default storage (local
    disk or S3-compatible); the chapter keeps the playlist path. A chapter whose video changed
    while transcoding is left alone (the newer upload schedules its own job).
    """
    chapter = Chapter.objects.filter(pk=chapter_id).first()
    if chapter is None or chapter.video.name != video_name:
        return "stale"
    ffmpeg = media.ffmpeg_path()
    if ffmpeg is None:
        Chapter.objects.filter(pk=chapter_id, video=video_name).update(hls_status=HlsStatus.UNAVAILABLE)
        return HlsStatus.UNAVAILABLE
    storage = chapter.video.storage
    prefix = f"hls/{chapter.pk}/{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="cecloud-hls-") as tmp:
        workdir = Path(tmp)
        outdir = workdir / "out"
        outdir.mkdir()
        try:
            source = _local_copy(chapter, workdir)
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                hls_command(ffmpeg, source, outdir),
                capture_output=True,
                text=True,
                timeout=FFMPEG_TIMEOUT,
                check=False,
            )
            if result.returncode != 0 or not (outdir / "index.m3u8").exists():
                raise RuntimeError(result.stderr.strip()[-400:] or f"ffmpeg exit code {result.returncode}")
            for entry in sorted(os.listdir(outdir)):
                with open(outdir / entry, "rb") as fh:
                    storage.save(f"{prefix}/{entry}", File(fh, name=entry))
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the chapter
            logger.warning("HLS rendition of chapter %s failed: %s", chapter_id, exc)
            Chapter.objects.filter(pk=chapter_id, video=video_name).update(
                hls_status=HlsStatus.FAILED, hls_error=str(exc)[:500]
            )
            return HlsStatus.FAILED
    updated = Chapter.objects.filter(pk=chapter_id, video=video_name).update(
        hls_status=HlsStatus.READY, hls_playlist=f"{prefix}/index.m3u8", hls_error=""
    )
    return HlsStatus.READY if updated else "stale"

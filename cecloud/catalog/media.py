"""Reading facts from uploaded videos: duration (ffprobe, or the MP4 ``mvhd`` box without ffmpeg).

``probe_duration`` tries ffprobe first (any container) when it is installed and falls back to
a pure-Python reader of the ISO base media file format (MP4/MOV/M4V), so durations are read
even on a machine without ffmpeg. ``mp4_top_level_boxes`` also tells where the ``moov`` box
is, which the preview limit needs when a file is not "faststart".
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import subprocess  # noqa: S404 - ffprobe with a fixed argument list, no shell
from dataclasses import dataclass
from typing import BinaryIO

logger = logging.getLogger(__name__)

FFPROBE_TIMEOUT = 30


@dataclass(frozen=True)
class Box:
    type: str
    offset: int
    size: int  # the whole box including its header

    @property
    def end(self) -> int:
        return self.offset + self.size


class MediaError(ValueError):
    """The file could not be read as a video."""


def ffprobe_path() -> str | None:
    return shutil.which("ffprobe")


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


def _read_box_header(fh: BinaryIO, offset: int, limit: int) -> tuple[str, int, int] | None:
    """(type, header size, box size) of the box at ``offset``, or None at the end."""
    fh.seek(offset)
    header = fh.read(8)
    if len(header) < 8:
        return None
    size, raw_type = struct.unpack(">I4s", header)
    box_type = raw_type.decode("latin-1")
    header_size = 8
    if size == 1:
        large = fh.read(8)
        if len(large) < 8:
            raise MediaError("MP4 box header truncated")
        size = struct.unpack(">Q", large)[0]
        header_size = 16
    elif size == 0:
        size = limit - offset
    if size < header_size:
        raise MediaError(f"invalid MP4 box size {size} for {box_type!r}")
    return box_type, header_size, size


def mp4_top_level_boxes(fh: BinaryIO, file_size: int) -> list[Box]:
    """The top-level boxes (ftyp, moov, mdat, …) with their offsets."""
    boxes: list[Box] = []
    offset = 0
    while offset < file_size:
        header = _read_box_header(fh, offset, file_size)
        if header is None:
            break
        box_type, _header_size, size = header
        boxes.append(Box(box_type, offset, size))
        offset += size
        if len(boxes) > 10_000:
            raise MediaError("too many MP4 boxes")
    if not boxes or boxes[0].type not in {"ftyp", "moov", "free", "skip", "wide", "mdat", "pdin", "styp"}:
        raise MediaError("not an MP4/MOV file")
    return boxes


def mp4_duration(fh: BinaryIO, file_size: int) -> float:
    """Duration in seconds from the movie header (moov/mvhd)."""
    moov = next((b for b in mp4_top_level_boxes(fh, file_size) if b.type == "moov"), None)
    if moov is None:
        raise MediaError("MP4 file has no moov box")
    offset = moov.offset + 8
    while offset < moov.end:
        header = _read_box_header(fh, offset, moov.end)
        if header is None:
            break
        box_type, header_size, size = header
        if box_type == "mvhd":
            fh.seek(offset + header_size)
            version = fh.read(1)
            if not version:
                raise MediaError("mvhd truncated")
            fh.read(3)  # flags
            if version[0] == 1:
                data = fh.read(28)
                if len(data) < 28:
                    raise MediaError("mvhd truncated")
                _created, _modified, timescale, duration = struct.unpack(">QQIQ", data)
            else:
                data = fh.read(16)
                if len(data) < 16:
                    raise MediaError("mvhd truncated")
                _created, _modified, timescale, duration = struct.unpack(">IIII", data)
            if not timescale:
                raise MediaError("mvhd timescale is zero")
            return duration / timescale
        offset += size
    raise MediaError("MP4 file has no mvhd box")


def ffprobe_duration(path: str) -> float:
    binary = ffprobe_path()
    if binary is None:
        raise MediaError("ffprobe is not installed")
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [binary, "-v", "error", "-show_entries", "format=duration", "-of", "json", path],
            capture_output=True,
            text=True,
            timeout=FFPROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"ffprobe failed: {exc}") from exc
    if result.returncode != 0:
        raise MediaError(f"ffprobe failed: {result.stderr.strip()[:200]}")
    try:
        return float(json.loads(result.stdout)["format"]["duration"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MediaError("ffprobe reported no duration") from exc


def probe_duration(fh: BinaryIO, file_size: int, *, local_path: str | None = None) -> float:
    """Seconds of media. ffprobe when installed and the file is on local disk, else the MP4 reader."""
    if local_path and ffprobe_path():
        try:
            return ffprobe_duration(local_path)
        except MediaError as exc:
            logger.warning("ffprobe could not read %s: %s; trying the MP4 reader", local_path, exc)
    return mp4_duration(fh, file_size)

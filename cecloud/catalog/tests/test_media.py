"""Reading durations: ffprobe when installed, the MP4 mvhd box without it."""

from __future__ import annotations

import io
import shutil
import struct

import pytest

from cecloud.catalog import media
from cecloud.catalog.factories import DEMO_MEDIA, DEMO_VIDEO_SECONDS


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _mvhd_v1(timescale: int, duration: int) -> bytes:
    payload = bytes([1, 0, 0, 0]) + struct.pack(">QQIQ", 0, 0, timescale, duration) + bytes(80)
    return _box(b"mvhd", payload)


def _mvhd_v0(timescale: int, duration: int) -> bytes:
    payload = bytes([0, 0, 0, 0]) + struct.pack(">IIII", 0, 0, timescale, duration) + bytes(80)
    return _box(b"mvhd", payload)


@pytest.mark.parametrize("n", sorted(DEMO_VIDEO_SECONDS))
def test_mvhd_duration_of_the_demo_videos(n):
    data = (DEMO_MEDIA / f"demo-{n}.mp4").read_bytes()
    assert media.mp4_duration(io.BytesIO(data), len(data)) == pytest.approx(DEMO_VIDEO_SECONDS[n], abs=0.1)


def test_mvhd_version_1_and_moov_after_mdat():
    """A non-faststart file (moov at the end) with a 64-bit mvhd; a 64-bit mdat size too."""
    mdat_payload = bytes(1000)
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + len(mdat_payload)) + mdat_payload
    data = _box(b"ftyp", b"isom\x00\x00\x02\x00") + mdat + _box(b"moov", _mvhd_v1(90000, 90000 * 125))
    fh = io.BytesIO(data)
    assert media.mp4_duration(fh, len(data)) == 125.0
    boxes = media.mp4_top_level_boxes(fh, len(data))
    assert [b.type for b in boxes] == ["ftyp", "mdat", "moov"]
    assert boxes[-1].end == len(data)


def test_mvhd_version_0():
    data = _box(b"ftyp", b"isom\x00\x00\x02\x00") + _box(b"moov", _mvhd_v0(1000, 2500))
    assert media.mp4_duration(io.BytesIO(data), len(data)) == 2.5


@pytest.mark.parametrize(
    "data",
    [b"", b"not a video at all, just some text", _box(b"ftyp", b"isom") + _box(b"mdat", bytes(10))],
    ids=["empty", "text", "no-moov"],
)
def test_files_that_are_not_mp4_are_refused(data):
    with pytest.raises(media.MediaError):
        media.mp4_duration(io.BytesIO(data), len(data))


def test_probe_uses_ffprobe_when_installed_and_agrees_with_the_mvhd_reader(tmp_path):
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe not installed (CI installs ffmpeg)")
    path = tmp_path / "v.mp4"
    path.write_bytes((DEMO_MEDIA / "demo-4.mp4").read_bytes())
    via_ffprobe = media.ffprobe_duration(str(path))
    with open(path, "rb") as fh:
        via_mvhd = media.mp4_duration(fh, path.stat().st_size)
    assert via_ffprobe == pytest.approx(6.0, abs=0.1)
    assert via_mvhd == pytest.approx(via_ffprobe, abs=0.1)


def test_probe_falls_back_to_the_mp4_reader_without_ffprobe(monkeypatch, tmp_path):
    monkeypatch.setattr(media, "ffprobe_path", lambda: None)
    data = (DEMO_MEDIA / "demo-2.mp4").read_bytes()
    path = tmp_path / "v.mp4"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        assert media.probe_duration(fh, len(data), local_path=str(path)) == pytest.approx(4.0, abs=0.1)

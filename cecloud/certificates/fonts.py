"""The certificate's font: Noto Serif SC reduced to GB 2312 (7,700 glyphs instead of 65,000).

WeasyPrint subsets the embedded font on every render; subsetting the complete 16 MB Noto Serif SC
costs more than laying out the whole certificate. A copy reduced once to the GB 2312 repertoire
(6,763 hanzi, punctuation, ASCII) makes that step several times cheaper. Characters outside it
(rarer name characters) fall back to the complete font, which is registered second in the font
stack, so nothing is ever drawn as a box.

The reduced copy is generated with fontTools on first use (or by ``manage.py certificate_fonts``)
into ``CECLOUD_FONT_CACHE_DIR`` (default ``var/cache/fonts``), atomically, and reused by every process.
Generation is deterministic (no timestamp), so every node produces the same file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from functools import cache
from importlib import resources
from pathlib import Path

from django.conf import settings

SOURCE_PACKAGE = "pylopdf_fonts_zh_cn"
SERIF_FILE = "NotoSerifSC-Regular.otf"
_lock = threading.Lock()


def source_font(name: str = SERIF_FILE) -> Path:
    return Path(str(resources.files(SOURCE_PACKAGE) / name))


@cache
def gb2312_codepoints() -> frozenset[int]:
    """Every character of GB 2312, plus ASCII, CJK punctuation and full-width forms."""
    points = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F))
    points |= {0xA0, 0xB7, 0xD7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2116, 0x25CB, 0x2605}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(points)


def cache_dir() -> Path:
    configured = os.environ.get("CECLOUD_FONT_CACHE_DIR") or getattr(settings, "CECLOUD_FONT_CACHE_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache" / "fonts"


def _source_digest(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.name}:{stat.st_size}:v1".encode()).hexdigest()[:12]


def build_reduced_font(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=gb2312_codepoints())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        font.save(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def reduced_serif_font() -> Path:
    """The reduced serif font file, generated once if missing."""
    source = source_font()
    target = cache_dir() / f"NotoSerifSC-GB2312-{_source_digest(source)}.otf"
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            build_reduced_font(source, target)
    return target

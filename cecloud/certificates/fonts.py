"""The certificate's font: Noto Serif SC (the complete OTF of the pinned PyPI package
``pylopdf-fonts-zh-cn``), loaded once per process and subset per certificate with HarfBuzz.

Noto Serif SC is a CID-keyed CFF font. In a PDF, text set in such a font (a ``CIDFontType0`` with
``Identity-H`` encoding) is written as CIDs, which the font's own charset maps to glyphs; the CIDs
survive subsetting, so the codes of a character never depend on which other characters a
certificate uses. This module answers, per character: its glyph, its CID and its advance width,
and builds the subset (the bare ``CFF`` table, embedded as ``FontFile3 /CIDFontType0C``).

HarfBuzz subsets the 31,000-glyph font to a certificate's ~150 glyphs in about a millisecond
(fontTools needs more than a hundred), which is what makes rendering a certificate cheap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

SOURCE_PACKAGE = "pylopdf_fonts_zh_cn"
SERIF_FILE = "NotoSerifSC-Regular.otf"
# Tables a PDF CIDFontType0C does not use: dropped before subsetting so HarfBuzz skips them.
DROP_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF", "name", "post", "STAT")

_lock = threading.Lock()
_loaded: dict[Path, CertificateFont] = {}


def source_font(name: str = SERIF_FILE) -> Path:
    return Path(str(resources.files(SOURCE_PACKAGE) / name))


def _tag(name: str) -> int:
    a, b, c, d = name.ljust(4).encode("ascii")
    return (a << 24) | (b << 16) | (c << 8) | d


@dataclass(frozen=True)
class Glyph:
    gid: int  # in the complete font
    cid: int  # the code written in the PDF
    advance: int  # in font units (1000 per em)


class CertificateFont:
    """One OpenType CFF font: metrics, character → glyph, and per-document subsets."""

    def __init__(self, path: Path):
        import uharfbuzz as hb
        from fontTools.ttLib import TTFont

        self.path = path
        data = path.read_bytes()
        self._hb = hb
        self.face = hb.Face(hb.Blob(data))
        self.font = hb.Font(self.face)
        self._prepared = hb.subset_preprocess(self.face)
        self.upem = self.face.upem
        tt = TTFont(str(path), lazy=True)
        order = tt.getGlyphOrder()  # the CFF charset: "cid01234" names in a CID-keyed font
        self.cid_keyed = hasattr(tt["CFF "].cff.topDictIndex[0], "ROS")
        self._cids = [
            int(name[3:]) if self.cid_keyed and name.startswith("cid") else gid for gid, name in enumerate(order)
        ]
        head, hhea, os2 = tt["head"], tt["hhea"], tt["OS/2"]
        scale = 1000 / self.upem
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent = round(hhea.ascent * scale)
        self.descent = round(hhea.descent * scale)
        self.cap_height = round(getattr(os2, "sCapHeight", 0) * scale) or self.ascent
        self.postscript_name = str(tt["name"].getDebugName(6) or path.stem).replace(" ", "")
        self._glyphs: dict[str, Glyph] = {}
        self.notdef = Glyph(0, 0, self.font.get_glyph_h_advance(0))

    def glyph(self, char: str) -> Glyph:
        """The glyph of one character (.notdef when the font has none)."""
        found = self._glyphs.get(char)
        if found is None:
            gid = self.font.get_nominal_glyph(ord(char))
            if not gid:
                return self.notdef
            found = Glyph(gid, self._cids[gid], round(self.font.get_glyph_h_advance(gid) * 1000 / self.upem))
            if len(self._glyphs) < 20_000:
                self._glyphs[char] = found
        return found

    def width(self, text: str, size: float, spacing: float = 0.0) -> float:
        """The advance of a text in points at a font size, with letter spacing after each glyph."""
        return sum(self.glyph(ch).advance for ch in text) * size / 1000 + spacing * len(text)

    def subset_cff(self, gids: set[int]) -> bytes:
        """The bare CFF table holding .notdef and the given glyphs (outlines only, no hinting)."""
        hb = self._hb
        spec = hb.SubsetInput()
        spec.sets(hb.SubsetInputSets.GLYPH_INDEX).update(sorted(gids | {0}))
        spec.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(_tag(name) for name in DROP_TABLES)
        spec.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE
        subset = hb.subset(self._prepared, spec)
        if subset is None:
            raise RuntimeError(f"HarfBuzz could not subset {self.path.name}")
        return bytes(subset.reference_table("CFF ").data)


def certificate_font(path: Path | None = None) -> CertificateFont:
    """The process-wide font (loading takes a fraction of a second, once)."""
    path = path or source_font()
    font = _loaded.get(path)
    if font is None:
        with _lock:
            font = _loaded.get(path)
            if font is None:
                font = _loaded[path] = CertificateFont(path)
    return font

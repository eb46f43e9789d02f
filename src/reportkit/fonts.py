"""The Chinese font a page carries with it: a subset of the bundled Noto Sans SC (from the ``zhplot``
wheel) holding only the glyphs the page uses, embedded as a base64 WOFF ``@font-face`` limited to CJK code
points, so a page opens with Chinese glyphs on a machine with no network and no Chinese system font.
Shared by the notebook pages (:mod:`reportkit.notebooks`) and the HTML export
(:mod:`reportkit.writers.html`)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from pathlib import Path

# Code points for which the embedded font is used (CJK punctuation, ideographs, full-width forms).
CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
              (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
FONT_FAMILY = "reportkit-cjk"


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in CJK_RANGES)


def font_file() -> Path | None:
    """The bundled Noto Sans SC (shipped in the zhplot wheel), found without importing zhplot (its import
    changes matplotlib's global settings)."""
    import importlib.util
    spec = importlib.util.find_spec("zhplot")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        p = Path(folder) / "fonts" / "NotoSansSC-Regular.ttf"
        if p.exists():
            return p
    return None


def mono_font_file() -> Path | None:
    """DejaVu Sans Mono, shipped with matplotlib: a monospace face whose width we know (0.602 em). Found
    without importing matplotlib (half a second the build process has no other use for)."""
    import importlib.util
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        p = Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSansMono.ttf"
        if p.exists():
            return p
    return None


# Text outputs are pandas tables aligned with display.unicode.east_asian_width (a CJK character counts as
# two columns). That only lines up when a CJK glyph is exactly two monospace cells wide: DejaVu Sans
# Mono's advance is 1233/2048 em, Noto's CJK advance 1 em, so the CJK face used in code is scaled by this.
MONO_CJK_SCALE = 2 * 1233 / 2048


# Tables a page's subset never keeps: shaping (not needed for horizontal CJK/Latin text, and the slow part
# of subsetting a CJK font: GSUB/GPOS decoding), vertical metrics, and FFTM, FontForge's timestamp, which
# fontTools warns about.
_DROPPED = ("FFTM", "GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG")


def _options():
    from fontTools import subset
    opts = subset.Options()
    opts.flavor = "woff"
    opts.hinting = False            # browsers rasterise fine without; much smaller
    opts.notdef_outline = True
    opts.layout_features = []
    opts.drop_tables = [*opts.drop_tables, *_DROPPED]
    return opts


def open_font(path: Path):
    """``path`` opened for one :func:`woff` call, with what every subset reads already decoded (the glyph
    order, cmap, outlines and metrics of all 30,000 glyphs of Noto Sans SC): about two thirds of a page's
    subsetting, and independent of its text, so a build does it while its notebooks run."""
    from fontTools import subset
    font = subset.load_font(str(path), _options())
    for tag in _DROPPED:
        if tag in font:
            del font[tag]       # else fontTools decodes the layout tables to check their offsets
    font.getGlyphOrder()
    for tag in ("cmap", "glyf", "hmtx"):
        if tag in font:
            font[tag]
    return font


def woff(font, codepoints: Iterable[int]) -> str:
    """Base64 WOFF of the glyphs for ``codepoints`` (zlib-compressed; woff2 needs brotli). ``font`` is a
    path or an :func:`open_font` result, which the call uses up (subsetting changes it in place)."""
    from fontTools import subset
    opts = _options()
    if isinstance(font, (str, Path)):
        font = open_font(Path(font))
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(set(codepoints)))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def cjk_font_src(text: str, font=None) -> str:
    """The ``src``/``unicode-range`` declarations of an ``@font-face`` embedding the CJK glyphs ``text``
    uses (empty when it has none or the font is not installed). ``font``: the bundled font already opened
    by :func:`open_font`, if the caller has it."""
    # Over the distinct characters, not the text: a build's pages hold ~2 million characters (the
    # template's CSS is most of them) but a few hundred distinct ones, and is_cjk is a Python call.
    cjk = sorted(ord(ch) for ch in set(text) if is_cjk(ch))
    path = font_file()
    if not cjk or path is None:
        return ""
    ranges = ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in CJK_RANGES)
    return f"src: url(data:font/woff;base64,{woff(font or path, cjk)}) format('woff'); unicode-range: {ranges}; font-display: block;"


def cjk_font_face(text: str, family: str = FONT_FAMILY) -> str:
    """An ``@font-face`` rule named ``family`` embedding the CJK glyphs ``text`` uses (empty when it has
    none or the font is not installed)."""
    src = cjk_font_src(text)
    return f"@font-face {{ font-family: '{family}'; {src} }}" if src else ""

"""PDF files with a text layer (made by WPS or Word) to report text and table grids.

The text is rebuilt from the characters on each page: lines from their positions, lines wrapped at the
right margin joined back into paragraphs (a heading, an indented first line or a line ending a sentence
starts a new line), page numbers (``- 3 -``, ``第3页``) and running headers and footers left out.

Tables come from the page geometry, not from the text: the visible ruling lines (``find_tables`` with the
lines strategy, over the strokes a reader can see; WPS draws an invisible white box behind every line of
prose) give the cells, and every cell's position on the lines of the table gives its row, column and
spans, so merged cells are known. A grid left open (a last row without its bottom border, the part of a
table continued on a new page without a top one) is closed where its vertical rules end together, and
text inside a table but in no cell (a merged cell cut by the page break) becomes a cell of its own. A
cell's characters are joined into one label whatever their layout (``社会 / 公益 / 组织`` across three
lines, ``三、本年度办理结果`` one character per line). A table cut by a page break is continued on the next
page (same outer edges): a row torn in two by the break is put back together. Images are recorded as
assets, so a check can tell a table printed as a picture.

A PDF without any text (a scan) is refused with a message saying so; so are encrypted, truncated or
oversized files. Work is bounded: at most :data:`MAX_PAGES` pages, :data:`MAX_CHARS_PER_PAGE` characters
and :data:`MAX_RULES_PER_PAGE` ruling strokes per page, :data:`MAX_SECONDS` in all; and memory: before
pdfminer (which unpacks every stream whole) sees the file, its streams are measured in chunks against
:data:`INFLATE_RATIO` (:func:`check_streams`, and :func:`check_ciphered` for an encrypted file), so a
decompression bomb is refused naming its object.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
import zlib
from bisect import bisect_right
from dataclasses import dataclass, field


from ..errors import EmptyReportError, ReportError, TooLargeError
from ..format import fold
from ..text import CN_DIGIT, CN_DIGITS
from .grid import GridCell, ReadDoc, TextBuilder, _kind, join_pieces
from .. import rx

MAX_PAGES = 100
"""Pages read at most: real annual reports have 3 to 30."""
MAX_CHARS_PER_PAGE = 20_000
"""A dense A4 page of Chinese holds about 2,000 characters."""
MAX_RULES_PER_PAGE = 3_000
"""Ruling strokes (lines and thin boxes) above which a page is read as text only: tables need a few
hundred, a chart drawn in vectors many thousands, and finding tables costs time in their number."""
MAX_SECONDS = 60.0
"""Time allowed for one file (checked between pages)."""
INFLATE_FLOOR = 64 * 1024 * 1024
INFLATE_RATIO = 16
"""The streams of a PDF may unpack to at most ``INFLATE_FLOOR + INFLATE_RATIO × file size`` bytes in all
(224 MiB for a file at the default 10 MiB limit; the file itself is held to the loader's size limit, so
this bound follows it). A real report unpacks to about 5× its size (the corpus PDF: 240 KB to 1.2 MB);
a deflate bomb to 1000×, which pdfminer would inflate whole, stream by stream, into memory."""
_MIN_IMAGE = 40          # points: smaller images are bullets, logos and seals' fragments
_PAGE_NUMBER = rx.lazy(r"[-—–－~_·•\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:[/／]\s*\d{1,4}|共\s*\d{1,4}\s*页)?[-—–－~_·•\s]*")
# A line that opens like a heading starts a paragraph (it is never the wrapped rest of the line before): wider than
# lexicon.ENUMERATOR (which reads a table label's enumerator), as a document's own headings also run
# "一." "(1)" "第一章" and digit headings stop at two digits ("2021." starts a sentence, not a heading).
_HEADING = rx.lazy(rf"{CN_DIGIT}+[、.．]|[（(][{CN_DIGITS}\d]+[)）]|第{CN_DIGIT}+[章部节]"
                      r"|\d{1,2}[.．、](?!\d)")
_SENTENCE_END = ("。", "！", "？", "：", "；", ":", ";", "!", "?")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Table:
    cells: list[GridCell]
    n_rows: int
    n_cols: int
    top: float
    bottom: float
    xs: list[float] | None = None      # the column boundaries on the page


@dataclass
class _Page:
    number: int
    height: float = 842.0
    items: list = field(default_factory=list)   # (top, kind, payload) in reading order


def read_pdf(data: bytes, source: str) -> ReadDoc:
    """Text, table grids and images of a PDF file's bytes. Raises ReportError for a PDF that cannot be
    read as a report (encrypted, truncated, scanned, over the limits)."""
    import logging
    import pdfplumber
    # pdfminer warns on stderr about every font quirk of a real file (a missing FontBBox, …); a reader
    # of reportkit's output has nothing to do about them.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ReportError("not a PDF file (it does not start with %PDF-)", source, "byte 0")
    if b"%%EOF" not in data[-4096:]:
        raise ReportError("the PDF is cut short (its end marker %%EOF is missing): the download is "
                          "incomplete; download the file again", source, f"byte {len(data)}")
    t0 = time.monotonic()
    left = check_streams(data, source, INFLATE_FLOOR + INFLATE_RATIO * len(data))
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        if pdf.doc.decipher is not None:
            # Ciphered on disk: measured again as pdfminer deciphers them, before any page is read.
            _linear_rc4(pdf.doc)
            check_ciphered(pdf.doc, source, left)
    except ReportError:
        raise
    except Exception as e:   # pdfminer raises many types on damaged files; all mean "cannot read"
        raise _open_error(e, source) from None
    # Not `with pdf`: closing walks the page tree again, and on a damaged file that raises over the
    # error already being reported. The file is in memory; dropping ``pdf`` frees it.
    try:
        n = len(pdf.pages)
    except Exception as e:
        raise _open_error(e, source) from None
    if n > MAX_PAGES:
        raise TooLargeError(f"the PDF has {n:,} pages, over the limit of {MAX_PAGES} "
                            "(annual reports have 3 to 30); split it or extract the report's pages", source)
    if n == 0:
        raise EmptyReportError("the PDF has no pages", source)
    pages: list[_Page] = []
    n_chars = n_images = 0
    cid = 0
    for i in range(n):
        if time.monotonic() - t0 > MAX_SECONDS:
            raise ReportError(f"reading the PDF took over {MAX_SECONDS:.0f} s; stopped", source,
                              f"page {i + 1} of {n}")
        page = None
        try:
            page = pdf.pages[i]
            chars = page.chars
            if len(chars) > MAX_CHARS_PER_PAGE:
                raise TooLargeError(f"the page holds {len(chars):,} characters, over the limit of "
                                    f"{MAX_CHARS_PER_PAGE:,} per page", source, f"page {i + 1}")
            cid += sum(1 for c in chars if c["text"].startswith("(cid:"))
            n_chars += sum(1 for c in chars if c["text"].strip())
            pg = _read_page(page, i + 1)
            n_images += sum(1 for it in pg.items if it[1] == "image")
        except ReportError:
            raise
        except Exception as e:
            raise ReportError(f"the page cannot be read ({type(e).__name__}: {str(e)[:200]})", source,
                              f"page {i + 1}") from None
        finally:
            if page is not None:
                page.close()               # frees the page's parsed objects
        pages.append(pg)
    if n_chars == 0:
        if n_images:
            raise ReportError(f"this PDF has no text layer: it is a scan ({n} page(s) of images), so there is "
                              "no text to read; use a copy with a text layer (run OCR on it first) or the "
                              "report's web page", source)
        raise EmptyReportError("the PDF holds no text", source)
    if cid > n_chars * 0.3:
        raise ReportError("the PDF's fonts do not say which characters they draw (text extracts as "
                          "'(cid:…)'); use a copy with a text layer (run OCR on it) or the report's web page",
                          source)
    doc = _build(pages)
    if n_images >= n / 2 and len(re.sub(r"\s", "", doc.text)) < 50 * n:
        # Page furniture typed over scanned pages ("第1页", a header) is not a text layer.
        raise ReportError(f"this PDF is a scan ({n_images} image(s) on {n} page(s), and only "
                          f"{len(doc.text.strip())} characters of text): there is no report text to read; use a "
                          "copy with a text layer (run OCR on it first) or the report's web page", source)
    return doc


# -------------------------------------------------------------------------- streams, before pdfminer

_STREAM = rx.lazy(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJ = rx.lazy(rb"(\d{1,10})\s+(\d{1,5})\s+obj\b")
_FILTER = rx.lazy(rb"/Filter\s*(\[[^\]]{0,2000}\]|/[^\s/\[\]<>()]{1,127}|\d{1,10}\s+\d{1,5}\s+R)")
_LENGTH = rx.lazy(rb"/Length\s+(\d{1,10})(?!\d)(?!\s+\d+\s+R)")
_NAME = rx.lazy(rb"/([^\s/\[\]<>()]{1,127})")
_NAME_ESCAPE = rx.lazy(rb"#([0-9A-Fa-f]{2})")
_FILTER_NAMES = {"FlateDecode": "flate", "Fl": "flate", "ASCIIHexDecode": "hex", "AHx": "hex",
                 "ASCII85Decode": "a85", "A85": "a85", "LZWDecode": "lzw", "LZW": "lzw",
                 "RunLengthDecode": "rl", "RL": "rl"}
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = 1024 * 1024


class _Over(Exception):
    """The streams unpack past the budget."""


def check_streams(data: bytes, source: str, budget: int) -> int:
    """Refuse a PDF whose streams would unpack to more than ``budget`` bytes in all, before pdfminer
    (which inflates each stream whole, in memory) sees it. Each stream is decoded as pdfminer would
    (Flate, LZW, run-length, and the ASCII filters in front of them) in chunks, counting what the
    expanding filters give without keeping it; data that is not what its filter says is left to
    pdfminer, which fails on it the same way. Returns what is left of the budget; raises TooLargeError
    naming the object.

    A stream's data runs to its ``/Length`` when the dictionary states it, else to the end of the
    file (the other filters end at their own end marker); Flate data to the end of its deflate stream,
    whatever ``/Length`` says (so a wrong length hides nothing). The streams of an encrypted PDF are
    ciphered on disk: :func:`check_ciphered` measures them once pdfminer can decipher them."""
    left = budget
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 4096):m.start()]
        objs = list(_OBJ.finditer(head))
        head = head[objs[-1].end():] if objs else head
        start = m.end()
        length = _LENGTH.findall(head)
        end = min(len(data), start + int(length[-1])) if length else len(data)
        # The dictionary's filters; when none is found (a dictionary longer than the window, an "obj"
        # inside a string), what the data looks like decides, so no bomb hides behind a long one.
        filters = _filters(head, data) or _sniff(data[start:start + 64])
        try:
            left -= _decoded_size(data, start, end, filters, left)
        except _Over:
            left = -1
        if left < 0:
            named = list(_OBJ.finditer(data, max(0, m.start() - 65536), m.start()))
            obj = f"object {int(named[-1].group(1))} {int(named[-1].group(2))}" if named else f"the stream at byte {start}"
            raise _too_large(budget, source, obj)
    return left


def _linear_rc4(doc) -> None:
    """pdfminer's RC4 builds its output with ``+=``, which is quadratic: one 1 MB stream of an
    encrypted file takes about a minute. This document's security handler (only this instance)
    deciphers RC4 in linear time instead: the same key, the same bytes."""
    handler = getattr(doc.decipher, "__self__", None)
    old = getattr(handler, "decrypt_rc4", None)
    if old is None or not isinstance(getattr(handler, "key", None), bytes):
        return

    def decrypt_rc4(objid: int, genno: int, data: bytes) -> bytes:
        key = handler.key + objid.to_bytes(4, "little")[:3] + genno.to_bytes(4, "little")[:2]
        return rc4(hashlib.md5(key).digest()[:min(len(key), 16)], data)

    handler.decrypt_rc4 = decrypt_rc4
    cfm = getattr(handler, "cfm", None)          # V4 handlers look their method up in this table
    if isinstance(cfm, dict):
        for name, method in list(cfm.items()):
            if method == old:
                cfm[name] = decrypt_rc4


def rc4(key: bytes, data: bytes) -> bytes:
    """RC4 (the cipher of PDF's standard security handler, revisions 2 and 3)."""
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    out = bytearray(len(data))
    i = j = 0
    for n, c in enumerate(data):
        i = (i + 1) & 255
        si = s[i]
        j = (j + si) & 255
        sj = s[j]
        s[i], s[j] = sj, si
        out[n] = c ^ s[(si + sj) & 255]
    return bytes(out)


def _too_large(budget: int, source: str, obj: str) -> TooLargeError:
    return TooLargeError(f"the PDF's compressed streams unpack to more than {budget:,} bytes (a decompression "
                         "bomb, or a file of uncompressed images)", source, obj)


def check_ciphered(doc, source: str, budget: int) -> None:
    """:func:`check_streams` for an encrypted PDF that opened (an empty user password, as on
    "copy-protected" reports): every stream object pdfminer's cross-reference table lists, deciphered
    and measured the same way, its /Length and filters as pdfminer resolves them. The object streams
    are measured, never unpacked to reach the objects inside (a stream object cannot be inside one)."""
    from pdfminer.pdftypes import PDFStream
    left, seen = budget, set()
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            if objid in seen:
                continue
            seen.add(objid)
            try:
                if xref.get_pos(objid)[0] is not None:
                    continue                    # inside an object stream
                obj = doc.getobj(objid)
            except Exception:                   # noqa: BLE001 - left to pdfminer to report, if it needs it
                continue
            if not isinstance(obj, PDFStream) or obj.rawdata is None:
                continue
            raw = obj.rawdata
            if obj.decipher is not None:
                raw = obj.decipher(obj.objid, obj.genno, raw, obj.attrs)
            filters = [_FILTER_NAMES.get(getattr(f, "name", None), "other") for f, _ in obj.get_filters()]
            try:
                left -= _decoded_size(raw, 0, len(raw), filters, left) if filters else 0
            except _Over:
                left = -1
            if left < 0:
                raise _too_large(budget, source, f"object {objid} {obj.genno or 0}")


def _names(text: bytes) -> list[str]:
    return [_NAME_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), n).decode("latin-1")
            for n in _NAME.findall(text)]


def _filters(head: bytes, data: bytes) -> list[str]:
    """The stream's filters, from the last /Filter of its dictionary (an indirect one looked up once)."""
    found = _FILTER.findall(head)
    if not found:
        return []
    spec_ = found[-1]
    if spec_.endswith(b"R"):
        num, gen = spec_.split()[:2]
        target = re.search(rb"(?<!\d)" + num + rb"\s+" + gen + rb"\s+obj\b(.{0,2000}?)endobj", data, re.S)
        spec_ = target.group(1) if target else b""
    return [_FILTER_NAMES.get(n, "other") for n in _names(spec_)]


def _sniff(head: bytes) -> list[str]:
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] * 256 + head[1]) % 31 == 0:
        return ["flate"]
    if re.match(rb"\s*[0-9A-Fa-f]{2}(?:\s*[0-9A-Fa-f]){6}", head):
        return ["hex", "flate"]
    if re.match(rb"\s*(?:<~)?[!-uz]{16}", head):
        return ["a85", "flate"]
    if head[:1] == b"\x80":
        return ["lzw"]
    return []


def _decoded_size(data: bytes, start: int, end: int, filters: list[str], left: int) -> int:
    """Bytes the expanding filters of the stream at ``start`` give (stopping past ``left``)."""
    size = 0
    # Flate reads to the end of its deflate data (the file's end at most); the others their extent.
    cur: bytes | memoryview = memoryview(data)[start:] if filters[:1] == ["flate"] else data[start:end]
    for k, f in enumerate(filters):
        keep = k + 1 < len(filters) and filters[k + 1] != "other"
        if f == "flate":
            cur, size = _inflate(cur, left, keep)
        elif f == "hex":            # shrinks: not counted
            stop = bytes(cur).find(b">")
            raw = re.sub(rb"[^0-9A-Fa-f]", b"", bytes(cur[:stop] if stop >= 0 else cur))
            cur = bytes.fromhex((raw + b"0" * (len(raw) % 2)).decode())
        elif f == "a85":            # at most 4 bytes for 5 characters (or for a "z"): bounded by the file
            chunk = bytes(cur)
            stop = chunk.find(b"~>")
            chunk = chunk[2 if chunk.lstrip().startswith(b"<~") else 0:stop if stop >= 0 else None].strip()
            try:
                cur = base64.a85decode(chunk.lstrip(b"<~"), ignorechars=b" \t\n\r\x0b\x0c")
            except ValueError:
                return size
        elif f == "lzw":
            return size + _lzw_size(cur, left)
        elif f == "rl":
            return size + _rl_size(cur, left)
        else:
            return size
        if size > left:
            raise _Over
    return size


def _inflate(data, left: int, keep: bool) -> tuple[bytes, int]:
    """Inflate ``data`` (zlib, as pdfminer does) up to the end of its deflate stream, in chunks; the
    output is kept only when another filter follows."""
    d = zlib.decompressobj()
    out, size, pos, buf = [], 0, 0, b""
    try:
        while not d.eof:
            if not buf:
                buf = data[pos:pos + _IN_CHUNK]
                pos += len(buf)
                if not buf:
                    break
            piece = d.decompress(buf, _OUT_CHUNK)
            buf = d.unconsumed_tail
            size += len(piece)
            if size > left:
                raise _Over
            if keep:
                out.append(piece)
    except zlib.error:
        pass            # pdfminer gives up on the same bytes (or keeps less)
    return b"".join(out), size


def _rl_size(data, left: int) -> int:
    """RunLengthDecode's output size: a length byte n < 128 copies n + 1 bytes, n > 128 repeats one
    byte 257 - n times, 128 ends the data."""
    size, i, n = 0, 0, len(data)
    while i < n:
        b = data[i]
        if b == 128:
            break
        size += b + 1 if b < 128 else 257 - b
        i += b + 2 if b < 128 else 2
        if size > left:
            raise _Over
    return size


def _lzw_size(data, left: int) -> int:
    """LZWDecode's output size, from the lengths of its table entries (the strings are not built):
    codes of 9 to 12 bits, 256 clears the table, 257 ends the data (early change, as pdfminer)."""
    size, bits, nbits, acc = 0, 9, 0, 0
    lengths = [1] * 256 + [0, 0]
    prev = None
    for byte in data:
        acc = (acc << 8) | byte
        nbits += 8
        while nbits >= bits:
            nbits -= bits
            code = (acc >> nbits) & ((1 << bits) - 1)
            acc &= (1 << nbits) - 1
            if code == 256:
                lengths, bits, prev = lengths[:258], 9, None
                continue
            if code == 257:
                return size
            n = lengths[code] if code < len(lengths) else (lengths[prev] + 1 if prev is not None else 1)
            if prev is not None and len(lengths) < 4096:
                lengths.append(lengths[prev] + 1)
            size += n
            if size > left:
                raise _Over
            prev = code
            if len(lengths) >= (1 << bits) - 1 and bits < 12:
                bits += 1
    return size


def _open_error(e: Exception, source: str) -> ReportError:
    chain = [e]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
        if len(chain) > 8:
            break
    names = " ".join(type(x).__name__ for x in chain) + " " + " ".join(str(x) for x in chain)
    if "Password" in names or "Encrypt" in names or "decrypt" in names.lower():
        return ReportError("the PDF is encrypted and needs a password to open; save an unprotected copy "
                           "(or print it to a new PDF) and load that", source)
    return ReportError(f"not a readable PDF ({type(e).__name__}: {str(e)[:200]}); the file is damaged or "
                       "incomplete: download it again", source)


# -------------------------------------------------------------------------------------------- one page

def _visible(color) -> bool:
    """Whether a stroke or fill colour shows on white paper (gray, RGB or CMYK tuples; None is black)."""
    if color is None or isinstance(color, str):
        return True
    try:
        vals = [float(v) for v in color]
    except (TypeError, ValueError):
        return True
    if len(vals) == 1:
        return vals[0] < 0.9
    if len(vals) == 3:
        return min(vals) < 0.9
    if len(vals) == 4:
        return max(vals) > 0.1
    return True


def _is_rule(obj) -> bool:
    t = obj.get("object_type")
    if t in ("line", "curve"):       # a grid may be drawn as one path: its straight pieces count
        return bool(obj.get("stroke", True)) and _visible(obj.get("stroking_color"))
    if t == "rect":
        if obj.get("stroke") and _visible(obj.get("stroking_color")):
            return True
        thin = min(obj["width"], obj["height"]) <= 2.0
        return bool(obj.get("fill")) and thin and _visible(obj.get("non_stroking_color"))
    return False


def _median(values) -> float:
    # statistics.median, without importing statistics (and fractions, random) on every start
    v = sorted(values)
    n = len(v)
    if not n:
        raise ValueError("no values")
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _mode(values):
    # statistics.mode: the most common value, the first seen on a tie
    counts: dict = {}
    for x in values:
        counts[x] = counts.get(x, 0) + 1
    if not counts:
        raise ValueError("no values")
    return max(counts, key=counts.get)


def _clusters(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(bounds: list[float], v: float, tol: float) -> int:
    """The boundary at or left of (above) ``v``."""
    k = bisect_right(bounds, v + tol) - 1
    return max(k, 0)


def _slot(bounds: list[float], v: float) -> int:
    """The column (row) between two boundaries that ``v`` falls in."""
    return min(_index(bounds, v, 0.0), len(bounds) - 2)


def _line_text(chars: list[dict], latin_gap: float = 0.15) -> str:
    """One line of characters, left to right: a space where Latin words or numbers stand apart (by
    ``latin_gap`` of the character size), or where any two characters are more than a character's width
    apart."""
    out: list[str] = []
    prev = None
    for ch in chars:
        t = ch["text"]
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = max(prev.get("size", 10) or 10, ch.get("size", 10) or 10)
            latin = prev["text"][-1:].isascii() and t[:1].isascii()
            if gap > (latin_gap if latin else 1.0) * size and out and not out[-1].endswith(" "):
                out.append(" ")
        if t.isspace():
            if out and not out[-1].endswith(" "):
                out.append(" ")
        else:
            out.append(t)
        prev = ch
    return "".join(out).strip()


def _group_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines by their vertical centre, each line left to right."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    lines: list[list[dict]] = []
    cur: list[dict] = []
    cy = None
    for c in chars:
        y = (c["top"] + c["bottom"]) / 2
        size = c.get("size") or (c["bottom"] - c["top"]) or 10
        if cur and abs(y - cy) > 0.45 * size:
            lines.append(sorted(cur, key=lambda c: c["x0"]))
            cur = []
        if not cur:
            cy = y
        cur.append(c)
    if cur:
        lines.append(sorted(cur, key=lambda c: c["x0"]))
    return lines


def _make_line(chars: list[dict]) -> _Line | None:
    text = _line_text(chars)
    if not text:
        return None
    ink = [c for c in chars if c["text"].strip()]
    sizes = [c.get("size") or 10 for c in ink] or [10]
    return _Line(text, min(c["x0"] for c in ink), max(c["x1"] for c in ink), min(c["top"] for c in ink),
                 max(c["bottom"] for c in ink), _median(sizes))


def _table_from(t, chars: list[dict]) -> tuple[_Table | None, set[int]]:
    """A table found by pdfplumber as a grid of cells with spans, and the ids of the characters it took."""
    boxes = [c for c in t.cells if c is not None]
    if len(boxes) < 2:
        return None, set()
    xs = _clusters([v for b in boxes for v in (b[0], b[2])], 2.0)
    ys = _clusters([v for b in boxes for v in (b[1], b[3])], 2.0)
    if len(xs) < 3 or len(ys) < 3:           # fewer than two columns or two rows: a box, not a table
        return None, set()
    slots: dict[tuple[int, int], int] = {}
    spans = []
    for k, (x0, top, x1, bottom) in enumerate(boxes):
        c0, c1 = _index(xs, x0, 2.0), _index(xs, x1, 2.0)
        r0, r1 = _index(ys, top, 2.0), _index(ys, bottom, 2.0)
        if c1 <= c0 or r1 <= r0:
            spans.append(None)
            continue
        spans.append((r0, c0, r1 - r0, c1 - c0))
        for r in range(r0, r1):
            for c in range(c0, c1):
                slots.setdefault((r, c), k)
    x_lo, top_lo, x_hi, bottom_hi = t.bbox
    taken: set[int] = set()
    content: dict[int, list[dict]] = {}
    stray: dict[tuple[int, int], list[dict]] = {}
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (x_lo <= cx <= x_hi and top_lo <= cy <= bottom_hi):
            continue
        taken.add(id(ch))
        slot = (_slot(ys, cy), _slot(xs, cx))
        k = slots.get(slot)
        if k is not None:
            content.setdefault(k, []).append(ch)
        else:
            stray.setdefault(slot, []).append(ch)
    # Text in no cell: a merged cell whose border the page break cut (a group label continued on the
    # next page has no top line). In each column, the stray text falls in blocks (a label of one or more
    # lines); each block is a cell over the rows it covers.
    by_col: dict[int, list[dict]] = {}
    for (r, c), chs in stray.items():
        by_col.setdefault(c, []).extend(chs)
    for c, chs in by_col.items():
        chs.sort(key=lambda ch: ch["top"])
        blocks = [[chs[0]]]
        for ch in chs[1:]:
            size = ch.get("size") or 10
            if ch["top"] - max(x["bottom"] for x in blocks[-1]) > 0.8 * size:
                blocks.append([])
            blocks[-1].append(ch)
        for block in blocks:
            r0 = _slot(ys, min((x["top"] + x["bottom"]) / 2 for x in block))
            r1 = _slot(ys, max((x["top"] + x["bottom"]) / 2 for x in block)) + 1
            k = len(boxes)
            boxes.append((xs[c], ys[r0], xs[c + 1], ys[r1]))
            spans.append((r0, c, r1 - r0, 1))
            content[k] = block
    cells = []
    for k, sp in enumerate(spans):
        if sp is None:
            continue
        r0, c0, rs, cs = sp
        cells.append(GridCell(_cell_text(content.get(k, []), boxes[k][0], boxes[k][2]), r0, c0, rs, cs))
    return _Table(cells, len(ys) - 1, len(xs) - 1, top_lo, bottom_hi, xs), taken


def _cell_text(chars: list[dict], left: float, right: float) -> str:
    """A cell's characters as one line of text. In a cell only a wide gap parts two numbers: digits
    spread to fill the cell are one number, two numbers in one cell (a ruling line missing) stand a
    column apart. A number too wide for its cell (its first line fills the cell from edge to edge) is
    one number, wrapped."""
    pieces: list[str] = []
    prev_full = False
    for line in _group_lines(chars):
        text = _line_text(line, 0.5)
        if not text:
            continue
        size = max(c.get("size") or 10 for c in line)
        if prev_full and pieces and pieces[-1].isdigit() and text.isdigit():
            pieces[-1] += text
        else:
            pieces.append(text)
        prev_full = (len(text) >= 2 and min(c["x0"] for c in line) <= left + 0.8 * size
                     and max(c["x1"] for c in line) >= right - 0.8 * size)
    return join_pieces(pieces)


def _closing_lines(ruled) -> list[dict]:
    """Horizontal lines that close a grid left open: where two or more vertical rules end at the same
    height with no horizontal rule there (a last row drawn without its bottom border, the top of a
    table continued on a new page), a line between them, so the cells there are found."""
    edges = ruled.edges
    v = [e for e in edges if e.get("orientation") == "v"]
    h = [e for e in edges if e.get("orientation") == "h"]
    if len(v) * len(h) > 400_000:
        return []
    open_ends: dict[int, list[float]] = {}
    for e in v:
        for y in (e["top"], e["bottom"]):
            x = e["x0"]
            if not any(abs(g["top"] - y) <= 3 and g["x0"] - 3 <= x <= g["x1"] + 3 for g in h):
                open_ends.setdefault(round(y / 3), []).append(x)
    out = []
    for key, xs in open_ends.items():
        if len(xs) >= 2 and max(xs) - min(xs) > 10:
            y = key * 3
            out.append({"x0": min(xs), "x1": max(xs), "top": y, "bottom": y, "width": max(xs) - min(xs),
                        "height": 0, "object_type": "line"})
    return out


def _read_page(page, number: int) -> _Page:
    pg = _Page(number)
    page = page.dedupe_chars(tolerance=1)
    chars = [c for c in page.chars if c["text"]]
    rules = page.filter(_is_rule)
    n_rules = len(rules.lines) + len(rules.rects) + len(rules.curves)
    tables: list[_Table] = []
    taken: set[int] = set()
    if 0 < n_rules <= MAX_RULES_PER_PAGE:
        ruled = page.filter(lambda o: o.get("object_type") == "char" or _is_rule(o))
        settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                    "explicit_horizontal_lines": _closing_lines(ruled)}
        for t in ruled.find_tables(settings):
            tab, took = _table_from(t, [c for c in chars if id(c) not in taken])
            if tab is not None:
                tables.append(tab)
                taken |= took
    for tab in tables:
        pg.items.append((tab.top, "table", tab))
    for line_chars in _group_lines([c for c in chars if id(c) not in taken]):
        line = _make_line(line_chars)
        if line is not None:
            pg.items.append((line.top, "line", line))
    for im in page.images:
        if im["width"] >= _MIN_IMAGE and im["height"] >= _MIN_IMAGE:
            pg.items.append((im["top"], "image", f"page {number}"))
    pg.items.sort(key=lambda it: (it[0], it[1] != "table"))
    pg.height = float(page.height)
    return pg


# -------------------------------------------------------------------------------------------- the document

def _chrome(pages: list[_Page]) -> set[int]:
    """ids of the page-number lines and running headers/footers: first or last lines of a page, in its top
    or bottom eighth, that are a page number or repeat (digits aside) on several pages."""
    edge: list[tuple[_Page, _Line]] = []
    for pg in pages:
        lines = [it for it in pg.items if it[1] != "image"]
        for it in lines[:2] + lines[-2:]:
            if it[1] != "line":
                continue
            ln = it[2]
            if ln.top < pg.height * 0.125 or ln.bottom > pg.height * 0.875:
                edge.append((pg, ln))
    out = {id(ln) for _, ln in edge if _PAGE_NUMBER.fullmatch(fold(ln.text))}
    if len(pages) >= 2:
        # The same words (page numbers aside) at the same height of several pages.
        key = lambda ln: (re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text)), round(ln.top / 6))
        seen: dict[tuple, set[int]] = {}
        for pg, ln in edge:
            seen.setdefault(key(ln), set()).add(pg.number)
        for pg, ln in edge:
            if len(seen[key(ln)]) >= max(2, len(pages) * 0.4):
                out.add(id(ln))
    return out


def _continued(a: _Table, b: _Table) -> bool:
    """Whether ``b`` can continue ``a``: the same outer edges (a part may lack a column boundary that
    no row of it uses, such as the split of the label area under a header)."""
    if a.xs is None or b.xs is None:
        return a.n_cols == b.n_cols
    return abs(a.xs[0] - b.xs[0]) <= 4 and abs(a.xs[-1] - b.xs[-1]) <= 4


def _regrid(t: _Table, xs: list[float]) -> _Table:
    """``t`` with its cells placed on the column boundaries ``xs`` (a superset of its own, near enough)."""
    if t.xs is None:
        return t
    near = lambda x: min(range(len(xs)), key=lambda i: abs(xs[i] - x))
    cells = []
    for c in t.cells:
        c0, c1 = near(t.xs[c.col]), near(t.xs[min(c.col + c.colspan, len(t.xs) - 1)])
        cells.append(GridCell(c.text, c.row, c0, c.rowspan, max(1, c1 - c0)))
    return _Table(cells, t.n_rows, len(xs) - 1, t.top, t.bottom, xs)


def _stitch(a: _Table, b: _Table) -> _Table:
    """Table ``b`` (top of a page) continues table ``a`` (bottom of the page before). A row cut by the
    break (its label on one page, its numbers or the rest of its label on the next) is one row again."""
    if a.xs is not None and b.xs is not None:
        xs = _clusters(a.xs + b.xs, 4.0)
        a, b = _regrid(a, xs), _regrid(b, xs)
    last = [c for c in a.cells if c.row + c.rowspan == a.n_rows and c.row == a.n_rows - 1]
    # An empty cell at the top of the new page under no cell of the torn row continues a merged cell
    # from above (a group label): it is not part of the row.
    a_cols = {c.col for c in last}
    first = [c for c in b.cells if c.row == 0 and (c.col in a_cols or c.text.strip())]
    shape = lambda cells: sorted((c.col, c.colspan) for c in cells)
    is_value = lambda c: _kind(fold(c.text).strip()) in ("num", "mark")
    values = lambda cells: any(is_value(c) for c in cells)
    words = lambda cells: any(_kind(fold(c.text).strip()) == "label" for c in cells)
    torn = (last and shape(last) == shape(first)
            and ((words(last) and not values(last) and values(first))
                 or (values(last) and words(first) and not values(first))))
    if torn:
        # The two halves fill different cells: where one has a number the other is empty (a header row
        # repeated on the new page has words over the numbers, and is no continuation).
        below = {c.col: c for c in first}
        torn = all(not ((is_value(c) and below[c.col].text.strip()) or (is_value(below[c.col]) and c.text.strip()))
                   for c in last)
    cells = list(a.cells)
    shift = a.n_rows
    if torn:
        shift = a.n_rows - 1
        by_col = {c.col: c for c in last}
        cells = [c for c in cells if not (c.row == a.n_rows - 1 and c.rowspan == 1)]
        for c in first:
            top = by_col[c.col]
            cells.append(GridCell(join_pieces([top.text, c.text]), shift, c.col, c.rowspan, c.colspan))
        rest = [c for c in b.cells if c.row > 0 or (c.rowspan > 1 and c not in first)]
    else:
        rest = b.cells
    for c in rest:
        cells.append(GridCell(c.text, c.row + shift, c.col, c.rowspan, c.colspan))
    return _Table(cells, shift + b.n_rows, a.n_cols, a.top, b.bottom, a.xs)


def _margins(lines: list[_Line]) -> tuple[float, float] | None:
    """The body's left and right margins: where most lines start and end."""
    if len(lines) < 4:
        return None
    left = _mode(round(ln.x0) for ln in lines)
    right = _mode(round(ln.x1) for ln in lines)
    return float(left), float(right)


def _pitch(items) -> dict[int, float]:
    """Per font size, the distance from one line to the next inside a paragraph: the smallest one seen
    (space between paragraphs only adds to it)."""
    out: dict[int, float] = {}
    for a, b in zip(items, items[1:]):
        if a[1] == b[1] == "line" and a[0] == b[0] and round(a[2].size) == round(b[2].size):
            d = b[2].top - a[2].top
            if d >= 0.8 * a[2].size:
                k = round(a[2].size)
                out[k] = min(out.get(k, d), d)
    return out


def _continues(prev: _Line, nxt: _Line, margins, pitch: dict[int, float], same_page: bool) -> bool:
    """Whether ``nxt`` is the same paragraph as ``prev``, wrapped at the right margin."""
    if margins is None:
        return False
    usual = pitch.get(round(prev.size))
    if same_page and usual is not None and nxt.top - prev.top > usual * 1.3:
        return False        # space between paragraphs
    left, right = margins
    size = max(prev.size, nxt.size)
    return (prev.x1 >= right - 1.5 * size and abs(nxt.x0 - left) <= 0.5 * size
            and abs(prev.size - nxt.size) <= 1.0 and not prev.text.endswith(_SENTENCE_END)
            and not _HEADING.match(fold(nxt.text)))


def _build(pages: list[_Page]) -> ReadDoc:
    chrome = _chrome(pages)
    items = []
    for pg in pages:
        for it in pg.items:
            if it[1] == "line" and id(it[2]) in chrome:
                continue
            items.append((pg.number, it[1], it[2]))
    # Tables cut by a page break: the last thing on a page and the first on the next, same width.
    merged = []
    for it in items:
        if (it[1] == "table" and merged and merged[-1][1] == "table" and merged[-1][0] == it[0] - 1
                and _continued(merged[-1][2], it[2])):
            merged[-1] = (it[0], "table", _stitch(merged[-1][2], it[2]))
        else:
            merged.append(it)
    margins = _margins([it[2] for it in merged if it[1] == "line"])
    pitch = _pitch(merged)
    out = TextBuilder()
    para: list[str] = []
    prev: _Line | None = None
    prev_page = 0
    for page_number, kind, payload in merged:
        if kind == "line":
            if prev is not None and _continues(prev, payload, margins, pitch, page_number == prev_page):
                para.append(payload.text)
            else:
                if para:
                    out.line(join_pieces(para))
                para = [payload.text]
            prev, prev_page = payload, page_number
            continue
        if para:
            out.line(join_pieces(para))
        para, prev = [], None
        if kind == "table":
            t = payload
            out.table(t.cells)
        else:
            out.asset("img", payload)
    if para:
        out.line(join_pieces(para))
    return out.doc()


__all__ = ["read_pdf", "check_streams", "check_ciphered", "MAX_PAGES", "MAX_CHARS_PER_PAGE", "MAX_RULES_PER_PAGE", "MAX_SECONDS",
           "INFLATE_FLOOR", "INFLATE_RATIO"]

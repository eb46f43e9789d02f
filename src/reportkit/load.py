"""Load a report from plain text, an HTML page, a PDF or Word (.docx) file, reportkit's structured
YAML/JSON or an exported workbook: the one entry point, which picks the reader (:mod:`reportkit.readers`)
and parses what it returns.

``load(path)`` decodes the bytes (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK), picks the
reader from the content, cuts the text into sections, reads the three tables and collects the numbers
stated in prose. Anything that cannot be a report raises a :class:`~reportkit.errors.ReportError`
naming the file and the place; anything that is a report, however broken, loads, and what is wrong
with it is left for :func:`reportkit.check` to report.
"""

from __future__ import annotations

import codecs
import os
from operator import attrgetter
import re
import stat
from pathlib import Path

from . import rx
from .errors import EmptyReportError, EncodingError, NotAReportError, ReportError, StructuredDataError, TooLargeError
from .facts import MAX_FACTS, extract_facts
from .format import TABLE_IDS, spec
from .layout import render_text
from .lexicon import AGENCY_SUFFIX, GENERIC_AGENCY, STAT_PERIOD
from .model import Report
from .readers import html as htmlmod, structured
from .readers.docx import read_docx
from .readers.pdf import read_pdf
from .readers.xlsx import read_xlsx
from .sections import split_sections
from .tables import detect_version, read_table, settle_splits
from .text import Folded, width_fold

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Largest input accepted by default (10 MiB); real reports are under 200 KB. Override with
``load(..., max_bytes=)`` or the environment variable ``REPORTKIT_MAX_BYTES``."""


def _max_bytes(value: int | None) -> int:
    if value is not None:
        return value
    env = os.environ.get("REPORTKIT_MAX_BYTES", "").strip()
    # str.isdigit() accepts "²" and other digits int() refuses; a limit beyond any disk is only a
    # very large limit, not a reason to fail.
    if env and env.isascii() and env.isdigit() and len(env) <= 18:
        return int(env)
    return DEFAULT_MAX_BYTES


_CONTROL = rx.lazy(r"[\x00-\x08\x0b\x0e-\x1f]")
# Control characters other than tab, line feed and carriage return, and the private use area: what a
# wrong decoding produces. CJK: what a right one does.
_ODD_RUN = rx.lazy(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff]+")
_CJK_RUN = rx.lazy(r"[\u4e00-\u9fff]+")


_META_CHARSET = rx.lazy(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_-]{2,20})""", re.I)
_CHINESE_CHARSETS = {b"gbk", b"gb2312", b"gb18030", b"x-gbk", b"cp936", b"euc-cn", b"hz-gb-2312"}


def _declared_chinese(data: bytes) -> bool:
    """The page declares a GB charset in a ``<meta>`` tag of its head (or an XML declaration)."""
    head = data[:8192]
    m = _META_CHARSET.search(head) or re.search(rb"""<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_-]+)""", head)
    return bool(m) and m.group(1).lower() in _CHINESE_CHARSETS


def decode(data: bytes, source: str = "<bytes>") -> str:
    """Bytes to text. Raises EmptyReportError / EncodingError with the file and byte offset."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise EmptyReportError("the file is empty", source)
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise EncodingError(f"not valid UTF-16 although it starts with a UTF-16 mark ({e.reason})",
                                source, f"byte {e.start}") from None
    nul = data.find(b"\x00")
    if nul >= 0 and data.count(b"\x00") > max(2, len(data) // 100):
        raise EncodingError("this is a binary file, not text (it holds NUL bytes)", source, f"byte {nul}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_err:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise EncodingError(
                f"not UTF-8 and not GB18030/GBK text ({utf8_err.reason} at byte {utf8_err.start}); "
                "save the file as UTF-8 and try again", source, f"byte {utf8_err.start}") from None
        # GB18030 decodes many byte strings; accept it when the page declares a Chinese charset, else
        # only when the result reads like Chinese text. The share is counted over the characters that
        # are not ASCII: a real page is mostly markup, which says nothing about the encoding.
        # (Counted in C: runs of each kind, and the ASCII characters an encoding keeps.)
        odd = sum(map(len, _ODD_RUN.findall(text)))
        cjk = sum(map(len, _CJK_RUN.findall(text)))
        wide = len(text) - len(text.encode("ascii", "ignore"))
        declared = _declared_chinese(data)
        if odd > len(text) * 0.01 or (not declared and cjk < wide * 0.6):
            raise EncodingError(
                f"not UTF-8 ({utf8_err.reason} at byte {utf8_err.start}) and not readable as GB18030 either",
                source, f"byte {utf8_err.start}") from None
    ctrl = len(_CONTROL.findall(text, 0, 20000))
    if ctrl > max(8, len(text[:20000]) // 20):
        raise EncodingError("this looks like a binary file: too many control characters", source)
    return text


def load(path, *, max_bytes: int | None = None) -> Report:
    """Load one report from ``path`` (.txt, .html/.htm, .pdf, .docx, .yaml/.yml or .json; content decides
    when the suffix says nothing). Raises ReportError (or a subclass) for input that is not a usable report."""
    p = Path(os.fsdecode(path) if isinstance(path, bytes) else path)
    source = display_path(path)
    try:
        st = p.stat()
        size = st.st_size
    except FileNotFoundError:
        raise ReportError("no such file", source) from None
    except OSError as e:
        raise ReportError(f"cannot read the file ({e.strerror})", source) from None
    except ValueError:              # a path holding a NUL character
        raise ReportError("not a usable file name", source) from None
    if stat.S_ISDIR(st.st_mode):
        raise ReportError("this is a folder; use reportkit.corpus for many reports", source)
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or a terminal blocks open() or read() forever; a device never ends.
        raise ReportError("not a regular file (a pipe, device or socket); save the report to a file first", source)
    limit = _max_bytes(max_bytes)
    too_large = ("over the limit of {limit:,} bytes (set max_bytes or REPORTKIT_MAX_BYTES to raise it)")
    if size > limit:
        raise TooLargeError(f"the file is {size:,} bytes, " + too_large.format(limit=limit), source)
    try:
        return _load_file(p, source, limit, too_large)
    except ReportError:
        raise
    except RecursionError:
        raise ReportError("nested too deeply to be read", source) from None
    except MemoryError:
        raise TooLargeError("the file needs more memory than is available to read", source) from None
    except Exception as e:     # noqa: BLE001 - a failure of a library beneath a reader, never a traceback
        err = ReportError(f"cannot be read ({type(e).__name__}: {_one_line(e)})", source)
        # Raised by reportkit's own code rather than a library beneath it: a bug, which the fuzz tests
        # look for (the user still gets one line).
        err.internal = _raised_in_package(e)
        raise err from None


_PACKAGE = str(Path(__file__).resolve().parent)


def _raised_in_package(e: BaseException) -> bool:
    tb, last = e.__traceback__, ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last.startswith(_PACKAGE)


def _one_line(e: BaseException) -> str:
    msg = " ".join(str(e).split())
    return msg[:200] + ("…" if len(msg) > 200 else "") or "no detail"


def display_path(path, *, gb18030: bool = False) -> str:
    """A file name (or a message holding one) as text that can be printed and written anywhere: a name
    whose bytes are not UTF-8 (a GBK name from an unzipped archive) keeps its undecodable bytes as
    ``\\xNN``, reversibly. With ``gb18030`` such a name is first read as GB18030, the usual encoding of
    Chinese archives: readable, for tables that keep the exact bytes beside it (the corpus's
    ``source_bytes``)."""
    s = os.fspath(path)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(s)
        s = raw.decode("utf-8", "backslashreplace")
        if gb18030:
            try:
                s = raw.decode("gb18030")
            except UnicodeDecodeError:
                pass                        # not GB18030 either: the bytes as \xNN
    # A line break or an escape sequence in a name would break the one-line message or the terminal.
    return _NAME_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


_NAME_CONTROL = rx.lazy(r"[\x00-\x1f\x7f]")


def _load_file(p: Path, source: str, limit: int, too_large: str) -> Report:
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        # Workbooks written by reportkit.export (the official layout) read back to a report.
        return load_xlsx(p, source)
    try:
        # Read at most limit + 1 bytes: a file may grow after stat().
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise ReportError(f"cannot read the file ({e.strerror})", source) from None
    if len(data) > limit:
        raise TooLargeError("the file is " + too_large.format(limit=limit), source)
    if suffix in _BINARY or suffix in _REFUSED or (suffix != ".txt" and data[:5] == b"%PDF-"):
        return _parse_binary(data, source, suffix)
    if suffix in (".yaml", ".yml", ".json"):
        return from_structured(decode(data, source), source, json_=suffix == ".json")
    text = decode(data, source)
    if suffix in (".html", ".htm", ".shtml", ".xhtml") or (suffix not in (".txt",) and htmlmod.looks_like_html(text)):
        return parse_html(text, source)
    return parse_text(text, source)


_BINARY = (".pdf", ".docx")
_REFUSED = {".doc": "a Word 97-2003 document (.doc)", ".wps": "a WPS document (.wps)"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _parse_binary(data: bytes, source: str, suffix: str) -> Report:
    """PDF and Word files; a .doc/.wps that is really a .docx, a PDF or a web page (sites often serve
    one under the other's name) is read as what it is, and only the old binary formats are refused."""
    if data.lstrip()[:5] == b"%PDF-":
        doc, kind = read_pdf(data, source), "pdf"
    elif suffix == ".pdf":
        raise ReportError("not a PDF file (it does not start with %PDF-)", source, "byte 0")
    elif suffix == ".docx" or data[:4] == b"PK\x03\x04":
        doc, kind = read_docx(data, source), "docx"
    elif data[:8] == _OLE2 or data[:5] == b"{\\rtf":
        what = _REFUSED.get(suffix, "an old binary Office document") if data[:8] == _OLE2 else "an RTF document"
        raise ReportError(f"this is {what}, which reportkit does not read: open it in Word or WPS and "
                          "save it as .docx or PDF (另存为 .docx 或 PDF), then load that file", source)
    else:
        text = decode(data, source)
        return parse_html(text, source) if htmlmod.looks_like_html(text) else parse_text(text, source)
    if not doc.text.strip():
        raise EmptyReportError(f"the {kind.upper()} file holds no text", source)
    return _parse(doc.text, source, kind, grids=doc.grids, html_title=doc.title, assets=doc.assets)


def loads(text: str, source: str = "<string>", kind: str = "text") -> Report:
    """Parse a report held in a string: ``kind`` is "text" or "html"."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        # Lone surrogates cannot be written to any file or export; bytes read by load() never hold them.
        raise EncodingError(f"the text holds a lone surrogate code point at character {e.start}", source) from None
    if size > _max_bytes(None):
        raise TooLargeError("the text is over the size limit", source)
    if not text.strip():
        raise EmptyReportError("the text is empty", source)
    return parse_html(text, source) if kind == "html" else parse_text(text, source)


def from_structured(text: str, source: str, json_: bool = False) -> Report:
    """A report from reportkit's structured YAML/JSON: the full form as it is, the authored form
    printed (official headings, the tables in its ``layout``) and read like any page."""
    data = structured.parse(text, source, json_)
    if structured.is_full_form(data):
        return structured.from_dict(data, source)
    return from_authored(data, source)


def from_authored(data: dict, source: str) -> Report:
    structured.check_authored(data, source)
    layout = data.get("layout") or "pipe"
    try:
        text = render_text(data, layout=layout)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise StructuredDataError(f"cannot build the report: {e}", source) from None
    # The html layout writes a page, which is read as one (as text it would keep every tag).
    rep = parse_html(text, source) if layout == "html" else parse_text(text, source)
    rep.kind = "structured"
    # What the file states about itself stands (the printed title is only read back from the page).
    if data.get("title"):
        rep.title = str(data["title"])
    if data.get("agency"):
        rep.agency = str(data["agency"])
    year = data.get("year")
    if isinstance(year, int) or (isinstance(year, str) and year.isdigit()):
        rep.year = int(year)
    # An export's record of where each value came from: untouched derived cells are derived again.
    recorded = data.get("reconstruction")
    structured.restore_provenance(rep, recorded.get("cells") if isinstance(recorded, dict) else None)
    return rep


def load_xlsx(path, source: str | None = None) -> Report:
    """A workbook written by :func:`reportkit.export` (``fmt="xlsx"``) read back to a report."""
    source = source or display_path(path)
    data = read_xlsx(path, source, max_chars=_max_bytes(None))
    rep = from_authored({**data, "layout": "html"}, source)
    if rep.format_version is None:
        # No table was printed (nothing known): keep what the source report said about its format.
        rep.format_version = data["report_format"]
    rep.notes.extend(data["notes"])
    return rep


def parse_html(markup: str, source: str) -> Report:
    doc = htmlmod.flatten(markup)
    if not doc.text.strip():
        raise EmptyReportError("the HTML page has no text", source)
    return _parse(doc.text, source, "html", grids=doc.grids, html_title=doc.title, assets=doc.assets)


def parse_text(text: str, source: str) -> Report:
    return _parse(text, source, "text")


# The text the loader parsed last and its width fold (text.width_fold), which Folded computes on the
# way: checking a report folds the same text again right after loading it (see width_folded).
_last_fold: tuple[str, str] | None = None


def width_folded(text: str) -> str:
    """``text.width_fold(text)``, taken from the loader's own folding when ``text`` is the very string it
    parsed last (a corpus run checks each report right after loading it)."""
    last = _last_fold
    if last is not None and last[0] is text:
        return last[1]
    return width_fold(text)


def _parse(text: str, source: str, kind: str, grids=None, html_title: str = "", assets=None) -> Report:
    global _last_fold
    folded = Folded(text)
    # Folded's text is the width fold itself unless the text held other compatibility characters.
    _last_fold = (text, folded.text) if folded._map is None else None
    preamble_end, sections = split_sections(text, folded)
    if not any(s.present for s in sections) and "信息公开" not in folded.text:
        raise NotAReportError(f"no section of an annual report ({spec().sections[0].title} … {spec().sections[-1].title}) "
                              "and no mention of 政府信息公开: this does not look like an annual report",
                              source, "whole text")
    tables = {}
    skip = []
    inv = _inverse(folded) if folded._map is not None else None
    # A table whose text names no format version (table 四 is the same in both) takes the version of
    # the tables read before it, else the one the table sections show, so a 2019 report is not read
    # as mixing versions.
    a, b = sections[1].start, sections[3].end
    doc_version = detect_version(folded.text[inv[a]:inv[b]] if inv else folded.text[a:b])
    for tid in TABLE_IDS:
        sec = sections[spec().section_for_table(tid).number - 1]
        if not sec.present:
            tables[tid] = None
            continue
        grid_tokens = None
        if grids:
            inside = [tok for (gs, ge, toks) in grids if sec.body_start <= gs < sec.end for tok in toks]
            grid_tokens = inside or None
        fs = inv[sec.body_start] if inv else sec.body_start
        fe = inv[sec.end] if inv else sec.end
        read = [t.version for t in tables.values() if t is not None and t.cells]
        tr = read_table(tid, folded, fs, fe, grid_tokens, default_version=read[0] if read else doc_version)
        if not tr.has_numbers and sec.annex_start is not None and not grids:
            # The section says "见附表" and the table stands in an annex under its title.
            at = read_table(tid, folded, inv[sec.annex_start] if inv else sec.annex_start,
                            inv[sec.annex_end] if inv else sec.annex_end, None,
                            default_version=read[0] if read else doc_version)
            if at.has_numbers or (at.cells and not tr.cells):
                tr = at
        if not tr.found and not tr.cells:
            tables[tid] = None
            continue
        tables[tid] = tr
        starts = list(map(_START, tr.cells.values()))
        if starts and None not in starts:   # (every cell placed: the usual case, in C)
            skip.append((min(starts), max(map(_END, tr.cells.values()))))
        else:
            cell_spans = [(c.start, c.end) for c in tr.cells.values() if c.start is not None]
            if cell_spans:
                skip.append((min(s for s, _ in cell_spans), max(e for _, e in cell_spans)))
    settle_splits(tables)
    facts = extract_facts(text, folded, sections, preamble_end, skip)
    versions = [t.version for t in tables.values() if t is not None and (t.found and t.cells or t.table == "proactive" and t.found)]
    fmt = versions[0] if versions else None
    title, agency, year = _metadata(text, folded.text, preamble_end, html_title)
    rep = Report(text=text, source=source, kind=kind, title=title, agency=agency, year=year,
                 format_version=fmt, preamble_end=preamble_end, sections=sections, tables=tables,
                 facts=facts, assets=[])
    if assets:
        for a in assets:
            a = dict(a)
            a["section"] = next((s.number for s in sections if s.present and s.start <= a["at"] < s.end), 0)
            rep.assets.append(a)
    if len(facts) >= MAX_FACTS:
        rep.notes.append({"kind": "facts_truncated",
                          "message": f"only the first {MAX_FACTS:,} numbers stated in prose were collected"})
    if len(set(versions)) > 1:
        rep.notes.append({"kind": "mixed_versions", "message": f"tables use different format versions: {versions}"})
    return rep


_START, _END = attrgetter("start"), attrgetter("end")


def _inverse(folded: Folded) -> list[int]:
    """Original offset → folded offset (for the few texts whose folding changes lengths)."""
    n = folded._n
    m = folded._map
    inv = [-1] * (n + 1)
    for fi in range(len(m) - 1, -1, -1):
        inv[m[fi]] = fi
    inv[n] = len(m)
    for i in range(n - 1, -1, -1):   # characters that folded to nothing take the next offset
        if inv[i] < 0:
            inv[i] = inv[i + 1]
    return inv


_YEAR = r"(?:19|20)\d\d"
_REPORT_WORDS = r"(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
_TITLE_LINE = rx.lazy(rf"(?:标题:\s*|Page\s*\d+\s*-\s*)?(?P<t>[^\s,。;:、《》()]{{0,40}}?{_YEAR}\s*年?度?[^\s,。;:《》]{{0,20}}?{_REPORT_WORDS})\s*")
_BRACKETED = rx.lazy(rf"《(?P<t>[^《》\n,。]{{0,60}}?{_YEAR}\s*年?度?[^《》\n]{{0,20}}?信息公开[^《》\n]{{0,10}}?报告)》")
_PUBLISHED = rx.lazy(rf"(?:公布|发布|印发|现将)(?P<t>[^\s,。;:《》()]{{0,30}}?{_YEAR}\s*年?度?[^\s,。;:《》]{{0,20}}?{_REPORT_WORDS})")
_AGENCY_SUFFIX = AGENCY_SUFFIX
_AGENCY_LINE = rx.lazy(rf"[\u4e00-\u9fff()]{{2,30}}{_AGENCY_SUFFIX}")
_SELF_NAMED = rx.lazy(rf"(?P<a>[\u4e00-\u9fff]{{2,24}}?{_AGENCY_SUFFIX})\s*\(以下简称")
_PERIOD = rx.lazy(rf"{STAT_PERIOD}[^\n。]{{0,10}}?({_YEAR})\s*年\s*1\s*月\s*1\s*日")
_GENERIC_AGENCY = GENERIC_AGENCY


def _metadata(text: str, ft: str, preamble_end: int, html_title: str) -> tuple[str | None, str | None, int | None]:
    """Title, agency and year from the title line, a 《…》 title or the sentence that publishes the report,
    and the statistics period; never from the first year-like token (a report may open with last
    year's figures, H005/盐津)."""
    head = ft[:preamble_end] if preamble_end > 0 else ft[:400]
    lines = [x.strip() for x in head[:1200].splitlines() if x.strip()][:8]
    title = None
    title_line = None
    cands = [html_title] if html_title else []
    cands += lines
    for i, line in enumerate(cands):
        m = _TITLE_LINE.fullmatch(line)
        if m and "解读" not in line and "图解" not in line:
            title = m.group("t")
            title_line = i - (1 if html_title else 0)
            break
    if title is None:
        m = _BRACKETED.search(ft[:2000]) or _PUBLISHED.search(ft[:2000])
        if m:
            title = m.group("t")
    if title is None:
        return None, _self_named(ft), _period_year(ft)
    title = re.sub(r"\s+", "", title)
    ym = re.search(_YEAR, title)
    year = int(ym.group()) if ym else None
    agency = title[: ym.start()] if ym else ""
    if not agency and ym:
        # "2022年上海市政府信息公开工作年度报告", "2022年度螅镇政府信息…": the agency follows the year.
        rest = re.sub(r"^年?度?", "", title[ym.end():])
        agency = re.sub(_REPORT_WORDS + "$", "", rest)
        agency = re.sub(r"(?:人民)?$", "", agency)
    if agency in _GENERIC_AGENCY or not agency:
        agency = None
    if title_line is None and lines and _AGENCY_LINE.fullmatch(lines[0]):
        # An agency line above an introduction that names the report loosely (H011: "区政府国资局").
        agency = lines[0]
        if ym:
            title = agency + title[ym.start():]
    if agency is None and title_line is not None and title_line >= 0:
        # The agency on its own line next to the title ("浑南区国资局", "桃江县松木塘镇人民政府").
        for j in (title_line - 1, title_line + 1):
            if 0 <= j < len(lines) and _AGENCY_LINE.fullmatch(lines[j]):
                agency = lines[j]
                break
    if agency is None and lines and _AGENCY_LINE.fullmatch(lines[0]):
        agency = lines[0]
    if agency is None:
        agency = _self_named(ft)
    if year is None:
        year = _period_year(ft)
    if agency and not title.startswith(agency) and title_line is not None:
        title = agency + title if re.match(_YEAR, title) and agency not in title else title
    return title, agency, year


def _self_named(ft: str) -> str | None:
    m = _SELF_NAMED.search(ft[:3000])
    return m.group("a") if m else None


def _period_year(ft: str) -> int | None:
    m = _PERIOD.search(ft[:5000])
    return int(m.group(1)) if m else None

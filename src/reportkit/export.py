"""Export a reconstruction: Markdown, a standalone HTML page, Word (.docx), Excel (.xlsx) and the
structured YAML/JSON that :func:`reportkit.load` reads back.

Every export shows where each number comes from (the provenance of
:class:`reportkit.reconstruct.CellEstimate`): a number read from the report's own table is plain; one
stated in the prose or inferred from the format's identities is set apart (and names its evidence or
rule); an unknown cell is marked "？" (with its bounds when they are known), never written as a number.

Formats that carry data read back to the same cells — ``load(export(r))`` gives every exact value of
the reconstruction and NA for every unknown cell — for YAML, JSON, HTML and XLSX:

* **HTML**: a value cell's text is the bare number, provenance lives in ``class``/``title`` attributes
  and CSS (unknown cells are empty, their "？" is CSS ``::after`` content), so the normal HTML loader
  reads the page. Loading it keeps the numbers, not the provenance; all six official sections are
  printed, so a section the source lacked reads back present (its "missing" note is CSS content).
* **YAML/JSON**: reportkit's full structured form of the report the plain page reads to (exact values
  as table cells, the original prose of every section), plus the per-cell provenance under the extra
  top-level key ``reconstruction`` (the loader ignores it; a plain ``load`` therefore loses the
  provenance and the bounds of unknown cells, which stay NA).
* **XLSX**: the three tables in the official layout (what a person edits, and what :func:`load_xlsx`
  reads), a long-form ``cells`` sheet with value/low/high/provenance/rule/evidence, a ``sections``
  sheet with the prose and a hidden ``reportkit`` sheet with the metadata.

Sections 二–四 carry the table rebuilt from the reconstruction; the copy of the table the source
printed (often with its digits run together) is left out of their prose, every sentence kept.

Report text is untrusted (safe output): HTML escapes it, Markdown escapes ``<``, ``>``, ``&`` and the
Markdown syntax that could make links, images or headings of it; spreadsheet cells whose text starts
with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe so no report text becomes a formula.

Drafts (:func:`reportkit.draft.draft`) are part of the Markdown, HTML and Word exports when ``draft=``
is given: each draft section stands under its section, labelled 草稿 (or 建议, for a proposal), with
its 【待补充…】 placeholders highlighted. The data formats (YAML, JSON, XLSX) carry no draft.
"""

from __future__ import annotations

import functools
import html as _html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from ._callable import make_callable
from .errors import ReportError, StructuredDataError
from .format import TABLE_IDS, Table, label_key, spec
from .model import Report
from .reconstruct import CellEstimate, Reconstruction

FORMATS = ("md", "html", "docx", "xlsx", "yaml", "json")
XLSX_SCHEMA = "reportkit/xlsx-1"

# Provenance → (Chinese label, English label, fill colour for docx/xlsx).
PROVENANCE = {
    "stated-table": ("报告表格所载", "stated in the report's table", None),
    "stated-prose": ("报告正文所述", "stated in the report's prose", "E2EFDA"),
    "inferred": ("根据勾稽关系推算", "inferred from the format's identities", "DDEBF7"),
    "unknown": ("未知", "unknown", "EDEDED"),
}
TABLE_NUMERALS = {"proactive": "表二", "requests": "表三", "appeals": "表四"}
_SECTION_NOTE = {"empty": "（原报告此部分为空）", "missing": "（原报告缺少此部分）"}
_TABLE_SECTION_NOTE = {"empty": "（原报告此部分为空；下表为重建结果）", "missing": "（原报告缺少此部分；下表为重建结果）"}

# Fonts: Word/WPS pick Chinese glyphs from the East-Asian font slot (w:eastAsia), Latin from ascii/hAnsi.
DOCX_BODY_FONT = "宋体"
DOCX_HEADING_FONT = "黑体"
DOCX_LATIN_FONT = "Times New Roman"
XLSX_FONT = "宋体"
HTML_FONT_STACK = ('"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
                   '"Microsoft YaHei", sans-serif')


# --------------------------------------------------------------------------------------------------
# The neutral document every export is written from
# --------------------------------------------------------------------------------------------------

@dataclass
class _Sec:
    number: int
    title: str          # official title
    status: str         # present | empty | missing
    text: str           # prose as written (the table text of sections 二–四 left out)


@dataclass
class _Doc:
    title: str | None
    agency: str | None
    year: int | None
    version: str
    source: str
    intro: str
    sections: list[_Sec]
    cells: dict[tuple[str, str, str], CellEstimate] = field(default_factory=dict)
    report_format: str | None = None    # the source report's own format version (None: no table said)

    def known_in(self, tid) -> bool:
        return any(e.value is not None for (t, _, _), e in self.cells.items() if t == tid)


def _doc(rec: Reconstruction) -> _Doc:
    rep = rec.report
    states = {s.number: s for s in (rec.sections or [])}
    secs = []
    for sec in spec().sections:
        st = states.get(sec.number)
        status = st.status if st is not None else "missing"
        text = st.text if st is not None and st.text else ""
        if sec.table and text:
            text = _prose_outside_table(text, sec.table)
        secs.append(_Sec(sec.number, sec.title, status, text))
    intro = _intro(rep.text[: rep.preamble_end], rep.title) if rep is not None else ""
    return _Doc(title=rep.title if rep else None, agency=rep.agency if rep else None,
                year=rep.year if rep else None, version=rec.version or "2021",
                source=rep.source if rep else "<reconstruction>", intro=intro, sections=secs,
                cells=dict(rec.cells), report_format=rep.format_version if rep else None)


def _intro(preamble: str, title: str | None) -> str:
    """The preamble without the title lines at its top (the title is printed as the heading)."""
    lines = preamble.strip().split("\n")
    key = re.sub(r"\s+", "", title or "")
    while lines and key:
        line = re.sub(r"\s+", "", lines[0])
        if line and line in key:
            lines.pop(0)
        elif not line:
            lines.pop(0)
        else:
            break
    return "\n".join(lines).strip()


@functools.lru_cache(maxsize=None)
def _table_vocabulary(tid: str) -> re.Pattern:
    """Every label key a printed copy of table ``tid`` is made of (both format versions), longest
    first, plus digits: what is left of a line once these are removed is its prose."""
    from .tables import _header_keys
    from .format import strip_enumerator
    words: set[str] = {"信息内容", "申请人情况"}
    for v in ("2021", "2019"):
        t = spec().table(tid, v)
        words |= {k for k in _header_keys(t) if k}
        for r in t.rows:
            words |= {k for k in r.keys if k} | {strip_enumerator(k) for k in r.keys if len(k) > 2}
        words |= {label_key(c.label) for c in t.columns if len(label_key(c.label)) >= 2}
        # Narrow header cells wrap: "结果\n维持", "总\n计" arrive as halves on separate lines.
        words |= {h for c in t.columns if len(c.label) == 4 for h in (c.label[:2], c.label[2:])}
    words |= {"总", "计"}
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
    return re.compile(rf"(?:{alts})|[0-9.+-]+")


def _prose_outside_table(body: str, tid: str) -> str:
    """A table section's text without its printed table, which is exported from the reconstruction
    instead (its copy, often with digits run together, would only mislead). A line (or the part of a
    line after its last sentence end) is table text when, once the table's labels and the digits are
    removed, almost nothing is left; anything that reads like a sentence is kept."""
    vocab = _table_vocabulary(tid)
    kept_lines = []
    for line in body.split("\n"):
        kept = []
        for part in re.split(r"(?<=[。！？])", line):
            key = label_key(part)
            if not key:
                continue
            rest = vocab.sub("", key)
            sentence = "。" in part or "！" in part or "？" in part
            table_like = len(key) - len(rest) >= 2 and (len(rest) <= 4 or len(rest) <= 0.2 * len(key))
            if sentence or not table_like:
                kept.append(part)
        text = "".join(kept).strip()
        if text:
            kept_lines.append(text)
    return "\n".join(kept_lines)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _num_text(v) -> str:
    """A number as the loaders read it back exactly (no exponent, no trailing ``.0``)."""
    if isinstance(v, bool):
        raise TypeError("a cell value cannot be a bool")
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        s = repr(v)
        return format(Decimal(s), "f") if "e" in s or "E" in s else s
    return str(v)


def _bounds_text(e: CellEstimate) -> str:
    """Visible bounds of an unknown cell: shown only when they say more than "not negative"."""
    lo, hi = e.low, e.high
    if hi is not None and lo is not None:
        return f"{_num_text(lo)}–{_num_text(hi)}" if lo != hi else _num_text(lo)
    if hi is not None:
        return f"≤{_num_text(hi)}"
    if lo is not None and lo != 0:
        return f"≥{_num_text(lo)}"
    return ""


def _rule_text(rule: str | None, version: str) -> str:
    """A rule id with the official wording of the identity it names, when it names one."""
    if not rule:
        return ""
    ident = rule.split(":", 1)[1] if rule.startswith("conflict:") else rule
    for i in spec().version(version).identities:
        if i.id == ident:
            return f"规则 {rule}（{i.description}）"
    return f"规则 {rule}"


def _source_notes(doc: "_Doc", t: Table) -> list[str]:
    """One line per row and source for the table's numbers that did not come from its own cells
    (prose, inference), the columns sharing a source listed together."""
    groups: dict[tuple, list[CellEstimate]] = {}
    for (tid, _, _), e in doc.cells.items():
        if tid != t.id or e.value is None or e.provenance not in ("inferred", "stated-prose"):
            continue
        # An inference's evidence is the cells it used (shown in the table); prose evidence is a quote.
        ev = "" if e.provenance == "inferred" else "；".join(
            str(x.get("text", "")) for x in (e.evidence or []) if isinstance(x, dict))
        groups.setdefault((e.row, e.provenance, e.rule or "", ev, _num_text(e.value)), []).append(e)
    out = []
    for (rid, prov, rule, ev, value), es in groups.items():
        cols = "、".join(t.column(e.column).name for e in es)
        parts = [f"{t.row(rid).label}（{cols}）＝{value}：{PROVENANCE.get(prov, (prov,))[0]}"]
        if rule:
            parts.append(_rule_text(rule, doc.version))
        if ev:
            parts.append(f"依据「{ev[:200]}」")
        out.append("，".join(parts))
    return out


def _cell_note(e: CellEstimate, table: Table, version: str = "2021") -> str:
    """One line naming where a cell's number comes from (used in titles, comments, footnotes)."""
    where = f"{table.row(e.row).label} / {table.column(e.column).name}"
    label = PROVENANCE.get(e.provenance, (e.provenance,))[0]
    parts = [f"{where}：{label}"]
    if e.rule:
        parts.append(_rule_text(e.rule, version))
    ev = "；".join(str(x.get("text", "")) for x in (e.evidence or []) if isinstance(x, dict) and x.get("text"))
    if ev and e.provenance == "stated-prose":
        parts.append(f"依据「{ev[:200]}」")
    if e.value is None:
        b = _bounds_text(e)
        if b:
            parts.append(f"可能范围 {b}")
    return "，".join(parts)


# --------------------------------------------------------------------------------------------------
# Drafts (another module builds them; only the documented attributes are used, defensively)
# --------------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"【待补充[^】\n]*】")


def _draft_sections(draft) -> dict[int, object]:
    secs = getattr(draft, "sections", None) if draft is not None else None
    if not secs:
        return {}
    if isinstance(secs, dict):
        items = secs.items()
    else:
        items = ((getattr(s, "number", None), s) for s in secs)
    out = {}
    for k, s in items:
        try:
            n = int(getattr(s, "number", None) or k)
        except (TypeError, ValueError):
            continue
        if 1 <= n <= 6 and isinstance(getattr(s, "text", None), str) and s.text.strip():
            out[n] = s
    return out


def _draft_label(ds) -> str:
    if getattr(ds, "proposal", False):
        return "【建议】reportkit 提出的建议写法（proposal），不是原报告内容，须经报告单位核实"
    return "【草稿】reportkit 根据重建结果起草的文字（draft），须经报告单位核实"


def _anchor_info(a, version: str) -> str:
    """Where an anchored number of a draft comes from, in words ("表三 一、本年新收… / 总计")."""
    ref = str(getattr(a, "ref", ""))
    parts = ref.split("/")
    if getattr(a, "source_kind", None) == "cell" and len(parts) == 3 and parts[0] in TABLE_NUMERALS:
        try:
            t = spec().table(parts[0], version)
            return f"{TABLE_NUMERALS[parts[0]]} {t.row(parts[1]).label} / {t.column(parts[2]).name}"
        except KeyError:
            pass
    return f"{getattr(a, 'source_kind', '')} {ref}".strip()


def _draft_marks(ds, text: str, version: str = "2021") -> list[tuple[int, int, str, str]]:
    """Non-overlapping (start, end, kind, info) marks in a draft's text: placeholders and anchors."""
    marks = [(m.start(), m.end(), "placeholder", "待补充") for m in _PLACEHOLDER.finditer(text)]
    for a in getattr(ds, "anchors", None) or []:
        s, e = getattr(a, "start", None), getattr(a, "end", None)
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
            marks.append((s, e, "anchor", _anchor_info(a, version)))
    marks.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out, last = [], 0
    for m in marks:
        if m[0] >= last:
            out.append(m)
            last = m[1]
    return out


def _draft_pieces(ds, version: str = "2021") -> list[list[tuple[str, str | None, str]]]:
    """The draft as paragraphs of (text, mark kind or None, info) pieces."""
    text = ds.text
    marks = _draft_marks(ds, text, version)
    paras = []
    for m in re.finditer(r"[^\n]+", text):
        ps, pe = m.span()
        if not text[ps:pe].strip():
            continue
        pieces, pos = [], ps
        for s, e, kind, info in marks:
            if e <= ps or s >= pe:
                continue
            s, e = max(s, ps), min(e, pe)
            if s > pos:
                pieces.append((text[pos:s], None, ""))
            pieces.append((text[s:e], kind, info))
            pos = e
        if pos < pe:
            pieces.append((text[pos:pe], None, ""))
        paras.append(pieces)
    return paras


# --------------------------------------------------------------------------------------------------
# The official layout as a grid (from render.html_table, so every export shares one layout)
# --------------------------------------------------------------------------------------------------

@dataclass
class _GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    header: bool
    key: tuple[str, str] | None = None     # (row_id, col_id) of a value cell


class _GridParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[dict]] = []
        self.cur: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cur = {"tag": tag, "text": "", "rowspan": int(a.get("rowspan") or 1),
                        "colspan": int(a.get("colspan") or 1)}
            self.rows[-1].append(self.cur)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur["text"] += data


_KEY = re.compile(r"@@rk:([A-Za-z0-9_]+):([A-Za-z0-9_]+)@@")


def _grid(table: Table) -> tuple[list[_GridCell], int, int]:
    """The official layout of ``table``: cells with positions and spans, (cells, n_rows, n_cols).
    A row narrower than the table has its last cell widened, so Word and Excel get a full grid."""
    from .render import html_table
    markup = html_table(table, {}, cell_html=lambda r, c, v: f"@@rk:{r}:{c}@@")
    p = _GridParser()
    p.feed(markup)
    p.close()
    taken: set[tuple[int, int]] = set()
    cells: list[_GridCell] = []
    for ri, row in enumerate(p.rows):
        ci = 0
        for c in row:
            while (ri, ci) in taken:
                ci += 1
            m = _KEY.fullmatch(c["text"].strip())
            cell = _GridCell(ri, ci, c["rowspan"], c["colspan"], "" if m else c["text"].strip(),
                             c["tag"] == "th", (m.group(1), m.group(2)) if m else None)
            cells.append(cell)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((ri + dr, ci + dc))
            ci += cell.colspan
    n_rows = len(p.rows)
    n_cols = max(c.col + c.colspan for c in cells)
    for ri in range(n_rows):
        covered = [c for (r, c) in taken if r == ri]
        if max(covered) + 1 < n_cols:
            last = max((c for c in cells if c.row == ri), key=lambda c: c.col, default=None)
            if last is not None and last.rowspan == 1:
                extra = n_cols - (last.col + last.colspan)
                last.colspan += extra
                for dc in range(extra):
                    taken.add((ri, n_cols - extra + dc))
    return cells, n_rows, n_cols


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_CSS = """
body { font-family: %(fonts)s; line-height: 1.7; color: #111; margin: 2em auto; max-width: 64em; padding: 0 1em; }
h1 { text-align: center; font-size: 1.6em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h2.rk-status-empty::after { content: "（原报告此部分为空）"; color: #a33; font-size: 0.8em; font-weight: normal; }
h2.rk-status-missing::after { content: "（原报告缺少此部分）"; color: #a33; font-size: 0.8em; font-weight: normal; }
h2.rk-status-empty.rk-has-table::after { content: "（原报告此部分为空；下表为重建结果）"; }
h2.rk-status-missing.rk-has-table::after { content: "（原报告缺少此部分；下表为重建结果）"; }
p { text-indent: 2em; margin: 0.4em 0; }
table.rk-table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
table.rk-table th, table.rk-table td { border: 1px solid #666; padding: 0.2em 0.45em; text-align: left; }
table.rk-table th, table.rk-table td:has(> span) { text-align: center; white-space: nowrap; }
table.rk-table th { background: #f3f3f3; font-weight: bold; }
.rk-stated-table { }
.rk-stated-prose { color: #2e6b1f; text-decoration: underline dotted; background: #e2efda; }
.rk-inferred { font-style: italic; color: #1f4e8c; background: #ddebf7; }
.rk-unknown { color: #888; }
.rk-unknown::after { content: "？"; }
.rk-unknown[data-range]::after { content: "？" attr(data-range); font-size: 0.85em; }
.rk-legend { border: 1px solid #ddd; background: #fafafa; padding: 0.5em 1em; font-size: 0.9em; }
.rk-legend p { text-indent: 0; }
.rk-legend span { padding: 0 0.3em; }
.rk-draft { border-left: 4px solid #c90; background: #fffbea; padding: 0.3em 0.8em; margin: 0.6em 0; }
.rk-draft.rk-proposal { border-left-color: #7a4bc2; background: #f6f0ff; }
.rk-draft p.rk-draft-label { text-indent: 0; font-weight: bold; color: #8a5a00; }
.rk-placeholder { background: #ffe08a; }
.rk-anchor { border-bottom: 1px dashed #1f4e8c; }
""" % {"fonts": HTML_FONT_STACK}


def _esc(s) -> str:
    return _html.escape(str(s), quote=True)


def _html_cell(doc: _Doc, table: Table, visible: bool):
    """``cell_html`` for render.html_table: the bare number as text, provenance in attributes."""
    def cell(rid, cid, _v):
        e = doc.cells.get((table.id, rid, cid))
        if e is None or e.value is None:
            if not visible:
                return ""
            note = _cell_note(e, table, doc.version) if e is not None else f"{table.row(rid).label} / {table.column(cid).name}：未知"
            rng = _bounds_text(e) if e is not None else ""
            data = f' data-range="{_esc("（" + rng + "）")}"' if rng else ""
            return f'<span class="rk-unknown" title="{_esc(note)}"{data}></span>'
        text = _esc(_num_text(e.value))
        if not visible:
            return text
        cls = "rk-" + re.sub(r"[^a-z-]", "", e.provenance or "unknown")
        return f'<span class="{cls}" title="{_esc(_cell_note(e, table, doc.version))}">{text}</span>'
    return cell


def _page(doc: _Doc, draft=None, visible: bool = True) -> str:
    """The HTML page of ``doc``. ``visible=False`` writes the plain page the structured exports and
    :func:`load_xlsx` parse: no legend, no provenance marks, a section that was missing (with no
    text and nothing known) left out so it reads back missing, and a table with no known cell left
    out unless the source printed its section, so an empty section reads back empty."""
    from .render import html_table
    title = doc.title or "政府信息公开工作年度报告"
    drafts = _draft_sections(draft) if visible else {}
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="reportkit">', f"<title>{_esc(title)}</title>"]
    if visible:
        out.append(f"<style>{_CSS}</style>")
    out += ["</head>", "<body>", "<main>", f"<h1>{_esc(title)}</h1>"]
    if visible:
        out.append('<div class="rk-legend"><p>图例（legend）：'
                   '<span class="rk-stated-table">正体</span>＝报告表格所载；'
                   '<span class="rk-stated-prose">绿色下划线</span>＝报告正文所述；'
                   '<span class="rk-inferred">蓝色斜体</span>＝根据勾稽关系推算（悬停可见规则）；'
                   '<span class="rk-unknown"></span>＝未知（括号内为可能范围）。</p></div>')
    for para in _paragraphs(doc.intro):
        out.append(f"<p>{_esc(para)}</p>")
    for sec in doc.sections:
        fsec = spec().section(sec.number)
        # The plain page keeps a table with nothing known only where the source printed one, so the
        # section reads back present (its cells NA) and an empty section stays empty.
        has_table = bool(fsec.table) and (visible or doc.known_in(fsec.table) or sec.status == "present")
        if not visible and sec.status == "missing" and not sec.text and not has_table:
            continue
        out.append(f'<section id="rk-section-{sec.number}">')
        cls = (f' class="rk-status-{sec.status}{" rk-has-table" if has_table else ""}"'
               if visible and sec.status in _SECTION_NOTE else "")
        out.append(f"<h2{cls}>{_esc(sec.title)}</h2>")
        table_html = None
        if has_table:
            t = spec().table(fsec.table, doc.version)
            table_html = html_table(t, {}, cell_html=_html_cell(doc, t, visible))
            if not visible:
                # The plain page is read back by the loader: its table goes right under its heading, so
                # a section heading repeated in the report's own prose cannot carry the table elsewhere.
                out.append(table_html)
        for para in _paragraphs(sec.text):
            out.append(f"<p>{_esc(para)}</p>")
        ds = drafts.get(sec.number)
        if ds is not None:
            proposal = " rk-proposal" if getattr(ds, "proposal", False) else ""
            out.append(f'<div class="rk-draft{proposal}">')
            out.append(f'<p class="rk-draft-label">{_esc(_draft_label(ds))}</p>')
            for pieces in _draft_pieces(ds, doc.version):
                html_pieces = []
                for text, kind, info in pieces:
                    if kind == "placeholder":
                        html_pieces.append(f'<mark class="rk-placeholder">{_esc(text)}</mark>')
                    elif kind == "anchor":
                        html_pieces.append(f'<span class="rk-anchor" title="{_esc(info)}">{_esc(text)}</span>')
                    else:
                        html_pieces.append(_esc(text))
                out.append(f"<p>{''.join(html_pieces)}</p>")
            out.append("</div>")
        if table_html is not None and visible:
            out.append(table_html)
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def to_html(rec: Reconstruction, draft=None) -> str:
    """A standalone HTML page (inline CSS, no network) of the reconstruction in the official layout:
    merged headers of tables 三 and 四, the blocks of table 二, provenance on every cell, the draft
    under each section when ``draft`` is given. All report text is escaped."""
    return _page(_doc(rec), draft, visible=True)


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------

_MD_PUNCT = set("\\`*_[]#|~")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Report text as inert Markdown: ``&``, ``<``, ``>`` become entities (no raw HTML), Markdown
    punctuation is backslash-escaped (no links, images, emphasis, code or table breaks), and a line
    start that would make a list, heading or quote is escaped."""
    out = []
    for ch in str(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    lines = []
    for line in s.split("\n"):
        m = _LINE_START.match(line)
        if m:
            tok = m.group(2)
            line = line[: m.start(2)] + (tok[:-1] + "\\" + tok[-1]) + line[m.end(2):]
        lines.append(line)
    return "\n".join(lines)


def _md_value(e: CellEstimate | None) -> str:
    if e is None or e.value is None:
        b = _bounds_text(e) if e is not None else ""
        return f"？（{b}）" if b else "？"
    v = _num_text(e.value)
    if e.provenance == "inferred":
        return f"*{v}*"
    if e.provenance == "stated-prose":
        return f"{v}†"
    return v


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"


def _md_table(doc: _Doc, t: Table) -> list[str]:
    def e(rid, cid):
        return doc.cells.get((t.id, rid, cid))

    lines: list[str] = []
    if t.blocks:
        for b in t.blocks:
            lines.append(f"**{md_escape(b.label)}**")
            lines.append("")
            lines.append(_md_row(["信息内容"] + [md_escape(t.column(c).label) for c in b.columns]))
            lines.append(_md_row(["---"] * (len(b.columns) + 1)))
            for rid in b.rows:
                lines.append(_md_row([md_escape(t.row(rid).label)] + [_md_value(e(rid, c)) for c in b.columns]))
            lines.append("")
    elif len(t.data_rows) > 1:
        lines.append("申请人情况：自然人；法人或其他组织（商业企业、科研机构、社会公益组织、法律服务机构、其他）；总计")
        lines.append("")
        lines.append(_md_row([md_escape(t.corner or "")] + [md_escape(c.label) for c in t.columns]))
        lines.append(_md_row(["---"] * (len(t.columns) + 1)))
        for r in t.rows:
            if r.kind == "group":
                lines.append(_md_row([f"**{md_escape(r.label)}**"] + [""] * len(t.columns)))
            else:
                lines.append(_md_row([md_escape(r.label)] + [_md_value(e(r.id, c.id)) for c in t.columns]))
        lines.append("")
    else:
        # One data row of fifteen columns reads better turned on its side in plain text.
        row = t.data_rows[0]
        lines.append(_md_row(["", md_escape(row.label)]))
        lines.append(_md_row(["---", "---"]))
        for c in t.columns:
            lines.append(_md_row([md_escape(c.name), _md_value(e(row.id, c.id))]))
        lines.append("")
    notes = _source_notes(doc, t)
    if notes:
        lines.append("来源说明：")
        lines.append("")
        lines += [f"- {md_escape(n)}" for n in notes]
        lines.append("")
    return lines


def to_markdown(rec: Reconstruction, draft=None) -> str:
    """The reconstruction as Markdown: official section titles, the tables (table 四 turned on its side),
    provenance marks (plain = the report's table, † = its prose, *italic* = inferred, ？ = unknown with
    bounds), the draft under each section when given. Report text is escaped (:func:`md_escape`)."""
    doc = _doc(rec)
    drafts = _draft_sections(draft)
    out = [f"# {md_escape(doc.title or '政府信息公开工作年度报告')}", ""]
    out.append("> 图例：数字＝报告表格所载；数字†＝报告正文所述；*斜体*＝根据勾稽关系推算；"
               "？＝未知（括号内为可能范围）。由 reportkit 重建，来源："
               + md_escape(Path(doc.source).name if doc.source else ""))
    out.append("")
    for para in _paragraphs(doc.intro):
        out += [md_escape(para), ""]
    for sec in doc.sections:
        out += [f"## {md_escape(sec.title)}", ""]
        if sec.status in _SECTION_NOTE and not sec.text:
            notes = _TABLE_SECTION_NOTE if spec().section(sec.number).table else _SECTION_NOTE
            out += [f"*{notes[sec.status]}*", ""]
        for para in _paragraphs(sec.text):
            out += [md_escape(para), ""]
        ds = drafts.get(sec.number)
        if ds is not None:
            out += [f"> **{md_escape(_draft_label(ds))}**", ">"]
            for pieces in _draft_pieces(ds, doc.version):
                line = "".join(f"**{md_escape(t)}**" if k == "placeholder" else md_escape(t) for t, k, _ in pieces)
                out += [f"> {line}", ">"]
            out[-1] = ""
        table_id = spec().section(sec.number).table
        if table_id:
            out += _md_table(doc, spec().table(table_id, doc.version))
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------------
# Structured YAML / JSON
# --------------------------------------------------------------------------------------------------

def _plain_report(doc: _Doc, source: str) -> Report:
    """The report the plain page of ``doc`` reads to, checked cell by cell against ``doc``: an export
    that could not be read back to the same numbers raises instead of writing wrong ones."""
    from .load import parse_html
    rep = parse_html(_page(doc, visible=False), source)
    rep.kind = "structured"
    rep.title, rep.agency, rep.year = doc.title, doc.agency, doc.year
    if rep.format_version is None:
        # No table was written (nothing known): keep what the source report said about its format.
        rep.format_version = doc.report_format
    for (tid, rid, cid), e in doc.cells.items():
        tr = rep.tables.get(tid)
        got = tr.value(rid, cid) if tr is not None and tr.version == doc.version else None
        if got != e.value:
            raise ReportError(f"export would read back {tid}/{rid}/{cid} as {got!r}, not {e.value!r}; "
                              "nothing was written", source)
    return rep


def _provenance_records(doc: _Doc) -> list[dict]:
    out = []
    for (tid, rid, cid), e in doc.cells.items():
        t = spec().table(tid, doc.version)
        out.append({"table": tid, "row_id": rid, "column_id": cid, "row": t.row(rid).label,
                    "column": t.column(cid).name, "value": e.value, "low": e.low, "high": e.high,
                    "provenance": e.provenance, "rule": e.rule,
                    "evidence": [dict(x) for x in (e.evidence or []) if isinstance(x, dict)],
                    "uses": [list(u) for u in (e.uses or [])]})
    return out


def to_structured(rec: Reconstruction) -> dict:
    """The structured form of the reconstruction: reportkit's full report form (what ``load`` reads:
    exact values as table cells, unknown cells empty) plus ``reconstruction``: per-cell provenance,
    bounds, rules and evidence, and the original sections' states (ignored by the loader)."""
    from .structured import to_dict
    doc = _doc(rec)
    d = to_dict(_plain_report(doc, doc.source))
    d["reconstruction"] = {
        "source": doc.source, "format": doc.version,
        "note": "per-cell provenance of the exported values; reportkit.load ignores this key",
        "sections": [{"number": s.number, "title": s.title, "status": s.status} for s in doc.sections],
        "cells": _provenance_records(doc),
    }
    return d


def _dumps(d: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1) + "\n"
    import yaml
    # The C emitter when libyaml is there: same YAML, several times faster on a whole report's text.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(d, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120)


# --------------------------------------------------------------------------------------------------
# Office files: shared helpers
# --------------------------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xml_safe(text: str) -> str:
    """Text Word and Excel can store: form feeds become line breaks, other control characters go."""
    return _XML_ILLEGAL.sub("", str(text).replace("\x0c", "\n"))


def safe_cell_text(text: str) -> str:
    """Spreadsheet-safe text: a leading apostrophe when the text (after any apostrophes) starts with
    ``=``, ``+``, ``-``, ``@`` (or a tab/CR), so no report text becomes a formula when opened or
    pasted. Reversible: :func:`_unsafe_cell_text` removes exactly that apostrophe."""
    s = _xml_safe(text)
    if s.lstrip("'").startswith(_FORMULA_START):
        return "'" + s
    return s


def _unsafe_cell_text(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


def _display_width(text: str) -> int:
    """Column width in Excel units: East-Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


# --------------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------------

def _set_fonts(rpr, east_asia: str, latin: str = DOCX_LATIN_FONT, lang: bool = False):
    """Set w:rFonts (ascii, hAnsi, eastAsia) on a w:rPr, dropping the theme attributes that would
    override them: python-docx's ``font.name`` writes ascii/hAnsi only, and the default template's
    ``w:eastAsiaTheme`` wins over an explicit ``w:eastAsia``. ``lang`` also sets w:lang eastAsia=zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    if lang:
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(qn("w:eastAsia"), "zh-CN")
        if el.get(qn("w:val")) is None:
            el.set(qn("w:val"), "en-US")


def _docx_styles(d):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    styles_el = d.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if rpr_default is not None:
        from docx.oxml import OxmlElement
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_default.append(rpr)
        _set_fonts(rpr, DOCX_BODY_FONT, lang=True)
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element.get_or_add_rPr(), DOCX_BODY_FONT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
        st = d.styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(st.element.get_or_add_rPr(), DOCX_HEADING_FONT)
    _set_fonts(d.styles["Table Grid"].element.get_or_add_rPr(), DOCX_BODY_FONT)


def _run(p, text, *, bold=False, italic=False, color=None, size=None, highlight=False, font=DOCX_BODY_FONT):
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor
    r = p.add_run(_xml_safe(text))
    r.bold = bold or None
    r.italic = italic or None
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    if size:
        r.font.size = Pt(size)
    if highlight:
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _set_fonts(r._r.get_or_add_rPr(), font)
    return r


def _shade(cell, fill: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


_DOCX_WIDTHS_CM = {"proactive": None, "requests": [1.5, 1.5, 4.2], "appeals": None}


def _docx_table(d, doc: _Doc, t: Table):
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from docx.table import _Cell as _DocxCell
    cells, n_rows, n_cols = _grid(t)
    table = d.add_table(rows=n_rows, cols=n_cols)
    table.style = d.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = 17.0
    lead = _DOCX_WIDTHS_CM.get(t.id)
    if lead:
        rest = (total - sum(lead)) / (n_cols - len(lead))
        widths = lead + [rest] * (n_cols - len(lead))
    elif t.id == "proactive":
        widths = [5.0] + [(total - 5.0) / (n_cols - 1)] * (n_cols - 1)
    else:
        widths = [total / n_cols] * n_cols
    # LibreOffice lays out by the grid (w:gridCol), Word by the cells (w:tcW): set both.
    for i, col in enumerate(table.columns):
        col.width = Cm(widths[i])
    # Cell objects straight from the XML, taken once: table.cell() re-walks the whole table per call.
    grid = [[_DocxCell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for row in grid:
        for i, c in enumerate(row):
            c.width = Cm(widths[i])
    size = 7.5 if n_cols > 12 else 9
    for g in cells:
        cell = grid[g.row][g.col]
        if g.rowspan > 1 or g.colspan > 1:
            cell = cell.merge(grid[g.row + g.rowspan - 1][g.col + g.colspan - 1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        if g.key is None:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if g.header or t.id == "appeals" else WD_ALIGN_PARAGRAPH.LEFT
            _run(p, safe_cell_text(g.text), bold=g.header, size=size)
            continue
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        e = doc.cells.get((t.id, *g.key))
        prov = e.provenance if e is not None else "unknown"
        if e is None or e.value is None:
            b = _bounds_text(e) if e is not None else ""
            _run(p, "？" + (f"（{b}）" if b else ""), color="808080", size=size)
        else:
            _run(p, _num_text(e.value), italic=prov == "inferred",
                 color={"inferred": "1F4E8C", "stated-prose": "2E6B1F"}.get(prov), size=size)
        fill = PROVENANCE.get(prov, (None, None, None))[2]
        if fill:
            _shade(cell, fill)


def _docx_paragraph(d, text):
    from docx.shared import Pt
    p = d.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(24)      # two characters at 12 pt, as official documents
    _run(p, text)
    return p


def _write_docx(doc: _Doc, out: Path, draft=None):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    d = Document()
    _docx_styles(d)
    for s in d.sections:
        s.left_margin = s.right_margin = Cm(2.0)
        s.top_margin = s.bottom_margin = Cm(2.2)
    d.core_properties.title = _xml_safe(doc.title or "政府信息公开工作年度报告")
    d.core_properties.language = "zh-CN"
    d.core_properties.comments = "Exported by reportkit from " + _xml_safe(Path(doc.source).name)
    h = d.add_heading(level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(h, doc.title or "政府信息公开工作年度报告", bold=True, font=DOCX_HEADING_FONT)
    legend = d.add_paragraph()
    _run(legend, "图例：", bold=True, size=9)
    _run(legend, "数字＝报告表格所载；", size=9)
    _run(legend, "绿色底＝报告正文所述；", size=9, color="2E6B1F")
    _run(legend, "蓝色斜体＝根据勾稽关系推算；", size=9, italic=True, color="1F4E8C")
    _run(legend, "？＝未知（括号内为可能范围）。", size=9, color="808080")
    for para in _paragraphs(doc.intro):
        _docx_paragraph(d, para)
    drafts = _draft_sections(draft)
    for sec in doc.sections:
        h = d.add_heading(level=1)
        _run(h, sec.title, bold=True, font=DOCX_HEADING_FONT)
        if sec.status in _SECTION_NOTE and not sec.text:
            notes = _TABLE_SECTION_NOTE if spec().section(sec.number).table else _SECTION_NOTE
            p = d.add_paragraph()
            _run(p, notes[sec.status], italic=True, color="A33333")
        for para in _paragraphs(sec.text):
            _docx_paragraph(d, para)
        ds = drafts.get(sec.number)
        if ds is not None:
            p = d.add_paragraph()
            _run(p, _draft_label(ds), bold=True, color="8A5A00")
            for pieces in _draft_pieces(ds, doc.version):
                p = d.add_paragraph()
                p.paragraph_format.first_line_indent = Cm(0.85)
                for text, kind, _info in pieces:
                    _run(p, text, highlight=kind == "placeholder", bold=kind == "placeholder",
                         color="8A5A00" if kind != "placeholder" else None)
        tid = spec().section(sec.number).table
        if tid:
            t = spec().table(tid, doc.version)
            _docx_table(d, doc, t)
            for note in _source_notes(doc, t):
                p = d.add_paragraph()
                _run(p, f"注：{note}", size=9, color="555555")
    d.save(str(out))


# --------------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------------

_XLSX_SHEETS = {"proactive": "表二", "requests": "表三", "appeals": "表四"}
_XLSX_TOP = 3           # the official grid starts at this row (title in row 1)
_XLSX_CHUNK = 32000     # Excel holds at most 32,767 characters in a cell


def _xlsx_put(ws, row, col, value, font=None, fill=None, align=None, border=None):
    c = ws.cell(row=row, column=col)
    if isinstance(value, str):
        c.value = safe_cell_text(value)
        c.data_type = "s"       # never "f": a string stays a string, whatever it starts with
    else:
        c.value = value
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if align is not None:
        c.alignment = align
    if border is not None:
        c.border = border
    return c


def _fit_columns(ws, widths: dict[int, float], cap: int = 48):
    from openpyxl.utils import get_column_letter
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(6, min(cap, w + 2))


def _write_xlsx(doc: _Doc, out: Path):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    wb = Workbook()
    wb.remove(wb.active)
    body = Font(name=XLSX_FONT, size=11)
    bold = Font(name=XLSX_FONT, size=11, bold=True)
    title_font = Font(name=XLSX_FONT, size=14, bold=True)
    italic = Font(name=XLSX_FONT, size=11, italic=True, color="1F4E8C")
    grey = Font(name=XLSX_FONT, size=11, color="808080")
    thin = Side(style="thin", color="666666")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    fills = {k: PatternFill("solid", fgColor=v[2]) for k, v in PROVENANCE.items() if v[2]}
    header_fill = PatternFill("solid", fgColor="F3F3F3")

    for tid in TABLE_IDS:
        t = spec().table(tid, doc.version)
        ws = wb.create_sheet(_XLSX_SHEETS[tid])
        sec = spec().section_for_table(tid)
        _xlsx_put(ws, 1, 1, f"{TABLE_NUMERALS[tid]}　{sec.title}", font=title_font)
        cells, n_rows, n_cols = _grid(t)
        widths: dict[int, float] = {}
        for g in cells:
            r, c = _XLSX_TOP + g.row, 1 + g.col
            if g.rowspan > 1 or g.colspan > 1:
                ws.merge_cells(start_row=r, start_column=c, end_row=r + g.rowspan - 1, end_column=c + g.colspan - 1)
                for dr in range(g.rowspan):
                    for dc in range(g.colspan):
                        ws.cell(row=r + dr, column=c + dc).border = box
            if g.key is None:
                _xlsx_put(ws, r, c, g.text, font=bold if g.header else body,
                          fill=header_fill if g.header else None, align=center if g.header else left, border=box)
                if g.colspan == 1:
                    widths[c] = max(widths.get(c, 0), _display_width(g.text))
                continue
            e = doc.cells.get((tid, *g.key))
            prov = e.provenance if e is not None else "unknown"
            if e is None or e.value is None:
                b = _bounds_text(e) if e is not None else ""
                cell = _xlsx_put(ws, r, c, "？" + (f"（{b}）" if b else ""), font=grey, align=center, border=box)
            else:
                cell = _xlsx_put(ws, r, c, e.value, font=italic if prov == "inferred" else body, align=center,
                                 border=box)
            if prov in fills:
                cell.fill = fills[prov]
            if e is not None and prov != "stated-table":
                cell.comment = Comment(safe_cell_text(_cell_note(e, t, doc.version)), "reportkit", width=320, height=120)
            widths[c] = max(widths.get(c, 0), 6)
        # Legend under the table (load_xlsx reads only the grid above it).
        row = _XLSX_TOP + n_rows + 1
        _xlsx_put(ws, row, 1, "图例", font=bold)
        for i, (prov, (zh, en, fill)) in enumerate(PROVENANCE.items()):
            c = _xlsx_put(ws, row + 1 + i, 1, f"{zh}（{en}）", font=body)
            if fill:
                c.fill = fills[prov]
        _fit_columns(ws, widths, cap=48 if tid == "requests" else 30)

    # Long form: one row per cell.
    ws = wb.create_sheet("cells")
    head = ["table", "row_id", "row", "column_id", "column", "value", "low", "high", "provenance", "rule",
            "evidence", "uses"]
    for j, h in enumerate(head, 1):
        _xlsx_put(ws, 1, j, h, font=bold, fill=header_fill)
    widths = {j: _display_width(h) for j, h in enumerate(head, 1)}
    for i, rec in enumerate(_provenance_records(doc), 2):
        ev = " / ".join(str(x.get("text", "")) for x in rec["evidence"])
        uses = "; ".join("/".join(map(str, u)) for u in rec["uses"])
        vals = [rec["table"], rec["row_id"], rec["row"], rec["column_id"], rec["column"], rec["value"],
                rec["low"], rec["high"], rec["provenance"], rec["rule"] or "", ev[:_XLSX_CHUNK], uses[:_XLSX_CHUNK]]
        for j, v in enumerate(vals, 1):
            c = _xlsx_put(ws, i, j, v, font=body)
            if j == 9 and rec["provenance"] in fills:
                c.fill = fills[rec["provenance"]]
            widths[j] = max(widths[j], _display_width(v if v is not None else ""))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:L{len(doc.cells) + 1}"
    _fit_columns(ws, widths, cap=40)

    # Prose: one row per section (long sections continue on further rows).
    ws = wb.create_sheet("sections")
    for j, h in enumerate(["number", "title", "status", "text"], 1):
        _xlsx_put(ws, 1, j, h, font=bold, fill=header_fill)
    r = 2
    for sec in doc.sections:
        parts = [sec.text[k:k + _XLSX_CHUNK] for k in range(0, len(sec.text), _XLSX_CHUNK)] or [""]
        for part in parts:
            for j, v in enumerate([sec.number, sec.title, sec.status, part], 1):
                _xlsx_put(ws, r, j, v, font=body, align=left if j == 4 else None)
            r += 1
    _fit_columns(ws, {1: 6, 2: 40, 3: 8, 4: 100}, cap=100)

    # Legend sheet for readers, and the hidden metadata load_xlsx needs.
    ws = wb.create_sheet("说明")
    lines = [("reportkit 导出：重建后的政府信息公开工作年度报告表格", title_font),
             (f"来源：{doc.source}", body), (f"格式版本：{doc.version}", body), ("", body),
             ("颜色与标记", bold)]
    for i, (text, font) in enumerate(lines, 1):
        _xlsx_put(ws, i, 1, text, font=font)
    for i, (prov, (zh, en, fill)) in enumerate(PROVENANCE.items(), len(lines) + 1):
        c = _xlsx_put(ws, i, 1, f"{zh}（{en}）" + ("：单元格显示“？”，括号内为可能范围" if prov == "unknown" else ""),
                      font=body)
        if fill:
            c.fill = fills[prov]
    _fit_columns(ws, {1: 70}, cap=90)
    ws = wb.create_sheet("reportkit")
    meta = [("schema", XLSX_SCHEMA), ("source", doc.source), ("title", doc.title or ""),
            ("agency", doc.agency or ""), ("year", doc.year if doc.year is not None else ""),
            ("format", doc.version), ("report_format", doc.report_format or ""), ("grid_top_row", _XLSX_TOP)]
    intro_parts = [doc.intro[k:k + _XLSX_CHUNK] for k in range(0, len(doc.intro), _XLSX_CHUNK)] or [""]
    meta += [("intro", p) for p in intro_parts]
    for i, (k, v) in enumerate(meta, 1):
        _xlsx_put(ws, i, 1, k, font=body)
        _xlsx_put(ws, i, 2, v, font=body)
    ws.sheet_state = "hidden"
    wb.properties.title = _xml_safe(doc.title or "政府信息公开工作年度报告")
    wb.properties.language = "zh-CN"
    wb.save(str(out))


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def load_xlsx(path) -> Report:
    """Read a workbook written by :func:`export` (``fmt="xlsx"``) back to a report. The official-layout
    sheets are what counts (a person may have corrected a number there); a cell holding anything but a
    number ("？", a blank, text) reads as NA, never as 0. Raises ReportError for other workbooks."""
    import zipfile
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    source = str(path)
    try:
        wb = load_workbook(str(path), data_only=True, read_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        raise StructuredDataError(f"not a readable .xlsx workbook ({type(e).__name__}: {e})", source) from None
    if "reportkit" not in wb.sheetnames:
        raise StructuredDataError("not a workbook written by reportkit export (it has no 'reportkit' sheet)",
                                  source, "sheets")
    meta: dict[str, object] = {}
    intro = []
    for k, v in wb["reportkit"].iter_rows(min_col=1, max_col=2, values_only=True):
        if k == "intro":
            intro.append(_unsafe_cell_text(str(v or "")))
        elif k:
            meta[str(k)] = _unsafe_cell_text(v) if isinstance(v, str) else v
    if meta.get("schema") != XLSX_SCHEMA:
        raise StructuredDataError(f"unknown workbook schema {meta.get('schema')!r} (expected {XLSX_SCHEMA})",
                                  source, "reportkit!B1")
    version = str(meta.get("format") or "2021")
    if version not in ("2021", "2019"):
        raise StructuredDataError(f"unknown format version {version!r}", source, "reportkit")
    top = int(meta.get("grid_top_row") or _XLSX_TOP)
    cells: dict[tuple[str, str, str], CellEstimate] = {}
    notes = []
    for tid in TABLE_IDS:
        sheet = _XLSX_SHEETS[tid]
        if sheet not in wb.sheetnames:
            raise StructuredDataError(f"the sheet {sheet!r} is missing", source, sheet)
        ws = wb[sheet]
        t = spec().table(tid, version)
        grid, _, _ = _grid(t)
        for g in grid:
            coord = ws.cell(row=top + g.row, column=1 + g.col)
            if g.key is None:
                # The row labels pin the layout: a sheet whose rows moved is refused, not misread.
                if not g.header and g.text and label_key(str(coord.value or "")) != label_key(g.text):
                    raise StructuredDataError(
                        f"expected the label {g.text!r} here, found {coord.value!r}: rows were moved or "
                        "deleted, so the numbers cannot be placed", source, f"{sheet}!{coord.coordinate}")
                continue
            v = coord.value
            est = CellEstimate(tid, g.key[0], g.key[1], provenance="unknown")
            if isinstance(v, bool) or v is None:
                pass
            elif isinstance(v, (int, float)):
                est.value = est.low = est.high = v
                est.provenance = "stated-table"
            elif isinstance(v, str):
                s = _unsafe_cell_text(v).strip()
                if _NUMBER.fullmatch(s):
                    est.value = est.low = est.high = float(s) if "." in s else int(s)
                    est.provenance = "stated-table"
                elif s and not s.startswith("？"):
                    notes.append({"kind": "non_numeric_cell", "message": f"{sheet}!{coord.coordinate}: {s!r} "
                                  "is not a number; read as unknown"})
            cells[(tid, *g.key)] = est
    secs: dict[int, _Sec] = {}
    if "sections" in wb.sheetnames:
        for row in wb["sections"].iter_rows(min_row=2, values_only=True):
            if not row or not isinstance(row[0], (int, float)) or not 1 <= int(row[0]) <= 6:
                continue
            n = int(row[0])
            text = _unsafe_cell_text(str(row[3] or "")) if len(row) > 3 else ""
            if n in secs:
                secs[n].text += text
            else:
                status = str(row[2] or "present")
                secs[n] = _Sec(n, spec().section(n).title, status, text)
    sections = [secs.get(s.number) or _Sec(s.number, s.title, "missing", "") for s in spec().sections]
    year = meta.get("year")
    doc = _Doc(title=str(meta.get("title") or "") or None, agency=str(meta.get("agency") or "") or None,
               year=int(year) if isinstance(year, (int, float)) or (isinstance(year, str) and year.isdigit()) else None,
               version=version, source=source, intro="".join(intro), sections=sections, cells=cells,
               report_format=str(meta.get("report_format") or "") or None)
    rep = _plain_report(doc, source)
    rep.notes.extend(notes)
    return rep


# --------------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------------

def export(reconstruction: Reconstruction, fmt: str, out, draft=None) -> Path:
    """Write ``reconstruction`` as ``fmt`` (md, html, docx, xlsx, yaml, json) to ``out`` and return the
    path. ``draft`` (a :class:`reportkit.draft.Draft`, optional) goes into md, html and docx."""
    fmt = str(fmt).lower().lstrip(".")
    if fmt == "yml":
        fmt = "yaml"
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        out.write_text(to_markdown(reconstruction, draft), encoding="utf-8")
    elif fmt == "html":
        out.write_text(to_html(reconstruction, draft), encoding="utf-8")
    elif fmt in ("yaml", "json"):
        out.write_text(_dumps(to_structured(reconstruction), fmt), encoding="utf-8")
    elif fmt == "docx":
        _write_docx(_doc(reconstruction), out, draft)
    else:
        _write_xlsx(_doc(reconstruction), out)
    return out


def _cmd_export(args) -> int:
    from .load import load
    from .reconstruct import reconstruct
    rep = load(args.path)
    rec = reconstruct(rep)
    draft = None
    if args.draft:
        try:
            from .draft import draft as make_draft
        except ImportError as e:
            print(f"reportkit: --draft needs reportkit.draft ({e})", file=sys.stderr)
            return 2
        draft = make_draft(rec)
    if args.output == "-":
        if args.to in ("docx", "xlsx"):
            print(f"reportkit: --to {args.to} writes a binary file; give a path with -o", file=sys.stderr)
            return 2
        if args.to == "md":
            sys.stdout.write(to_markdown(rec, draft))
        elif args.to == "html":
            sys.stdout.write(to_html(rec, draft))
        else:
            sys.stdout.write(_dumps(to_structured(rec), args.to))
        return 0
    path = export(rec, args.to, args.output, draft=draft)
    print(path)
    print(f"reportkit: wrote {args.to} export of {args.path} to {path}", file=sys.stderr)
    return 0


def add_cli(sub) -> None:
    """Register ``reportkit export``."""
    sp = sub.add_parser(
        "export", help="reconstruct a report and write it as md, html, docx, xlsx, yaml or json",
        description=("Load a report, reconstruct its tables (with provenance) and export it. "
                     "YAML, JSON, HTML and XLSX exports load back with reportkit to the same numbers."))
    sp.add_argument("path", help="report file (.txt, .html, .pdf, .docx, .yaml, .json, .xlsx)")
    sp.add_argument("--to", required=True, choices=FORMATS, help="output format")
    sp.add_argument("-o", "--output", required=True, metavar="OUT",
                    help="output file ('-' writes md/html/yaml/json to stdout)")
    sp.add_argument("--draft", action="store_true",
                    help="add the drafted text of every section (md, html, docx)")
    sp.set_defaults(func=_cmd_export)


make_callable(__name__, "export")

"""The neutral document every export is written from: a reconstruction's sections, cells and drafts,
with the notes that say where each number comes from.

Every export shows where each number comes from (the provenance of
:class:`reportkit.reconstruct.CellEstimate`): a number read from the report's own table is plain; one
stated in the prose or inferred from the format's identities is set apart (and names its evidence or
rule); an unknown cell is marked "？" (with its bounds when they are known), never written as a number.

Sections 二–四 carry the table rebuilt from the reconstruction; the copy of the table the source
printed (often with its digits run together) is left out of their prose, every sentence kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .. import rx
from ..format import TABLE_IDS, VERSIONS, Table, label_key, spec, strip_enumerator
from ..model import PROVENANCE_WORDS
from ..reconstruct import CellEstimate, Reconstruction, rule_text as _rule_text
from ..tables import _header_keys
from ..text import num_text

FORMATS = ("md", "html", "docx", "xlsx", "yaml", "json")

# Provenance → (Chinese label, English label, fill colour for docx/xlsx).
PROVENANCE = {
    "stated-table": (PROVENANCE_WORDS["stated-table"], "stated in the report's table", None),
    "stated-prose": (PROVENANCE_WORDS["stated-prose"], "stated in the report's prose", "E2EFDA"),
    "inferred": (PROVENANCE_WORDS["inferred"], "inferred from the format's identities", "DDEBF7"),
    "unknown": (PROVENANCE_WORDS["unknown"], "unknown", "EDEDED"),
}
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
    words: set[str] = set()
    for v in VERSIONS:
        t = spec().table(tid, v)
        # The header cells above the labels: 信息内容, 申请人情况, the applicant and appeal groups.
        words |= {label_key(x) for x in (t.content_header, *(p for c in t.columns for p in c.path)) if x}
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


def _bounds_text(e: CellEstimate) -> str:
    """Visible bounds of an unknown cell: shown only when they say more than "not negative"."""
    lo, hi = e.low, e.high
    if hi is not None and lo is not None:
        return f"{num_text(lo)}–{num_text(hi)}" if lo != hi else num_text(lo)
    if hi is not None:
        return f"≤{num_text(hi)}"
    if lo is not None and lo != 0:
        return f"≥{num_text(lo)}"
    return ""


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
        groups.setdefault((e.row, e.provenance, e.rule or "", ev, num_text(e.value)), []).append(e)
    out = []
    for (rid, prov, rule, ev, value), es in groups.items():
        cols = "、".join(t.column(e.column).name for e in es)
        parts = [f"{t.row(rid).label}（{cols}）＝{value}：{PROVENANCE.get(prov, (prov,))[0]}"]
        if _rule_text(rule, doc.version):
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
    if _rule_text(e.rule, version):
        parts.append(_rule_text(e.rule, version))
    ev = "；".join(str(x.get("text", "")) for x in (e.evidence or []) if isinstance(x, dict) and x.get("text"))
    if ev and e.provenance == "stated-prose":
        parts.append(f"依据「{ev[:200]}」")
    if e.value is None:
        b = _bounds_text(e)
        if b:
            parts.append(f"可能范围 {b}")
    return "，".join(parts)


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


# --------------------------------------------------------------------------------------------------
# Drafts (another module builds them; only the documented attributes are used, defensively)
# --------------------------------------------------------------------------------------------------

_PLACEHOLDER = rx.lazy(r"【待补充[^】\n]*】")


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
    if getattr(a, "source_kind", None) == "cell" and len(parts) == 3 and parts[0] in TABLE_IDS:
        try:
            t = spec().table(parts[0], version)
            return f"{t.name} {t.row(parts[1]).label} / {t.column(parts[2]).name}"
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


def as_loaded(text: str) -> str:
    """Prose as the loader gives it back from the exported page (one paragraph a line, runs of white
    space one space, no blank lines), so that export → load → export writes the same file."""
    lines = (" ".join(line.split()) for line in str(text or "").split("\n"))
    return "\n".join(line for line in lines if line)

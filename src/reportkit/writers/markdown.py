"""Markdown: the official tables as pipe tables, inferred numbers in italics, prose numbers marked †,
unknown cells "？". Report text is escaped (:func:`reportkit.text.md_escape`)."""

from __future__ import annotations

from pathlib import Path

from ..format import Table, spec
from ..reconstruct import CellEstimate, Reconstruction
from .document import _Doc, _SECTION_NOTE, _TABLE_SECTION_NOTE, _bounds_text, _doc, _draft_label, _draft_pieces, _draft_sections, _paragraphs, _source_notes
from ..text import md_escape, num_text


def _md_value(e: CellEstimate | None) -> str:
    if e is None or e.value is None:
        b = _bounds_text(e) if e is not None else ""
        return f"？（{b}）" if b else "？"
    v = num_text(e.value)
    if e.provenance == "inferred":
        return f"*{v}*"
    if e.provenance == "stated-prose":
        return f"{v}†"
    return v


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"


def _applicant_header(t: Table) -> str:
    """Table 三's merged header in one line: 申请人情况：自然人；法人或其他组织（商业企业、…、其他）；总计."""
    groups: dict[str, list[str]] = {}
    for c in t.columns:
        groups.setdefault(c.path[1], []).append(c.label)
    parts = [g if labels == [g] else f"{g}（{'、'.join(labels)}）" for g, labels in groups.items()]
    return f"{t.columns[0].path[0]}：{'；'.join(parts)}"


def _md_table(doc: _Doc, t: Table) -> list[str]:
    def e(rid, cid):
        return doc.cells.get((t.id, rid, cid))

    lines: list[str] = []
    if t.blocks:
        for b in t.blocks:
            lines.append(f"**{md_escape(b.label)}**")
            lines.append("")
            lines.append(_md_row([md_escape(t.content_header or "")] + [md_escape(t.column(c).label) for c in b.columns]))
            lines.append(_md_row(["---"] * (len(b.columns) + 1)))
            for rid in b.rows:
                lines.append(_md_row([md_escape(t.row(rid).label)] + [_md_value(e(rid, c)) for c in b.columns]))
            lines.append("")
    elif len(t.data_rows) > 1:
        lines.append(md_escape(_applicant_header(t)))
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

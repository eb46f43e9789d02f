"""Check a loaded report against the official format (国办公开办函〔2021〕30号) and against itself.

The rules are data (``data/rules.yaml``: id, category, severity, basis, default origin, description in
Chinese and English); this module holds one small function per rule, registered under its id. A
finding names the rule, where it is (section, table cell, a span into ``Report.text`` with the quoted
text), what is wrong in Chinese and in English, whether it is a defect of the report (``author``), an
artifact of how the page was copied (``capture``) or cannot be told (``undetermined``), and what
requires it (the format, an article of the 条例, or ``convention``).

Two principles run through every rule: a blank or unreadable cell is never taken as 0 (an identity
with such a cell is skipped, not failed), and nothing is reported about text that is not there (a
section after the point where a capture was cut off is "undetermined", not the author's fault).

>>> import reportkit as rk, reportkit.check
>>> findings = rk.check(rk.load(rk.paths.SEED_TEXT))      # the package exports check.check
>>> sorted(set(findings["rule"]))[:3]
['doc_number_malformed', 'fee_not_reported', 'heading_brackets']

Also here: :func:`gaps` and :func:`completeness` (what the format requires that the text holds); the
``reportkit check`` / ``reportkit rules`` commands are in :mod:`reportkit.cli.check`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Callable

import pandas as pd
import yaml

from .format import TABLE_IDS, Table, label_key, spec
from .lexicon import COUNT_UNITS, NEG_RECEIVE, STAT_PERIOD, UNIT_FAMILY
from .model import Report, TableRead
from .text import NUMERALS, width_fold as _width_fold

FINDING_COLUMNS = ("rule", "severity", "section", "table", "row", "column", "message", "message_en",
                   "origin", "basis", "start", "end", "evidence")
SEVERITIES = ("error", "warning", "info")
ORIGINS = ("author", "capture", "undetermined")
GAP_COLUMNS = ("kind", "section", "table", "row_id", "row", "column_id", "column", "status")

_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_NUMERALS = NUMERALS[1:7]
_TABLE_NO = {tid: spec().table(tid).name for tid in TABLE_IDS}
EVIDENCE_MAX = 160          # characters of quoted evidence (always a prefix of text[start:end])


# ---------------------------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    basis: str
    origin: str
    description: str
    description_en: str
    identity: str | None = None
    params: dict | None = None


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, Rule]:
    raw = yaml.safe_load(resources.files("reportkit").joinpath("data/rules.yaml").read_text(encoding="utf-8"))
    out: dict[str, Rule] = {}
    for r in raw["rules"]:
        rule = Rule(id=r["id"], category=r["category"], severity=r["severity"], basis=r["basis"],
                    origin=r["origin"], description=r["description"], description_en=r["description_en"],
                    identity=r.get("identity"), params=r.get("params"))
        if rule.id in out:
            raise ValueError(f"rules.yaml: rule {rule.id!r} is defined twice")
        if rule.severity not in SEVERITIES or rule.origin not in ORIGINS:
            raise ValueError(f"rules.yaml: rule {rule.id!r} has an unknown severity or origin")
        out[rule.id] = rule
    return out


def rules() -> pd.DataFrame:
    """Every rule the checker runs: id, category, severity, basis, origin, description (zh, en)."""
    cols = ["id", "category", "severity", "basis", "origin", "description", "description_en"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in _rules().values()], columns=cols)


_IMPL: dict[str, Callable[["_Ctx"], None]] = {}


def _rule(*ids: str):
    """Register the function implementing the rule(s) ``ids`` (an arithmetic helper serves several)."""
    def deco(fn):
        for rid in ids:
            if rid in _IMPL:
                raise ValueError(f"rule {rid!r} has two implementations")
            _IMPL[rid] = fn
        return fn
    return deco


# ---------------------------------------------------------------------------------------------- context

_SENTENCE_FINAL = set("。！？!?…”」』)）》】;；.")


@functools.lru_cache(maxsize=None)
def _section_of(table_id: str) -> int:
    return spec().section_for_table(table_id).number


class _Ctx:
    """One report under check: its width-folded text, where the capture was cut, and the findings."""

    def __init__(self, report: Report):
        self.report = report
        self.text = report.text
        self.ft = _width_fold(report.text)              # same length and offsets as the text
        self.rule: Rule | None = None
        self.out: list[dict] = []
        self._values: dict[str, dict] = {}
        present = [s.number for s in report.sections if s.present]
        self.first_present = min(present) if present else None
        self.last_present = max(present) if present else None
        # Where a copied text was cut short. An HTML page is whole by nature, and its text ends in site
        # furniture without a full stop, so the test is for text copies only.
        copied = report.kind != "html"
        self.cut_end = self._cut_end() if copied else None
        self.cut_start = (copied and self.first_present is not None and self.first_present > 1
                          and report.preamble_end < 120)

    def section_at(self, pos: int | None) -> int | None:
        if pos is None:
            return None
        for s in self.report.sections:
            if s.present and s.start <= pos < s.end:
                return s.number
        return None

    def _cut_end(self) -> int | None:
        """Where the text stops short (end offset), or None. A text that reached section 六, or ends on
        a sentence end, is taken as whole: only a text stopping mid-sentence before 六 is cut."""
        tail = self.text.rstrip()
        if not tail or self.last_present == 6 or tail[-1] in _SENTENCE_FINAL:
            return None
        return len(tail)

    def cut_inside(self, number: int) -> bool:
        """True when the capture was cut inside section ``number`` (it is the last one reached)."""
        return self.cut_end is not None and self.last_present == number

    def table_spans(self) -> list[tuple[int, int]]:
        return [(t.start, t.end) for t in self.report.tables.values()
                if t is not None and t.start is not None and t.end is not None]

    def values(self, tid: str) -> dict[tuple[str, str], object]:
        """(row, column) → number, for the cells of table ``tid`` that hold one (computed once)."""
        if tid not in self._values:
            tr = self.report.tables.get(tid)
            self._values[tid] = ({k: c.value for k, c in tr.cells.items() if c.state == "value"}
                                 if tr is not None else {})
        return self._values[tid]

    def assets_in(self, number: int) -> list[dict]:
        """Images, iframes, embeds and attachment links placed under heading ``number``. Placed by
        offset, end included: an image emits no text, so one right after an empty section's heading
        sits at the very offset where the next heading starts, and belongs to the empty section."""
        s = self.report.section(number)
        if not s.present:
            return []
        out = []
        for a in self.report.assets:
            if a.get("kind") not in ("img", "iframe", "embed", "object", "video", "attachment"):
                continue
            at = a.get("at")
            if (s.body_start <= at <= s.end) if at is not None else a.get("section") == number:
                out.append(a)
        return out

    # -- output
    def emit(self, message: str, message_en: str, *, start: int | None = None, end: int | None = None,
             section: object = ..., table: str | None = None, row: str | None = None,
             column: str | None = None, severity: str | None = None, origin: str | None = None) -> None:
        rule = self.rule
        if start is not None and end is None:
            end = start
        if section is ...:
            # A table finding belongs to the table's section even when its span is a zero-length point
            # at a boundary; prose findings that name a table pass their own section.
            section = _section_of(table) if table is not None else self.section_at(start)
        evidence = self.text[start:end][:EVIDENCE_MAX] if start is not None else ""
        self.out.append({
            "rule": rule.id, "severity": severity or rule.severity, "section": section, "table": table,
            "row": row, "column": column, "message": message, "message_en": message_en,
            "origin": origin or rule.origin, "basis": rule.basis, "start": start, "end": end,
            "evidence": evidence,
        })


# ---------------------------------------------------------------------------------------------- labels

def _num(v) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    return str(v)


_SHORT_ROWS: dict[tuple[str, int, str], str] = {}


def _short_row(t: Table, rid: str) -> str:
    """A row label short enough for a message, still unambiguous: the explanation in brackets after
    （二）部分公开 is dropped, the long （六） labels are cut at their comma, and sub-rows ("1.…") carry
    their group's enumerator."""
    key = (t.id, len(t.rows), rid)
    if key not in _SHORT_ROWS:
        _SHORT_ROWS[key] = _make_short_row(t, rid)
    return _SHORT_ROWS[key]


def _make_short_row(t: Table, rid: str) -> str:
    row = t.row(rid)
    label = re.sub(r"^(（[一二三四五六七]）[^（]+)（.*）$", r"\1", row.label)
    label = label.split("、行政机关")[0]
    if row.parent:
        parent = t.row(row.parent)
        m = re.match(r"^（[一二三四五六七]）", parent.label)
        if parent.kind == "group" and m and re.match(r"^\d+\.", label):
            label = m.group() + label
    return label


def _cell_ref(t: Table, rid: str, cid: str) -> str:
    if t.id == "appeals":
        return f"{_TABLE_NO[t.id]}「{t.column(cid).name}」"
    if t.id == "proactive":
        return f"{_TABLE_NO[t.id]}「{t.row(rid).label}/{t.column(cid).name}」"
    return f"{_TABLE_NO[t.id]}「{_short_row(t, rid)}」行「{t.column(cid).name}」列"


def _sec_name(number: int) -> str:
    return f"第{_NUMERALS[number - 1]}部分「{spec().section(number).title}」"


def _table_of(tr: TableRead) -> Table:
    return _table(tr.table, tr.version)


@functools.lru_cache(maxsize=None)
def _table(table_id: str, version: str) -> Table:
    return spec().table(table_id, version)


# ---------------------------------------------------------------------------------------------- structure

@_rule("section_missing")
def _section_missing(ctx: _Ctx) -> None:
    for s in ctx.report.sections:
        if s.present:
            continue
        after_cut = ctx.cut_end is not None and s.number > (ctx.last_present or 0)
        before_start = ctx.cut_start and s.number < ctx.first_present
        if after_cut or before_start:
            where, where_en = (("文本在此之前已中断", "the text stops before it") if after_cut
                               else ("文本从后面的部分才开始", "the text starts after it"))
            ctx.emit(f"未见{_sec_name(s.number)}的标题；{where}，可能是复制时丢失。",
                     f"Section {_NUMERALS[s.number - 1]} ({s.title}) is not in the text; {where_en}, "
                     "so it may have been lost in copying.",
                     start=s.start, section=s.number, origin="undetermined")
        else:
            ctx.emit(f"缺少{_sec_name(s.number)}。",
                     f"Section {_NUMERALS[s.number - 1]} ({s.title}) is missing.",
                     start=s.start, section=s.number)


@_rule("section_order")
def _section_order(ctx: _Ctx) -> None:
    highest = 0
    for s in sorted((s for s in ctx.report.sections if s.present), key=lambda s: s.start):
        if s.number < highest:
            ctx.emit(f"{_sec_name(s.number)}出现在第{_NUMERALS[highest - 1]}部分之后，顺序不符合格式。",
                     f"Section {_NUMERALS[s.number - 1]} comes after section {_NUMERALS[highest - 1]}.",
                     start=s.start, end=s.body_start, section=s.number)
        highest = max(highest, s.number)


def _heading_line(ctx: _Ctx, s) -> tuple[int, int]:
    """The heading as written: the matched words, plus the rest of its line when that rest is a short
    continuation of the title (the section regexes may match only a prefix of a variant title)."""
    end = s.body_start
    nl = ctx.text.find("\n", end)
    rest = ctx.text[end: nl if nl >= 0 else len(ctx.text)]
    if rest and not rest[0].isspace() and len(rest.rstrip()) <= 16 and not re.search(r"[。，,;；:：]", rest):
        end += len(rest.rstrip())
    return s.start, end


@_rule("section_renamed")
def _section_renamed(ctx: _Ctx) -> None:
    for s in ctx.report.sections:
        if not s.present:
            continue
        start, end = _heading_line(ctx, s)
        written = ctx.text[start:end]
        if label_key(written) == label_key(s.title):
            continue
        no_numeral = not label_key(written).startswith(_NUMERALS[s.number - 1])
        if no_numeral:
            ctx.emit(f"第{_NUMERALS[s.number - 1]}部分标题「{written.strip()}」没有序号"
                     f"（列表序号复制时常被换成圆点），格式规定为「{s.title}」。",
                     f"Heading {written.strip()!r} lost its numeral (a list number often becomes a bullet "
                     f"when copied); the official title is {s.title!r}.",
                     start=start, end=end, section=s.number, origin="capture")
        else:
            ctx.emit(f"第{_NUMERALS[s.number - 1]}部分标题为「{written.strip()}」，格式规定为「{s.title}」。",
                     f"Heading {written.strip()!r} differs from the official title {s.title!r}.",
                     start=start, end=end, section=s.number)


def _table_origin(ctx: _Ctx) -> tuple[str, str, str]:
    """Origin of a table absent from the text. A plain-text copy cannot show whether the page held the
    table as an image or attachment (the usual reason, corpus-notes §2 I); an HTML page can."""
    if ctx.report.kind == "html":
        return "author", "", ""
    return ("undetermined", "（纯文本看不出原网页是否以图片或附件发布表格）",
            " (a text copy cannot show whether the page held the table as an image or attachment)")


@_rule("section_empty")
def _section_empty(ctx: _Ctx) -> None:
    for s in ctx.report.sections:
        if not s.is_empty(ctx.text):
            continue
        tid = spec().section(s.number).table
        if tid is None:
            ctx.emit(f"{_sec_name(s.number)}只有标题，没有内容。",
                     f"Section {_NUMERALS[s.number - 1]} ({s.title}) is a bare heading with nothing under it.",
                     start=s.start, end=s.body_start, section=s.number)
            continue
        if ctx.assets_in(s.number):
            continue                        # table_in_asset reports it as a capture artifact
        origin, note, note_en = _table_origin(ctx)
        ctx.emit(f"{_sec_name(s.number)}只有标题，格式要求的统计表缺失{note}。",
                 f"Section {_NUMERALS[s.number - 1]} ({s.title}) is a bare heading: its table is missing{note_en}.",
                 start=s.start, end=s.body_start, section=s.number, table=tid, origin=origin)


@_rule("table_missing")
def _table_missing(ctx: _Ctx) -> None:
    for tid in TABLE_IDS:
        s = ctx.report.section(_section_of(tid))
        if not s.present or s.is_empty(ctx.text) or ctx.assets_in(s.number):
            continue
        tr = ctx.report.tables.get(tid)
        if tr is not None and tr.cells:
            continue
        if ctx.cut_inside(s.number):
            origin, note, note_en = "undetermined", "（文本在此部分中断）", " (the text stops inside this section)"
        else:
            origin, note, note_en = _table_origin(ctx)
        what = "只见表头、不见任何数据行" if tr is not None else "有文字但没有统计表"
        what_en = "shows the table header but no data row" if tr is not None else "has text but no table"
        ctx.emit(f"{_sec_name(s.number)}{what}{note}。",
                 f"Section {_NUMERALS[s.number - 1]} ({s.title}) {what_en}{note_en}.",
                 start=s.start, end=s.body_start, section=s.number, table=tid, origin=origin)


@_rule("table_rows_missing")
def _table_rows_missing(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None or not tr.cells:
            continue
        t = _table_of(tr)
        have = {r for r, _ in tr.cells}
        missing = [r for r in t.data_rows if r.id not in have]
        if not missing:
            continue
        num = _section_of(tid)
        cut = ctx.cut_inside(num)
        glued = any(i.kind == "run_together" for i in tr.issues)
        names = "、".join(_short_row(t, r.id) for r in missing[:6]) + ("等" if len(missing) > 6 else "")
        if cut:
            note, note_en = ("；文本在此表中中断，缺行可能是复制时截断",
                             "; the text stops inside this table, so they may have been cut off in copying")
        elif glued:
            # Where digits ran together, a row label may be glued to them too ("00000003.其他") and so
            # not be recognised: the row may be there.
            note, note_en = ("；此表有数字连写，行标签可能也与数字连在一起而未能识别",
                             "; digits run together in this table, so a row label may be glued to them and "
                             "not recognised")
        else:
            note, note_en = "", ""
        ctx.emit(f"{_TABLE_NO[tid]}缺少{len(missing)}行：{names}{note}。",
                 f"Table {_TABLE_NO[tid][1]} lacks {len(missing)} rows: "
                 f"{', '.join(r.id for r in missing)}{note_en}.",
                 start=tr.end, table=tid, row=missing[0].id if len(missing) == 1 else None,
                 origin="undetermined" if cut or glued else None)


@_rule("row_without_values")
def _row_without_values(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        issues = [i for i in tr.issues if i.kind == "no_values"]
        if not issues:
            continue
        t = _table_of(tr)
        printed = any(c.state != "missing" for c in tr.cells.values())
        if not printed:
            spans = [i.start for i in issues if i.start is not None] + [i.end for i in issues if i.end is not None]
            start, end = (min(spans), max(spans)) if spans else (tr.start, tr.end)
            ctx.emit(f"{_TABLE_NO[tid]}的{len(issues)}行只有标签、没有任何数字：表格未填写。",
                     f"Table {_TABLE_NO[tid][1]}: {len(issues)} rows are printed without a single number "
                     "(an unfilled template).", start=start, end=end, table=tid)
            continue
        for i in issues:
            label = _short_row(t, i.row) if i.row else "数据行"
            ctx.emit(f"{_TABLE_NO[tid]}「{label}」行只有标签，没有数字。",
                     f"Table {_TABLE_NO[tid][1]}: row {i.row} is printed without numbers.",
                     start=i.start if i.start is not None else tr.start,
                     end=i.end if i.start is not None else tr.end, table=tid, row=i.row)


def _issue_rows(ctx: _Ctx, kinds: tuple[str, ...]):
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        for i in tr.issues:
            if i.kind in kinds:
                yield tid, tr, _table_of(tr), i


_KNOWN_ISSUES = ("no_values", "run_together", "non_numeric", "duplicate_row", "cell_count")


@_rule("cell_count")
def _cell_count(ctx: _Ctx) -> None:
    for tid, tr, t, i in _issue_rows(ctx, ("cell_count",)):
        n = len(t.columns_for(i.row)) if i.row else len(t.columns)
        got = len(i.raw.split()) if i.raw else 0
        label = _short_row(t, i.row) if i.row and t.id != "appeals" else "数据行"
        cut = ctx.cut_end is not None and i.end is not None and ctx.cut_end - i.end <= 8
        note, note_en = (("；文本在此行中断", "; the text stops in this row") if cut else
                         ("；复制时空白单元格常会消失", "; empty cells often vanish when a page is copied"))
        ctx.emit(f"{_TABLE_NO[tid]}「{label}」行有{got}个单元格，格式为{n}个，无法确定数字所属的列{note}。",
                 f"Table {_TABLE_NO[tid][1]}, row {i.row}: {got} cells where the format has {n}; the numbers "
                 f"cannot be placed in columns{note_en}.",
                 start=i.start, end=i.end, table=tid, row=i.row)
    # Other issue kinds of the table reader ("too_many_digits", and any added later) are reported here
    # too, never dropped: a cell the reader refused is a cell whose number is not known.
    for tid, tr in ctx.report.tables.items():
        for i in (tr.issues if tr is not None else ()):
            if i.kind in _KNOWN_ISSUES:
                continue
            t = _table_of(tr)
            where = (_cell_ref(t, i.row, i.column) if i.row and i.column else
                     f"{_TABLE_NO[tid]}「{_short_row(t, i.row)}」行" if i.row else _TABLE_NO[tid])
            raw = f"「{i.raw}」" if i.raw else ""
            what = "数字位数过多，不是有效的单元格数值，未读取" if i.kind == "too_many_digits" else f"无法按格式读取（{i.kind}）"
            ctx.emit(f"{where}{raw}{what}。", f"Table {_TABLE_NO[tid][1]}: {i.message}",
                     start=i.start, end=i.end, table=tid, row=i.row, column=i.column)


@_rule("cells_run_together")
def _cells_run_together(ctx: _Ctx) -> None:
    for tid, tr, t, i in _issue_rows(ctx, ("run_together",)):
        n = len(t.columns_for(i.row)) if i.row else len(t.columns)
        label = _short_row(t, i.row) if i.row and t.id != "appeals" else "数据行"
        ctx.emit(f"{_TABLE_NO[tid]}「{label}」行的数字连在一起（“{i.raw}”），应为{n}个单元格："
                 "复制网页时丢失了单元格分隔，不作拆分猜测。",
                 f"Table {_TABLE_NO[tid][1]}, row {i.row}: digits run together ({i.raw!r}) for {n} cells; the "
                 "cell boundaries were lost in copying and are not guessed.",
                 start=i.start, end=i.end, table=tid, row=i.row)


@_rule("duplicate_row")
def _duplicate_row(ctx: _Ctx) -> None:
    for tid, tr, t, i in _issue_rows(ctx, ("duplicate_row",)):
        ctx.emit(f"{_TABLE_NO[tid]}「{_short_row(t, i.row)}」行出现两次，只采用第一次。",
                 f"Table {_TABLE_NO[tid][1]}: row {i.row} appears twice; the first one is used.",
                 start=i.start, end=i.end, table=tid, row=i.row)


@_rule("count_not_a_number")
def _count_not_a_number(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        t = _table_of(tr)
        by_row: dict[str, list] = {}
        for (rid, cid), c in tr.cells.items():
            if c.state == "blank":
                by_row.setdefault(rid, []).append(c)
        for rid, cells in by_row.items():
            order = {c.id: k for k, c in enumerate(t.columns)}
            cells.sort(key=lambda c: order.get(c.column, 0))
            what = "、".join(f"「{t.column(c.column).name}」{'填“' + c.raw + '”' if c.raw else '空白'}"
                            for c in cells)
            what_en = ", ".join(f"{c.column}={c.raw!r}" if c.raw else f"{c.column} blank" for c in cells)
            spans = [c for c in cells if c.start is not None]
            start = min(c.start for c in spans) if spans else None
            end = max(c.end for c in spans) if spans else None
            label = _short_row(t, rid) if t.id != "appeals" else "数据行"
            ctx.emit(f"{_TABLE_NO[tid]}「{label}」行{what}：应填数字（没有就填0，空白不等于0）。",
                     f"Table {_TABLE_NO[tid][1]}, row {rid}: {what_en} where a count belongs (a blank is not 0).",
                     start=start, end=end, table=tid, row=rid,
                     column=cells[0].column if len(cells) == 1 else None)


def _find(ctx: _Ctx, pattern: re.Pattern, lo: int | None = None, hi: int | None = None):
    """Matches of ``pattern`` in the folded text that start in [lo, hi)."""
    for m in pattern.finditer(ctx.ft, lo or 0):
        if hi is not None and m.start() >= hi:
            break
        yield m, m.start(), m.end()


@functools.lru_cache(maxsize=1)
def _markers_2019() -> re.Pattern:
    """Words only the 2019 table 二 has (format.yaml version_markers), to point at in the text."""
    return re.compile("|".join(re.escape(m) for m in spec().version_markers["2019"]))


def _evidence_2019(ctx: _Ctx, tid: str, tr: TableRead) -> tuple[int | None, int | None] | None:
    """Where the table's own text shows the 2019 layout, or None. A table read as "2019" may only have
    taken the version of the rest of the report (table 四 is the same in both formats), so the version
    alone is no evidence: table 二 must show a 2019 label, table 三 a （六）其他处理 row with numbers."""
    if tid == "proactive":
        hit = next(_find(ctx, _markers_2019(), tr.start or 0, tr.end), None)
        return (hit[1], hit[2]) if hit else None
    if tid == "requests":
        cells = [c for (r, _), c in tr.cells.items() if r == "other_handling" and c.state in ("value", "blank")]
        starts = [c for c in cells if c.start is not None]
        if cells:
            return (min(c.start for c in starts), max(c.end for c in starts)) if starts else (tr.start, tr.end)
    return None


@_rule("old_template")
def _old_template(ctx: _Ctx) -> None:
    year = ctx.report.year
    if year is None or year < 2021:
        return
    for tid, tr in ctx.report.tables.items():
        if tr is None or tr.version != "2019":
            continue
        span = _evidence_2019(ctx, tid, tr)
        if span is None:
            continue
        ctx.emit(f"{year}年的年报，{_TABLE_NO[tid]}却使用2019年试行格式（国办公开办函〔2019〕60号）的表格；"
                 "2021年起应使用国办公开办函〔2021〕30号的格式。",
                 f"A report for {year} fills table {_TABLE_NO[tid][1]} in the 2019 trial layout; from 2021 the "
                 "format of 国办公开办函〔2021〕30号 applies.",
                 start=span[0], end=span[1], table=tid)


# Patterns start with a literal so the regex engine can skip ahead; the issuer and the opening bracket
# are taken in by _widen_left.
_NOTICE_2019 = re.compile(r"2019\s*[〕\]】)]?\s*60\s*号")
_NOTICE_2021 = re.compile(r"2021\s*[〕\]】)]?\s*30\s*号")
_ISSUER_2019 = re.compile(r"(?:国办公开办?函)?\s*[〔\[【(]?\s*$")


def _widen_left(ft: str, start: int, pattern: re.Pattern) -> int:
    m = pattern.search(ft, max(0, start - 10), start)
    return m.start() if m else start


@_rule("old_notice_cited")
def _old_notice_cited(ctx: _Ctx) -> None:
    year = ctx.report.year
    if year is None or year < 2021:
        return
    also_2021 = _NOTICE_2021.search(ctx.ft) is not None
    for m in _NOTICE_2019.finditer(ctx.ft):
        if m.start() and ctx.ft[m.start() - 1].isdigit():
            continue
        s, e = _widen_left(ctx.ft, m.start(), _ISSUER_2019), m.end()
        note, note_en = (("（文中也引用了〔2021〕30号）", " (it also cites 〔2021〕30号)") if also_2021 else ("", ""))
        ctx.emit(f"{year}年的年报引用国办公开办函〔2019〕60号{note}；该试行格式已被国办公开办函〔2021〕30号替代。",
                 f"A report for {year} cites 国办公开办函〔2019〕60号{note_en}, which 国办公开办函〔2021〕30号 "
                 "replaced.", start=s, end=e, severity="info" if also_2021 else None)


_YEAR_WORD = re.compile(r"((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)")     # not a date: no month after
_PERIOD = re.compile(STAT_PERIOD + r"[^。\n]{0,12}?((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日"
                     r"[^。\n]{0,6}?(?:((?:19|20)\d\d)\s*年\s*)?12\s*月\s*31\s*日")
_TITLE_YEAR = re.compile(r"(?:19|20)\d\d")


@_rule("year_mismatch")
def _year_mismatch(ctx: _Ctx) -> None:
    r = ctx.report
    years: dict[str, tuple[int, int | None, int | None]] = {}      # what → (year, start, end)
    if r.title:
        m = _TITLE_YEAR.search(r.title)
        if m:
            at = ctx.text.find(r.title)
            s = at + m.start() if at >= 0 else None
            years["title"] = (int(m.group()), s, s + 4 if s is not None else None)
    pm = _PERIOD.search(ctx.ft)
    if pm:
        ps, pe = pm.span()
        years["period"] = (int(pm.group(1)), ps, pe)
        if pm.group(2) and pm.group(2) != pm.group(1):
            ctx.emit(f"统计期限的起止年份不一致（{pm.group(1)}年1月1日至{pm.group(2)}年12月31日）。",
                     f"The statistics period starts in {pm.group(1)} and ends in {pm.group(2)}.",
                     start=ps, end=pe)
    s1 = r.section(1)
    if s1.present:
        counts: dict[int, list[tuple[int, int]]] = {}
        for m, s, e in _find(ctx, _YEAR_WORD, s1.body_start, s1.end):
            if s and ctx.ft[s - 1] in "0123456789〔[【(":
                continue                    # part of a longer number or a document number
            counts.setdefault(int(m.group(1)), []).append((s, e))
        ranked = sorted(counts.items(), key=lambda kv: -len(kv[1]))
        if ranked and len(ranked[0][1]) >= 2 and (len(ranked) == 1 or len(ranked[0][1]) > len(ranked[1][1])):
            y, spans = ranked[0]
            years["text"] = (y, spans[0][0], spans[0][1])
    names = {"title": ("标题", "the title"), "period": ("统计期限", "the statistics period"),
             "text": ("总体情况正文", "the text of section 一")}
    distinct = {v[0] for v in years.values()}
    if len(distinct) <= 1:
        return
    ref = years.get("title") or years.get("period")
    odd = next((k for k, v in years.items() if v[0] != ref[0]), None)
    zh = "、".join(f"{names[k][0]}为{v[0]}年" for k, v in years.items())
    en = ", ".join(f"{names[k][1]} says {v[0]}" for k, v in years.items())
    _, s, e = years[odd]
    ctx.emit(f"年份不一致：{zh}。", f"The years disagree: {en}.", start=s, end=e)


# Year, optional closing bracket, serial, 号; the opening bracket and issuer are looked for to its left.
# Tolerates 〔 [ 【 ( on the left and 〕 ] 】 ) on the right (the width fold made （）［］ ASCII), corpus-notes §5.
_DOCNUM = re.compile(r"((?:19|20)\d\d)\s*([〕\]】)])?\s*(\d{1,4})\s*号")
_OPEN_LEFT = re.compile(r"([〔\[【(])\s*$")
_ISSUER_TAIL = re.compile(r"[\u4e00-\u9fff]{0,8}$")
_ISSUER_END = set("函发字办令")


@_rule("doc_number_malformed")
def _doc_number_malformed(ctx: _Ctx) -> None:
    ft = ctx.ft
    for m in _DOCNUM.finditer(ft):
        if m.start() and ft[m.start() - 1].isdigit():
            continue
        ob = _OPEN_LEFT.search(ft, max(0, m.start() - 3), m.start())
        fs = ob.start() if ob else m.start()
        issuer = _ISSUER_TAIL.search(ft, max(0, fs - 8), fs).group()
        year, close, num = m.group(1), m.group(2), m.group(3)
        s, e = fs, m.end()
        written = ctx.text[s:e]
        if ob is None:
            if not issuer or issuer[-1] not in _ISSUER_END:
                continue                    # not a document number ("第2023001号" and the like)
            lack, lack_en = ("左括号“〔”", "its opening bracket 〔") if close else ("括号", "both brackets")
            ctx.emit(f"发文字号「{issuer[-6:]}{written}」缺少{lack}，应为〔{year}〕{num}号（原文可能有误，也可能是复制时丢失）。",
                     f"Document number {issuer[-6:] + written!r} lacks {lack_en}; should read 〔{year}〕{num}号 "
                     "(a typo or lost in copying).", start=s, end=e)
            continue
        if close is None:
            ctx.emit(f"发文字号「{written}」缺少右括号“〕”，年份与序号连在一起（应为〔{year}〕{num}号；"
                     "原文可能有误，也可能是复制时丢失）。",
                     f"Document number {written!r} lacks its closing bracket 〕, so year and serial run together "
                     f"(should read 〔{year}〕{num}号; a typo or lost in copying).", start=s, end=e)
            continue
        if (ob.group(1), close) != ("〔", "〕"):
            ctx.emit(f"发文字号「{written}」用了“{ob.group(1)}{close}”，规范写法用六角括号“〔{year}〕{num}号”。",
                     f"Document number {written!r} uses {ob.group(1)}{close}; the standard brackets are 〔〕 "
                     f"(〔{year}〕{num}号).", start=s, end=e, severity="info")
            continue
        if (year, num) == ("2021", "30") and "国办公开" in issuer and not issuer.endswith("国办公开办函"):
            s0 = fs - (len(issuer) - issuer.rfind("国办公开"))
            ctx.emit(f"格式通知的发文字号应为“国办公开办函〔2021〕30号”，文中写作「{ctx.text[s0:e]}」。",
                     f"The format notice is 国办公开办函〔2021〕30号; the text has {ctx.text[s0:e]!r}.",
                     start=s0, end=e, origin="author")


# A numbered sub-heading with one bracket: "(三…" or "三)…". Candidates are taken only where a heading
# can start (text start, a line start, or after a sentence end in captures that run lines together),
# which keeps the scan off the many numerals inside sentences.
_CN_NUM = "一二三四五六七八九十"
_HEAD_START = re.compile(rf"[\n。;!?][ \t]*(?=[({_CN_NUM}])")
_ONE_BRACKET = re.compile(rf"\(([{_CN_NUM}]{{1,3}})(?![{_CN_NUM})])|([{_CN_NUM}]{{1,3}})\)")


@_rule("heading_brackets")
def _heading_brackets(ctx: _Ctx) -> None:
    ft = ctx.ft
    starts = [len(ft) - len(ft.lstrip(" \t"))] + [m.end() for m in _HEAD_START.finditer(ft)]
    for pos in starts:
        m = _ONE_BRACKET.match(ft, pos)
        if m is None:
            continue
        s, e = m.span()
        if e >= len(ft) or ft[e].isspace() or ft[e] in "、.,":
            continue                        # a heading has its title right after the enumerator
        line_end = ctx.text.find("\n", e, e + 12)        # bounded: one-line captures are long
        shown_end = line_end if line_end >= 0 else min(len(ctx.text), e + 12)
        n = m.group(1) or m.group(2)
        lack, lack_en = ("右括号", "closing") if m.group(1) else ("左括号", "opening")
        ctx.emit(f"小标题「{ctx.text[s:shown_end].strip()}」缺少{lack}，应为“（{n}）”。",
                 f"Sub-heading {ctx.text[s:shown_end].strip()!r} lacks its {lack_en} bracket; should read （{n}）.",
                 start=s, end=shown_end)


# How introductions name the six parts. Looser than the heading patterns of format.yaml, because intros
# paraphrase (format-2021.md §1: "因政府信息公开工作被申请行政复议和提起行政诉讼情况", "存在的主要问题和改进措施",
# "其他事项"); part 五 stops at its own words so that a part 六 glued to it is still seen as one.
_INTRO_PARTS = tuple(re.compile(p) for p in (
    re.escape(spec().section(1).title.split("、", 1)[1]),
    r"主动公开(?:政府信息)?的?情况|主动公开政府信息",
    r"(?:收到和)?处理(?:政府信息公开)?申请的?情况|依申请公开(?:政府信息)?的?情况",
    r"(?:因政府信息公开(?:工作)?)?被?(?:申请)?(?:政府信息公开)?行政法?复议[、和及与]?(?:提起)?(?:行政)?诉讼的?情况",
    r"(?:政府信息公开工作)?存在的?主要问题(?:[及和与](?:改进|整改)的?(?:情况|措施)|及明年工作计划)?",
    r"其他(?:需要)?(?:报告的?)?事项",
))


_SENTENCE = re.compile(r"[^。\n]+")
_INTRO_CUES = (spec().section(1).title.split("、", 1)[1], "申请", "复议", "问题", "其他")     # besides 主动公开, which every list names
_LIST_SEP = re.compile(r"[、,;，；和及与]|以及")
_PARTS_COUNT = re.compile(r"([一二三四五六七八九十\d]+)\s*(?:个)?(?:大)?部分")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九十")}


@_rule("intro_parts")
def _intro_parts(ctx: _Ctx) -> None:
    r = ctx.report
    ft = ctx.ft
    s1 = r.section(1)
    region_end = s1.body_start + 600 if s1.present else r.preamble_end
    fend = min(region_end, len(ft))
    for sent in _SENTENCE.finditer(ft, 0, fend):
        text = sent.group()
        if "主动公开" not in text or sum(k in text for k in _INTRO_CUES) < 3:
            continue                        # cheap pre-filter: a list of parts names several of these
        found = []
        pos = sent.start()
        for k, pat in enumerate(_INTRO_PARTS):
            m = pat.search(ft, pos, sent.end())
            if m:
                found.append((k + 1, m.start(), m.end()))
                pos = m.end()
        if len(found) < 3:
            continue
        _report_parts(ctx, sent, found)
        return


def _report_parts(ctx: _Ctx, sent: re.Match, found: list[tuple[int, int, int]]) -> None:
    ft = ctx.ft
    numbers = [n for n, _, _ in found]
    missing = [n for n in range(1, 7) if n not in numbers]
    glued = []
    for (n1, _, e1), (n2, s2, e2) in zip(found, found[1:]):
        if not _LIST_SEP.search(ft, e1, s2) and s2 - e1 <= 1:
            glued.append((n1, n2, e1, s2, e2))
    for n1, n2, e1, s2, e2 in glued:
        a, b = max(e1 - 4, 0), e2
        ctx.emit(f"导语列举报告组成部分时，第{_NUMERALS[n1 - 1]}、{_NUMERALS[n2 - 1]}两部分连写在一起"
                 f"（「{ctx.text[a:b]}」，缺少顿号），读来只有{len(found) - len(glued)}项而不是六项。",
                 f"The introduction's list of parts runs parts {_NUMERALS[n1 - 1]} and {_NUMERALS[n2 - 1]} together "
                 f"({ctx.text[a:b]!r}, no separator): it reads as {len(found) - len(glued)} items, not six.",
                 start=a, end=b)
    s, e = sent.span()
    if missing:
        names = "、".join(spec().section(n).title[2:] for n in missing)
        ctx.emit(f"导语列举的报告组成部分漏列了：{names}（只列{len(found)}项，格式为六项）。",
                 f"The introduction lists {len(found)} of the six parts; missing: "
                 f"{', '.join(_NUMERALS[n - 1] for n in missing)}.", start=s, end=e)
    cm = _PARTS_COUNT.search(ft, sent.start(), sent.end())
    if cm:
        word = cm.group(1)
        stated = int(word) if word.isdigit() else _CN_DIGIT.get(word)
        listed = len(found) - len(glued)
        if stated is not None and stated != listed:
            cs, ce = cm.span()
            ctx.emit(f"导语称报告由{word}部分组成，实际列出{listed}项。",
                     f"The introduction promises {stated} parts and lists {listed}.", start=cs, end=ce)


# ---------------------------------------------------------------------------------------------- capture

@_rule("text_incomplete")
def _text_incomplete(ctx: _Ctx) -> None:
    if ctx.cut_end is not None:
        end = ctx.cut_end
        start = max(0, end - 12)
        last = ctx.last_present
        later = ("" if not last or last == 6 else
                 "，第六部分未见" if last == 5 else f"，第{_NUMERALS[last]}至六部分未见")
        later_en = (f"; sections {_NUMERALS[last]} to 六 are not in it" if last and last < 6 else "")
        tail = re.sub(r"\s+", " ", ctx.text[start:end]).strip()
        ctx.emit(f"文本在句子或表格中间结束（「{tail}」）{later}：看来复制时被截断，其后内容无法检查。",
                 f"The text ends mid-sentence or mid-table ({tail!r}){later_en}; it looks "
                 "cut off when copied, and what followed cannot be checked.", start=start, end=end)
    if ctx.cut_start:
        s = ctx.report.section(ctx.first_present)
        ctx.emit(f"文本从第{_NUMERALS[ctx.first_present - 1]}部分开始，前面没有标题和导语：看来只复制了报告的一部分。",
                 f"The text starts at section {_NUMERALS[ctx.first_present - 1]} with no title or introduction "
                 "before it; only part of the report seems to have been copied.",
                 start=s.start, end=s.body_start)


@_rule("table_in_asset")
def _table_in_asset(ctx: _Ctx) -> None:
    for tid in TABLE_IDS:
        number = _section_of(tid)
        s = ctx.report.section(number)
        assets = ctx.assets_in(number)
        tr = ctx.report.tables.get(tid)
        if not s.present or not assets or (tr is not None and tr.has_numbers):
            continue
        kinds = {"img": "图片", "iframe": "内嵌框架", "embed": "嵌入对象", "object": "嵌入对象", "video": "视频",
                 "attachment": "附件链接"}
        what = "、".join(dict.fromkeys(kinds.get(a["kind"], a["kind"]) for a in assets))
        src = assets[0].get("src") or ""
        ctx.emit(f"{_sec_name(number)}在文本中没有表格，但网页此处有{what}（{src[:80]}）：表格可能以图片或附件发布，"
                 "复制文本时丢失，无法核对其数字。",
                 f"Section {_NUMERALS[number - 1]} has no table in the text, but the page holds "
                 f"{', '.join(dict.fromkeys(a['kind'] for a in assets))} there ({src[:80]}): the table was probably "
                 "an image or attachment, lost when the text was copied; its numbers cannot be checked.",
                 start=s.start, end=s.body_start, section=number, table=tid)


# ---------------------------------------------------------------------------------------------- arithmetic

def _sum_text(t: Table, terms: list[tuple[str, str, object]], common_col: bool) -> str:
    """"一 3 + 二 1 = 4"-style text of a sum; long sums list their non-zero terms only."""
    def name(rid, cid):
        return _short_row(t, rid) if common_col else t.column(cid).label
    shown = terms if len(terms) <= 7 else [x for x in terms if x[2]]
    body = " + ".join(f"{name(r, c)} {_num(v)}" for r, c, v in shown) or "0"
    if len(shown) < len(terms):
        body += f"（其余{len(terms) - len(shown)}项为0）"
    return body


def _check_identity(ctx: _Ctx) -> None:
    rule = ctx.rule
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        ident = next((i for i in spec().version(tr.version).identities if i.id == rule.identity), None)
        if ident is None or ident.table != tid:
            continue
        t = _table_of(tr)
        values = ctx.values(tid)
        note = "这是模板表头印明的唯一勾稽关系" if ident.official else "此关系由表格结构推出，格式未明文印出"
        note_en = ("the only identity printed in the template" if ident.official
                   else "implied by the table, not printed in the format")
        for lhs, rhs, scope in ident.equations:
            try:
                lv = [(r, c, values[(r, c)]) for r, c in lhs]
                rv = [(r, c, values[(r, c)]) for r, c in rhs]
            except KeyError:
                continue            # a blank, unreadable or missing term: unknown, not 0
            ls, rs = sum(v for *_, v in lv), sum(v for *_, v in rv)
            if abs(ls - rs) < 1e-9:
                continue
            cols = {c for _, c in (*lhs, *rhs)}
            rows = {r for r, _ in (*lhs, *rhs)}
            col = next(iter(cols)) if len(cols) == 1 else None
            row = next(iter(rows)) if len(rows) == 1 else None
            where = f"「{scope}」列" if col else (f"「{scope}」" if t.id == "appeals" else f"「{_short_row(t, row)}」行")
            spans = [c for c in (tr.cells[k] for k in (*lhs, *rhs)) if c.start is not None]
            ctx.emit(f"{_TABLE_NO[tid]}{where}：{_sum_text(t, lv, bool(col))} = {_num(ls)}，而 "
                     f"{_sum_text(t, rv, bool(col))} = {_num(rs)}，两者应相等（{ident.description}；{note}）。",
                     f"Table {_TABLE_NO[tid][1]} [{scope}]: "
                     f"{' + '.join(f'{r}/{c} {_num(v)}' for r, c, v in lv)} = {_num(ls)} but "
                     f"{' + '.join(f'{r}/{c} {_num(v)}' for r, c, v in rv if v) or '0'} = {_num(rs)} "
                     f"({ident.description_en}; {note_en}).",
                     start=min(c.start for c in spans) if spans else None,
                     end=max(c.end for c in spans) if spans else None,
                     table=tid, row=row, column=col)


_rule("requests_balance", "requests_results_sum", "requests_row_total", "appeals_group_total")(_check_identity)


@_rule("count_range")
def _count_range(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        t = _table_of(tr)
        for (rid, cid), v in ctx.values(tid).items():
            whole = isinstance(v, int) or v.is_integer()
            if v >= 0 and whole:
                continue                    # the common case, decided without looking at the column
            col = t.column(cid)
            problems, problems_en = [], []
            if v < 0 and not col.signed:
                problems.append("为负数")
                problems_en.append("is negative")
            if not whole and not col.decimal:
                problems.append("有小数（件数应为整数）")
                problems_en.append("is not a whole number")
            if problems:
                c = tr.cells[(rid, cid)]
                ctx.emit(f"{_cell_ref(t, rid, cid)}为{_num(v)}，{'且'.join(problems)}。",
                         f"Table {_TABLE_NO[tid][1]} [{rid}/{cid}] = {_num(v)} {' and '.join(problems_en)}.",
                         start=c.start, end=c.end, table=tid, row=rid, column=cid)


_TOWN = re.compile(r"(?:镇|乡|街道|街道办事处|苏木)(?:人民政府|政府|办事处)?$")
_COUNTY_GOV = re.compile(r"(?:县|区|旗)(?:人民政府|政府)$")
_DEPARTMENT = re.compile(r"(?:局|分局|委员会|委|办公室|办|中心|厅|处|所|站|队|支队|大队)$")
_HAS_POWER = re.compile(r"国务院|^国家|总署|部$|办公厅$|人民政府办公室$|政府办公室$")


def _no_rulemaking_power(agency: str | None) -> tuple[str, str] | None:
    """(kind zh, kind en) when the agency's name shows a body that cannot make 规章, else None (a body
    with the power, or one the name does not tell: unknown stays unknown)."""
    if not agency:
        return None
    name = re.sub(r"[\s()（）]", "", agency)
    if _TOWN.search(name):
        return "乡镇、街道", "a town or street office"
    if _COUNTY_GOV.search(name):
        return "县、区人民政府", "a county or district government"
    if _HAS_POWER.search(name):
        return None         # State Council departments; offices that report their government's 规章
    if _DEPARTMENT.search(name):
        return "政府工作部门", "a government department"
    return None


@_rule("regulations_without_power")
def _regulations_without_power(ctx: _Ctx) -> None:
    tr = ctx.report.tables.get("proactive")
    if tr is None:
        return
    kind = _no_rulemaking_power(ctx.report.agency)
    if kind is None:
        return
    t = _table_of(tr)
    cells = [tr.cells[(r, c)] for r, c in t.cells if r == "regulations" and (r, c) in tr.cells]
    nonzero = [c for c in cells if c.state == "value" and c.value]
    if not nonzero:
        return
    shown = " / ".join(_num(c.value) if c.state == "value" else "?" for c in cells)
    spans = [c for c in cells if c.start is not None]
    ctx.emit(f"{ctx.report.agency}属于{kind[0]}，没有规章制定权（规章只能由国务院部门和省级、设区的市级人民政府制定），"
             f"却填报规章 {shown}：可能把“规章制度”误填为规章。",
             f"{ctx.report.agency} is {kind[1]}, which cannot make 规章 (only State Council departments and "
             f"provincial and 设区的市 governments can), yet reports 规章 {shown}; perhaps internal rules were "
             "filed as 规章.",
             start=min(c.start for c in spans) if spans else None, end=max(c.end for c in spans) if spans else None,
             table="proactive", row="regulations",
             column=nonzero[0].column if len(nonzero) == 1 else None)


# ---------------------------------------------------------------------------------------------- prose

_NEG_REQUESTS = re.compile(NEG_RECEIVE + r"[^。;!?\n]{0,20}?申请")
_NEG_APPEALS = re.compile(r"(?:未(?:发生|出现|有|被|涉及|产生)|没有|无(?=因|涉及|发生|被申请|提起|行政|复议|诉讼))"
                          r"[^。;!?\n,]{0,25}?(?:复议|诉讼)[^。;!?\n,]{0,15}")


def _in_tables(ctx: _Ctx, pos: int) -> bool:
    return any(a <= pos < b for a, b in ctx.table_spans())


def _cells_value(tr: TableRead | None, cells) -> tuple[object, list] | None:
    """Sum of ``cells`` when every one holds a number, else None (unknown)."""
    if tr is None:
        return None
    got = [tr.cells.get(k) for k in cells]
    if any(c is None or c.state != "value" for c in got):
        return None
    return sum(c.value for c in got), got


_REVIEW = (("cases", "review_total"),)
_SUITS = (("cases", "direct_suit_total"), ("cases", "suit_after_review_total"))


@_rule("prose_negation")
def _prose_negation(ctx: _Ctx) -> None:
    tables = ctx.report.tables
    for m, s, e in _find(ctx, _NEG_REQUESTS):
        said = m.group()
        # Only disclosure applications: not "未收到行政复议申请" (table 四, below) or "行政许可申请".
        if _in_tables(ctx, s) or "公开" not in said or "复议" in said or "诉讼" in said:
            continue
        got = _cells_value(tables.get("requests"), (("new", "total"),))
        if got and got[0] > 0:
            ctx.emit(f"正文说「{ctx.text[s:e]}」，但{_TABLE_NO['requests']}「一、本年新收」总计为{_num(got[0])}。",
                     f"The prose says {ctx.text[s:e]!r}, but table 三 counts {_num(got[0])} new applications.",
                     start=s, end=e, section=ctx.section_at(s), table="requests", row="new", column="total")
    for m, s, e in _find(ctx, _NEG_APPEALS):
        if _in_tables(ctx, s):
            continue
        said = m.group()
        checks = []
        if "复议" in said:
            checks.append(("行政复议总计", "review total", _cells_value(tables.get("appeals"), _REVIEW)))
        if "诉讼" in said:
            checks.append(("行政诉讼总计", "lawsuit totals", _cells_value(tables.get("appeals"), _SUITS)))
        for what, what_en, got in checks:
            if got and got[0] > 0:
                ctx.emit(f"正文说「{ctx.text[s:e]}」，但{_TABLE_NO['appeals']}{what}为{_num(got[0])}。",
                         f"The prose says {ctx.text[s:e]!r}, but table 四 has {_num(got[0])} ({what_en}).",
                         start=s, end=e, section=ctx.section_at(s), table="appeals", row="cases",
                         column=got[1][0].column if len(got[1]) == 1 else None)


# What a prose count is about (its subject, the words before the number) → the cells it should equal,
# and an alternative reading some reports use (received = new + carried over, corpus complete/003).
_COUNT_UNITS = COUNT_UNITS
_PROSE_TARGETS = (
    (re.compile(r"复议"), "appeals", _REVIEW, None, f"{_TABLE_NO['appeals']}行政复议总计", "table 四 review total"),
    (re.compile(r"诉讼"), "appeals", _SUITS, None, f"{_TABLE_NO['appeals']}行政诉讼两项总计之和", "table 四 lawsuit totals"),
    (re.compile(r"上一?年度?结转|结转上一?年"), "requests", (("carried_in", "total"),), None,
     f"{_TABLE_NO['requests']}「二、上年结转」总计", "table 三 carried_in/total"),
    (re.compile(r"结转(?:至|到)?下一?年"), "requests", (("carried_out", "total"),), None,
     f"{_TABLE_NO['requests']}「{spec().table('requests').row('carried_out').label}」总计", "table 三 carried_out/total"),
    (re.compile(r"(?:收到|受理|新收|接到|接收).*申请|申请.*(?:收到|受理)"), "requests", (("new", "total"),),
     (("new", "total"), ("carried_in", "total")), f"{_TABLE_NO['requests']}「一、本年新收」总计", "table 三 new/total"),
)
_PART_OF_TOTAL = re.compile(r"其中|维持|纠正|撤销|驳回|审结|胜诉|败诉|结果|予以公开|部分公开|不予公开|无法提供|不予处理")
_ABOUT_DISCLOSURE = re.compile(r"信息公开|依申请|公开申请|申请公开")


@_rule("prose_count")
def _prose_count(ctx: _Ctx) -> None:
    tables = ctx.report.tables
    for f in ctx.report.facts:
        if f.unit not in _COUNT_UNITS or not isinstance(f.value, int):
            continue
        subject = f.subject                 # already folded by the loader; the cue words are CJK
        if not _ABOUT_DISCLOSURE.search(f.sentence):
            continue
        if _PART_OF_TOTAL.search(subject):
            continue                        # "行政复议结果维持2件", "其中予以公开3件": a part, not the total
        for pat, tid, cells, alt, name, name_en in _PROSE_TARGETS:
            if not pat.search(subject):
                continue
            if tid == "requests" and "公开" not in subject:
                break                       # "收到行政许可申请…": not a disclosure application
            got = _cells_value(tables.get(tid), cells)
            if got is None:
                break                       # the cell is blank, unreadable or missing: nothing to compare
            total = got[0]
            alt_got = _cells_value(tables.get(tid), alt) if alt else None
            if f.value == total or (alt_got is not None and f.value == alt_got[0]):
                break
            alt_zh = f"，与「一、本年新收」加「二、上年结转」（{_num(alt_got[0])}）也不符" if alt_got else ""
            alt_en = f", nor new + carried over ({_num(alt_got[0])})" if alt_got else ""
            # Quote the subject with the number when it stands right before it in the original text.
            start = f.start - len(f.subject)
            if start < 0 or ctx.ft[start:f.start] != f.subject:
                start = f.start
            ctx.emit(f"正文「{f.subject}{f.text}」与{name}（{_num(total)}）不符{alt_zh}。",
                     f"The prose states {f.subject}{f.text} but {name_en} is {_num(total)}{alt_en}.",
                     start=start, end=f.end, section=f.section if f.section else None, table=tid,
                     row=cells[0][0], column=cells[0][1] if len(cells) == 1 else None)
            break


_UNIT_FAMILY = UNIT_FAMILY
_RATE_SUBJECT = re.compile(r"([\u4e00-\u9fff]{2})率(?:为|是|达到?|约为?|均为|了)?$")


@_rule("prose_rate")
def _prose_rate(ctx: _Ctx) -> None:
    facts = ctx.report.facts
    for k, f in enumerate(facts):
        if f.unit != "%":
            continue
        m = _RATE_SUBJECT.search(f.subject.strip())
        if not m:
            continue
        stem = m.group(1)
        # Counts of the same sentence since the previous percentage (earlier counts belong to it). The
        # numerator names what the rate counts (回复 for 回复率); the denominator is the count just before.
        j = k
        while j > 0 and facts[j - 1].sentence_start == f.sentence_start and facts[j - 1].unit != "%":
            j -= 1
        before = facts[j:k]
        num_i = next((i for i in range(len(before) - 1, -1, -1) if stem in before[i].subject), None)
        if num_i is None or num_i == 0:
            continue
        num, den = before[num_i], before[num_i - 1]
        if _UNIT_FAMILY.get(num.unit, num.unit) != _UNIT_FAMILY.get(den.unit, den.unit) or not den.value:
            continue
        rate = num.value / den.value * 100
        decimals = len(f.text.split(".")[1].rstrip("%").strip()) if "." in f.text else 0
        if abs(rate - f.value) <= 0.5 * 10 ** -decimals + 1e-9:
            continue
        ctx.emit(f"正文所述{stem}率{f.text}与同句数字不符：{_num(num.value)}÷{_num(den.value)} = {rate:.1f}%。",
                 f"The stated rate {f.text} ({stem}率) does not follow from the counts beside it: "
                 f"{_num(num.value)}/{_num(den.value)} = {rate:.1f}%.",
                 start=den.start, end=f.end, section=f.section if f.section else None)


# ---------------------------------------------------------------------------------------------- content

@_rule("overview_topics")
def _overview_topics(ctx: _Ctx) -> None:
    s = ctx.report.section(1)
    if not s.present or s.is_empty(ctx.text):
        return
    body = ctx.ft[s.body_start:s.end]
    hints = (ctx.rule.params or {}).get("hints", {})
    missing = [t for t in spec().overview_topics
               if not any(k in body for k in (*t["keywords"], *hints.get(t["id"], ())))]
    if not missing:
        return
    cut = ctx.cut_inside(1)
    note, note_en = (("；文本在本部分中断，后面的内容可能未复制到", "; the text stops inside this section, so they may "
                      "be in the part not copied") if cut else ("", ""))
    ctx.emit(f"第一部分「总体情况」未涉及：{'、'.join(t['label'] for t in missing)}（格式要求涵盖五个方面）{note}。",
             f"Section 一 does not cover: {', '.join(t['id'] for t in missing)} (the format asks for five "
             f"topics){note_en}.", start=s.start, end=s.body_start, section=1,
             origin="undetermined" if cut else None)


_FEE = re.compile(r"信息处理费|处理费|收取[^。]{0,8}费用|收费")


@_rule("fee_not_reported")
def _fee_not_reported(ctx: _Ctx) -> None:
    s6 = ctx.report.section(6)
    if not s6.present and ctx.cut_end is not None:
        return                      # section 六 lies beyond the cut: unknown, not silent
    if s6.present and _FEE.search(ctx.ft, s6.body_start, s6.end):
        return
    s = ctx.ft.find("信息处理费")
    if s >= 0:
        e = s + len("信息处理费")
        ctx.emit(f"信息处理费只在第{_NUMERALS[(ctx.section_at(s) or 1) - 1]}部分提到，第六部分未说明收取情况。",
                 "信息处理费 is mentioned elsewhere, but section 六 does not say whether it was charged.",
                 start=s, end=e, severity="info")
        return
    where = (s6.start, s6.body_start) if s6.present else (None, None)
    ctx.emit("全文未说明信息处理费的收取情况（格式要求在第六部分说明，未收取也应写明）。",
             "Nothing in the report says whether an information-processing fee (信息处理费) was charged; the "
             "format asks for it in section 六, even when the answer is nil.",
             start=where[0], end=where[1], section=6)


_PROBLEM_WORDS = re.compile(r"问题|不足|差距|薄弱|不够|不强|不高|有待|欠缺|不到位|滞后|单一|不完善|不及时|不规范|短板|困难")
_IMPROVE_WORDS = re.compile(r"改进|加强|下一步|将|措施|推进|提升|完善|加大|强化|健全|持续|做好|优化|整改")
_CJK = re.compile("[\u4e00-\u9fff]")
_NIL = re.compile(r"^(?:无|暂无|没有|不存在|本年度无|本年无)[^。]{0,10}。?$")


@_rule("problems_generic")
def _problems_generic(ctx: _Ctx) -> None:
    s = ctx.report.section(5)
    if not s.present or s.is_empty(ctx.text):
        return
    body = ctx.ft[s.body_start:s.end].strip()
    cjk = len(_CJK.findall(body))
    cut = ctx.cut_inside(5)
    if _NIL.match(body) or cjk < 40:
        zh, en = "只有一句套话，没有写出具体问题和改进措施", "holds only a stock phrase, no concrete problem or measure"
    elif not _PROBLEM_WORDS.search(body):
        zh, en = "没有写出存在的具体问题", "names no problem"
    elif not _IMPROVE_WORDS.search(body) and not cut:
        zh, en = "没有写出改进情况或措施", "says nothing on improvement"
    else:
        return
    ctx.emit(f"第五部分「{spec().section(5).title.split('、', 1)[1]}」{zh}。", f"Section 五 {en}.",
             start=s.start, end=s.body_start, section=5, origin="undetermined" if cut else None)


# ---------------------------------------------------------------------------------------------- API

def records(report: Report) -> list[dict]:
    """The findings of :func:`check` as a list of dicts (the JSON form), in text order. For many
    reports, collect these and build one DataFrame: cheaper than one DataFrame per report."""
    ctx = _Ctx(report)
    order = {}
    for k, rule in enumerate(_rules().values()):
        impl = _IMPL.get(rule.id)
        if impl is None:
            raise RuntimeError(f"rule {rule.id!r} in rules.yaml has no implementation in check.py")
        ctx.rule = rule
        before = len(ctx.out)
        impl(ctx)
        for f in ctx.out[before:]:
            order[id(f)] = k
    big = len(report.text) + 1
    ctx.out.sort(key=lambda f: (f["start"] if f["start"] is not None else big, order[id(f)]))
    return ctx.out


def check(report: Report) -> pd.DataFrame:
    """Check ``report`` against the official format: one row per finding, columns ``FINDING_COLUMNS``
    (rule, severity, section, table, row, column, message, message_en, origin, basis, start, end,
    evidence). ``start``/``end`` index ``report.text``; ``evidence`` is the quoted text there. Cells
    hold plain Python values, None where a field does not apply, so ``report.text[f.start:f.end]``
    works as is."""
    found = records(report)
    # Object columns built column-wise: no per-column type inference, about a third of the cost of
    # DataFrame(list of dicts) with nullable integers, which matters in corpus runs.
    cols = {c: [f[c] for f in found] for c in FINDING_COLUMNS}
    return pd.DataFrame(cols, columns=list(FINDING_COLUMNS), dtype=object)


def gaps(report: Report) -> pd.DataFrame:
    """What the format requires and what the text holds: one row per section (status present, empty
    or missing) and one per required table cell (present = a number, blank, unreadable or missing)."""
    rows = []
    for s in report.sections:
        status = "missing" if not s.present else ("empty" if s.is_empty(report.text) else "present")
        rows.append({"kind": "section", "section": s.number, "table": spec().section(s.number).table,
                     "row_id": None, "row": None, "column_id": None, "column": None, "status": status})
    for tid in TABLE_IDS:
        tr = report.tables.get(tid)
        t = spec().table(tid, tr.version if tr is not None else (report.format_version or "2021"))
        number = _section_of(tid)
        for rid, cid in t.cells:
            state = tr.state(rid, cid) if tr is not None else "missing"
            rows.append({"kind": "cell", "section": number, "table": tid, "row_id": rid,
                         "row": t.row(rid).label, "column_id": cid, "column": t.column(cid).name,
                         "status": "present" if state == "value" else state})
    return pd.DataFrame(rows, columns=list(GAP_COLUMNS))


def completeness(report: Report) -> float:
    """Share of the table cells the format requires that hold a number (0.0–1.0)."""
    required = known = 0
    for tid in TABLE_IDS:
        tr = report.tables.get(tid)
        t = spec().table(tid, tr.version if tr is not None else (report.format_version or "2021"))
        cells = t.cells
        required += len(cells)
        if tr is not None:
            known += sum(1 for k in cells if tr.state(*k) == "value")
    return known / required if required else 0.0

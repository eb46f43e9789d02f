"""Rebuild the official structure of a report, every cell with its value (or bounds) and provenance.

Provenance of a cell:

* ``stated-table``  read from the report's own table;
* ``stated-prose``  a sentence of the report says it (e.g. "未收到依申请公开政府信息" → 本年新收 = 0);
* ``inferred``      forced by the format's identities from other known cells (the rule is named);
* ``unknown``       nothing in the text says it and no rule forces it (bounds may still be known).

A value is exact only when the text or the constraints force it: never a number without a source.

How the inference works. Every cell of the three tables is a variable: a whole number ≥ 0, except the
fee column (a decimal ≥ 0) and the 2019 ``本年增/减`` columns (signed). The format's identities
(``spec().version(v).identities``, linear equalities ``sum(lhs) == sum(rhs)``) are the constraints;
stated cells and prose statements fix variables. Interval propagation runs to a fixed point: for each
equation and each of its variables, the variable is bounded by what the other variables allow (bounds
of whole-number cells are rounded inwards). Every step keeps every assignment that satisfies the
constraints, so the bounds are sound; a cell is exact only when its bounds meet. Propagation may miss
a value that only a global argument forces (it is sound, not complete): such a cell stays bounded.

``CellEstimate.rule``: the identity id that bounded an inferred or bounded cell (``a+b`` when its low
and high came from two identities), ``prose:…`` for a stated-prose cell, ``conflict:…`` for a cell of
an identity the stated numbers break. ``uses`` names the cells whose bounds that identity used (cells
that only contributed their ``≥ 0`` are left out); ``evidence`` quotes the stated cells and sentences
the inference rests on, followed through intermediate inferred cells.

Broken reports. When the stated numbers contradict the identities, propagation finds an equation
whose bounds cross. Prose statements are trusted less than tables and are dropped first; if the table
itself is contradictory, the equation where the contradiction shows is set aside, the cells it spans
are marked ``conflict:<identity>`` and nothing is inferred from or for them (stated values stay
stated), and the solve restarts. Each restart sets aside one more equation, so it ends.
"""

from __future__ import annotations

import functools
import math
import re
from collections import deque
from dataclasses import dataclass, field


from . import rx
from .format import TABLE_IDS, spec
from .lexicon import NEG_RECEIVE
from .model import Cell, Report, TableRead
from .text import Folded

PROVENANCES = ("stated-table", "stated-prose", "inferred", "unknown")

# Prose rules (the ``rule`` of a stated-prose cell).
RULE_NO_NEW = "prose:no_new_requests"            # 未收到政府信息公开申请 / 收到…申请0件
RULE_NEW_COUNT = "prose:new_requests_count"      # 收到政府信息公开申请N件
RULE_NO_REVIEW = "prose:no_review"               # 未发生…行政复议 / 行政复议0件
RULE_NO_SUIT = "prose:no_litigation"             # 未发生…行政诉讼 / 行政诉讼0件

_INF = math.inf
_EPS = 1e-9


@dataclass
class CellEstimate:
    table: str
    row: str                                # row id
    column: str                             # column id
    value: int | float | None = None
    low: int | float | None = None
    high: int | float | None = None
    provenance: str = "unknown"
    rule: str | None = None
    evidence: list[dict] = field(default_factory=list)     # [{"start", "end", "text"}]
    uses: list[tuple[str, str, str]] = field(default_factory=list)  # cells an inference used

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def bounded(self) -> bool:
        """Not exact, but the constraints say more than "any number ≥ 0"."""
        return self.value is None and (self.high is not None or (self.low or 0) > 0)


@dataclass
class SectionState:
    number: int
    title: str
    status: str             # "present", "empty" or "missing"
    text: str               # the body as written ("" when empty or missing)


@dataclass
class ProseStatement:
    """A sentence of the report that fixes table cells (e.g. 未收到申请 → 本年新收 = 0 in every column)."""

    rule: str
    cells: list[tuple[str, str, str]]       # (table, row id, column id)
    value: int
    start: int                              # the sentence, as a span of Report.text
    end: int
    text: str
    applied: bool = True
    reason: str | None = None               # why it was not applied

    @property
    def evidence(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Reconstruction:
    report: Report
    version: str
    cells: dict[tuple[str, str, str], CellEstimate]
    sections: list[SectionState]
    statements: list[ProseStatement] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)   # identities the stated numbers break

    def cell(self, table: str, row: str, column: str) -> CellEstimate:
        return self.cells[(table, row, column)]

    def frame(self, table: str) -> pd.DataFrame:
        """Values in the official layout (NA where not known exactly), like ``Report.frame``."""
        tr = TableRead(table=table, version=self.version, found=True)
        for (tid, r, c), est in self.cells.items():
            if tid == table and est.value is not None:
                tr.cells[(r, c)] = Cell(tid, r, c, est.value, "value")
        return tr.frame()

    def cells_frame(self) -> pd.DataFrame:
        """One row per cell: table, row/column ids and labels, value, bounds, provenance, rule, evidence."""
        import pandas as pd
        rows = []
        for (tid, rid, cid), e in self.cells.items():
            t = spec().table(tid, self.version)
            rows.append({"table": tid, "row_id": rid, "row": t.row(rid).label, "column_id": cid,
                         "column": t.column(cid).name, "value": e.value, "low": e.low, "high": e.high,
                         "provenance": e.provenance, "rule": e.rule,
                         "evidence": " / ".join(x["text"] for x in e.evidence)})
        return pd.DataFrame(rows)

    def to_json(self) -> dict:
        """The JSON contract of ``reportkit reconstruct --json`` (plain types only: json.dumps works).

        Each cell: table, row and column (official labels), value, low, high, provenance, rule,
        evidence (spans of ``report.text``) and uses (the cells an inference used, by label)."""
        out = []
        for (tid, rid, cid), e in self.cells.items():
            t = spec().table(tid, self.version)
            uses = []
            for ut, ur, uc in e.uses:
                tu = spec().table(ut, self.version)
                uses.append({"table": ut, "row": tu.row(ur).label, "column": tu.column(uc).name})
            out.append({"table": tid, "row": t.row(rid).label, "column": t.column(cid).name,
                        "value": e.value, "low": e.low, "high": e.high, "provenance": e.provenance,
                        "rule": e.rule, "evidence": [dict(x) for x in e.evidence], "uses": uses})
        return {"source": self.report.source, "format": self.version,
                "sections": [vars(s).copy() for s in self.sections], "cells": out,
                "statements": [{"rule": s.rule, "value": s.value, "applied": s.applied, "reason": s.reason,
                                "evidence": s.evidence} for s in self.statements],
                "conflicts": [dict(c) for c in self.conflicts]}

    def summary(self) -> str:
        """A readable account: per table, counts by provenance and every exact or bounded cell that
        did not come straight from the table."""
        lines = [f"{self.report.source}  (format {self.version})"]
        for s in self.sections:
            lines.append(f"  {s.title:<24} {s.status}")
        for tid in TABLE_IDS:
            t = spec().table(tid, self.version)
            mine = [e for (x, _, _), e in self.cells.items() if x == tid]
            counts = {p: sum(e.provenance == p for e in mine) for p in PROVENANCES}
            bounded = sum(e.bounded for e in mine)
            lines.append(f"{t.name} {tid}: {len(mine)} cells — "
                         + ", ".join(f"{n} {p}" for p, n in counts.items() if n)
                         + (f" ({bounded} of the unknown are bounded)" if bounded else ""))
            for e in mine:
                where = f"{t.row(e.row).label} / {t.column(e.column).name}"
                if e.provenance in ("stated-prose", "inferred"):
                    ev = f"  «{e.evidence[0]['text']}»" if e.provenance == "stated-prose" and e.evidence else ""
                    lines.append(f"    = {e.value:<6} {where}  [{e.provenance}: {e.rule}]{ev}")
                elif e.bounded:
                    hi = "∞" if e.high is None else e.high
                    lines.append(f"    ∈ [{e.low}, {hi}] {where}  [{e.rule}]")
                elif e.rule and e.rule.startswith("conflict:"):
                    lines.append(f"    ! {where}  [{e.provenance}, {e.rule}]")
        for c in self.conflicts:
            lines.append(f"conflict: {c['message']}")
        for s in self.statements:
            if not s.applied:
                lines.append(f"prose not used ({s.reason}): «{s.text}»")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------- the system

@dataclass(frozen=True)
class _System:
    """The constraint system of one format version, expanded once (cells are indexed variables)."""

    cells: tuple[tuple[str, str, str], ...]
    index: dict
    integer: tuple[bool, ...]
    default_low: tuple[float, ...]
    eq_rule: tuple[str, ...]                # identity id of each equation
    eq_scope: tuple[str, ...]
    eq_terms: tuple[tuple[tuple[int, int], ...], ...]    # (variable, coefficient ±1)
    var_eqs: tuple[tuple[int, ...], ...]


@functools.lru_cache(maxsize=None)
def _system(version: str) -> _System:
    v = spec().version(version)
    cells, integer, low = [], [], []
    for tid in TABLE_IDS:
        t = v.table(tid)
        for rid, cid in t.cells:
            col = t.column(cid)
            cells.append((tid, rid, cid))
            integer.append(not col.decimal)
            low.append(-_INF if col.signed else 0)
    index = {c: i for i, c in enumerate(cells)}
    rules, scopes, terms = [], [], []
    for ident in v.identities:
        for lhs, rhs, scope in ident.equations:
            coef: dict[int, int] = {}
            for side, sign in ((lhs, 1), (rhs, -1)):
                for r, c in side:
                    i = index[(ident.table, r, c)]
                    coef[i] = coef.get(i, 0) + sign
            tt = tuple((i, a) for i, a in coef.items() if a)
            if any(abs(a) != 1 for _, a in tt):
                raise ValueError(f"identity {ident.id}: a cell counted twice on one side")
            rules.append(ident.id)
            scopes.append(scope)
            terms.append(tt)
    var_eqs: list[list[int]] = [[] for _ in cells]
    for e, tt in enumerate(terms):
        for i, _ in tt:
            var_eqs[i].append(e)
    return _System(tuple(cells), index, tuple(integer), tuple(low), tuple(rules), tuple(scopes),
                   tuple(terms), tuple(tuple(x) for x in var_eqs))


@dataclass
class _Solution:
    lo: list
    hi: list
    lo_src: list            # equation that set the bound (None: default or fixed)
    hi_src: list
    lo_uses: list           # the other cells whose bounds that equation used (nonnegativity aside)
    hi_uses: list
    bad: int | None         # equation where the bounds crossed (None: no contradiction found)


def _informative(terms, v, use_max: bool, lo, hi, dlow) -> tuple[int, ...]:
    """The other variables of an equation whose bound (the max contribution when ``use_max``, else the
    min one) carries information beyond the cell's own domain."""
    out = []
    for t, b in terms:
        if t == v:
            continue
        if (b > 0) == use_max:
            if hi[t] != _INF:
                out.append(t)
        elif lo[t] != dlow[t]:
            out.append(t)
    return tuple(out)


def _solve(sy: _System, fixed: dict[int, float], active: list[bool], max_steps: int | None = None) -> _Solution:
    """Interval propagation to a fixed point. ``fixed`` pins variables; inactive equations are ignored."""
    n = len(sy.cells)
    lo = list(sy.default_low)
    hi = [_INF] * n
    for i, val in fixed.items():
        lo[i] = hi[i] = val
    lo_src: list = [None] * n
    hi_src: list = [None] * n
    lo_uses: list = [()] * n
    hi_uses: list = [()] * n
    dlow = sy.default_low
    integer = sy.integer
    terms_of = sy.eq_terms
    var_eqs = sy.var_eqs
    queue = deque(e for e in range(len(terms_of)) if active[e])
    queued = [bool(a) for a in active]
    # Infeasible systems can creep (bounds rising by 1 forever); a feasible one moves each bound at
    # most to the true range, so a generous step budget only ever cuts off contradictions.
    steps, budget = 0, max_steps or (20000 + 200 * n)
    while queue:
        e = queue.popleft()
        queued[e] = False
        terms = terms_of[e]
        # Range of sum(a_i x_i): finite part plus a count of infinite contributions.
        smin = smax = 0
        nmin = nmax = 0
        for v, a in terms:
            if a > 0:
                l, h = lo[v], hi[v]
            else:
                l, h = -hi[v], -lo[v]
            if l == -_INF:
                nmin += 1
            else:
                smin += l
            if h == _INF:
                nmax += 1
            else:
                smax += h
        if (nmin == 0 and smin > _EPS) or (nmax == 0 and smax < -_EPS):
            return _Solution(lo, hi, lo_src, hi_src, lo_uses, hi_uses, e)
        for v, a in terms:
            if lo[v] == hi[v]:
                continue
            if a > 0:
                l, h = lo[v], hi[v]
            else:
                l, h = -hi[v], -lo[v]
            # Range of the other terms.
            if l == -_INF:
                omin = -_INF if nmin > 1 else smin
            else:
                omin = -_INF if nmin else smin - l
            if h == _INF:
                omax = _INF if nmax > 1 else smax
            else:
                omax = _INF if nmax else smax - h
            # a*x + others = 0  →  a*x ∈ [-omax, -omin]
            if a > 0:
                nl, nh = -omax, -omin
            else:
                nl, nh = omin, omax
            if integer[v]:
                if nl != -_INF and nl != int(nl):
                    nl = math.ceil(nl - _EPS)
                if nh != _INF and nh != int(nh):
                    nh = math.floor(nh + _EPS)
            changed = False
            if nl > lo[v] + _EPS:
                lo[v] = nl
                lo_src[v] = e
                # x's low comes from the others' max contributions (for a>0) or min ones (a<0).
                lo_uses[v] = _informative(terms, v, a > 0, lo, hi, dlow)
                changed = True
            if nh < hi[v] - _EPS:
                hi[v] = nh
                hi_src[v] = e
                hi_uses[v] = _informative(terms, v, a < 0, lo, hi, dlow)
                changed = True
            if lo[v] > hi[v] + _EPS:
                return _Solution(lo, hi, lo_src, hi_src, lo_uses, hi_uses, e)
            if changed:
                steps += 1
                if steps > budget:
                    return _Solution(lo, hi, lo_src, hi_src, lo_uses, hi_uses, e)
                for f in var_eqs[v]:
                    if active[f] and not queued[f]:
                        queued[f] = True
                        queue.append(f)
    return _Solution(lo, hi, lo_src, hi_src, lo_uses, hi_uses, None)


# ------------------------------------------------------------------------------------------ the prose

_SENT_END = rx.lazy(r"[。!?;\n]")
_CLAUSE_END = rx.lazy(r"[。!?;\n,:]")
_YEAR = rx.lazy(r"(?<!\d)((?:19|20)\d{2})\s*年")

_NEG_NEW = rx.lazy(NEG_RECEIVE)
_REQ_WORDS = ("依申请公开", "信息公开申请", "公开申请", "申请公开", "信息公开的申请", "公开的申请")
# Words that narrow a statement to some applications only (a channel, a kind, a period): such a
# sentence does not say anything about the whole row, so it is not used.
_NARROW = ("复议", "诉讼", "投诉", "举报", "信访", "涉及", "关于", "有关", "方面", "类", "信函", "邮寄",
           "网上", "网络", "当面", "现场", "传真", "电子邮件", "纸质", "月", "季度", "以外", "除", "其中")
_NOT_THIS_YEAR = ("结转", "上年", "上一年", "去年", "累计", "以来", "同比", "包括", "含")
_NEW_COUNT = rx.lazy(
    r"(?:收到|新收|接到|接收)(?P<what>[^。;!?\n,:\d]{0,40}?)(?:申请)"
    r"(?P<gap>(?:共计|共|总计|合计|计|数量|数|为|是|达|了|公开政府信息的要求|的要求|要求|公开|\s)*)"
    r"(?P<n>\d+)(?![\d.])\s*(?:件|宗|份|条|个)")
_NEG_APPEAL = rx.lazy(r"(?:未|没有|无)(?:(?:发生|出现|收到|接到|产生|被|有|因|涉及|引起|引发)"
                         r"[^。;!?\n,:\d]{0,30}?)?(?:行政复议|行政诉讼)")
_ZERO_APPEAL = rx.lazy(r"(?:行政复议|行政诉讼)(?:[、和及与或](?:行政复议|行政诉讼))?(?:案件|申请)?"
                          r"(?:数量|数|共计|共|总计|为|\s)*0(?![\d.])\s*(?:件|宗|起|个|次)")
# A sentence about the outcome of appeals ("未发生行政复议被纠错") says nothing about their number.
_RESULT_WORDS = ("纠错", "纠正", "败诉", "胜诉", "维持", "撤销", "审结", "结案", "结果", "违法", "无论")


def _skip_regions(report: Report) -> list[tuple[int, int]]:
    """Spans of the table text (cells and labels are not prose)."""
    out = []
    for tr in report.tables.values():
        if tr is None:
            continue
        spans = [(c.start, c.end) for c in tr.cells.values() if c.start is not None and c.end is not None]
        if tr.start is not None and tr.end is not None:
            spans.append((tr.start, tr.end))
        if spans:
            out.append((min(s for s, _ in spans), max(e for _, e in spans)))
    return out


def prose_statements(report: Report, version: str | None = None) -> list[ProseStatement]:
    """Sentences of the report that fix table cells, each with its evidence span (conservative: a
    sentence that could mean only part of the applications, another year, or carried-over cases is
    not used)."""
    version = version or report.format_version or "2021"
    v = spec().version(version)
    req_cols = [c.id for c in v.table("requests").columns]
    appeals_row = v.table("appeals").data_rows[0].id
    new_row = [("requests", "new", c) for c in req_cols]
    review = [("appeals", appeals_row, "review_total")]
    suits = [("appeals", appeals_row, "direct_suit_total"), ("appeals", appeals_row, "suit_after_review_total")]
    # The words that name each kind of case are the top headers of table 四 (行政复议, 行政诉讼).
    review_word, suit_word = (v.table("appeals").column(c).path[0] for c in ("review_total", "direct_suit_total"))

    text = report.text
    folded = Folded(text)
    ft = folded.text
    skip = _skip_regions(report)
    out: list[ProseStatement] = []
    seen: set[tuple[str, int]] = set()

    def sentence(i: int) -> tuple[int, int]:
        s = max((m.end() for m in _SENT_END.finditer(ft, max(0, i - 500), i)), default=max(0, i - 500))
        m = _SENT_END.search(ft, i)
        e = m.end() if m else len(ft)
        if m and m.group() == "\n":
            e -= 1
        return s, e

    def clause(i: int, j: int) -> tuple[str, str]:
        """(text of the clause before folded offset i, text from i to the clause end after j)."""
        cs = max((m.end() for m in _CLAUSE_END.finditer(ft, max(0, i - 200), i)), default=max(0, i - 200))
        m = _CLAUSE_END.search(ft, j)
        return ft[cs:i], ft[i:(m.start() if m else len(ft))]

    def usable(i: int, fs: int, fe: int) -> bool:
        o = folded.orig(i)
        if any(a <= o < b for a, b in skip):
            return False
        years = {int(y) for y in _YEAR.findall(ft[fs:fe])}
        return not (report.year and years - {report.year})

    def add(rule, cells, value, i):
        fs, fe = sentence(i)
        if not usable(i, fs, fe) or (rule, fs) in seen:
            return
        seen.add((rule, fs))
        s, e = folded.orig(fs), folded.orig_end(fe)
        raw = text[s:e]
        s += len(raw) - len(raw.lstrip())
        e -= len(raw) - len(raw.rstrip())
        if e > s:
            out.append(ProseStatement(rule, list(cells), value, s, e, text[s:e]))

    # 未收到（政府信息公开）申请 → 本年新收 = 0 in every column.
    for m in _NEG_NEW.finditer(ft):
        before, rest = clause(m.start(), m.end())
        rest = rest[m.end() - m.start():]
        if not any(w in rest for w in _REQ_WORDS):
            continue
        if re.search(r"\d", rest) or any(w in rest for w in _NARROW + _NOT_THIS_YEAR) or "除" in before:
            continue
        add(RULE_NO_NEW, new_row, 0, m.start())
    # 收到政府信息公开申请N件 → 本年新收 总计 = N (0: the whole row).
    for m in _NEW_COUNT.finditer(ft):
        whole = m.group()
        if not any(w in whole for w in ("信息公开", "依申请公开", "申请公开")):
            continue
        if ft[max(0, m.start() - 2):m.start()].endswith(("未", "没有")):
            continue
        fs, fe = sentence(m.start())
        what = m.group("what").replace("各类", "")
        if any(w in what for w in _NARROW) or any(w in ft[fs:fe] for w in _NOT_THIS_YEAR):
            continue
        n = int(m.group("n"))
        if n == 0:
            add(RULE_NO_NEW, new_row, 0, m.start())
        else:
            add(RULE_NEW_COUNT, [("requests", "new", "total")], n, m.start())
    # 未发生（因政府信息公开引起的）行政复议、行政诉讼 / 行政复议0件 → those totals are 0.
    for pat in (_NEG_APPEAL, _ZERO_APPEAL):
        for m in pat.finditer(ft):
            before, rest = clause(m.start(), m.end())
            scope = rest if pat is _NEG_APPEAL else m.group()
            if any(w in before + rest for w in _RESULT_WORDS) or "除" in before or "是否" in before:
                continue
            if before.endswith("有") and ft.startswith("无", m.start()):
                continue            # 有无行政复议: a question, not a negation
            if pat is _NEG_APPEAL and re.search(r"\d", rest):
                continue
            if pat is _ZERO_APPEAL and any(w in before for w in ("未", "没有", "无")):
                continue            # "未经复议…" or a negation already read above
            if review_word in scope:
                add(RULE_NO_REVIEW, review, 0, m.start())
            if suit_word in scope:
                add(RULE_NO_SUIT, suits, 0, m.start())
    out.sort(key=lambda s: (s.start, s.rule))
    return out


# -------------------------------------------------------------------------------------- reconstruction

def _evidence(report: Report, start, end) -> dict:
    return {"start": start, "end": end, "text": report.text[start:end]}


def reconstruct(report: Report) -> Reconstruction:
    """Every section and every cell of the three tables, with provenance (see module docstring)."""
    version = report.format_version or "2021"
    sy = _system(version)
    integer, dlow = sy.integer, sy.default_low

    # Stated-table cells. A table read in the other version's layout (a 2022 report with a 2019-style
    # table 二) contributes the cells whose ids the two versions share (same row, column and meaning).
    table_val: dict[int, float] = {}
    table_ev: dict[int, dict] = {}
    # Cells an earlier export derived, read back untouched (Cell.how): derived again, not stated.
    rederive: dict[int, Cell] = {}
    for tid in TABLE_IDS:
        tr = report.tables.get(tid)
        if tr is None:
            continue
        for (rid, cid), c in tr.cells.items():
            i = sy.index.get((tid, rid, cid))
            if i is not None and c.state == "value" and c.value is not None and c.how in ("inferred", "stated-prose"):
                rederive[i] = c
            elif i is not None and c.state == "value" and c.value is not None:
                table_val[i] = c.value
                if c.start is not None and c.end is not None:
                    table_ev[i] = _evidence(report, c.start, c.end)

    conflicts: list[dict] = []
    tainted: dict[int, str] = {}        # variable → conflict rule

    # A stated number outside its cell's domain (negative count, fraction of an application) is kept
    # as stated but not reasoned from.
    for i, val in table_val.items():
        if val < dlow[i] or (integer[i] and val != int(val)):
            tainted[i] = "conflict:domain"
            tid, rid, cid = sy.cells[i]
            conflicts.append({"rule": "domain", "scope": None, "cells": [sy.cells[i]],
                              "message": f"{tid}/{rid}/{cid}: {val} is not a whole number ≥ 0"})

    # Prose statements: dropped when they contradict the table or each other.
    statements = prose_statements(report, version)
    prose_vals: dict[int, set] = {}
    for s in statements:
        for c in s.cells:
            prose_vals.setdefault(sy.index[c], set()).add(s.value)
    for s in statements:
        idx = [sy.index[c] for c in s.cells]
        if any(i in table_val and table_val[i] != s.value for i in idx):
            s.applied, s.reason = False, "contradicts the table"
        elif any(len(prose_vals[i]) > 1 for i in idx):
            s.applied, s.reason = False, "contradicts another sentence"

    def prose_fixed(stmts) -> dict[int, float]:
        out = {}
        for s in stmts:
            if s.applied:
                for c in s.cells:
                    i = sy.index[c]
                    if i not in table_val:
                        out[i] = s.value
        return out

    active = [True] * len(sy.eq_terms)

    def fixed_now(extra: dict[int, float]) -> dict[int, float]:
        f = {i: v for i, v in table_val.items() if i not in tainted}
        f.update(extra)
        return f

    sol = _solve(sy, fixed_now(prose_fixed(statements)), active)
    if sol.bad is not None:
        # Find the table's own contradictions first (tables are trusted over prose) …
        while True:
            sol = _solve(sy, fixed_now({}), active)
            if sol.bad is None:
                break
            e = sol.bad
            active[e] = False
            rule = f"conflict:{sy.eq_rule[e]}"
            conflicts.append({"rule": sy.eq_rule[e], "scope": sy.eq_scope[e],
                              "cells": [sy.cells[i] for i, _ in sy.eq_terms[e]],
                              "message": f"{sy.eq_rule[e]} ({sy.eq_scope[e]}) does not hold for the stated "
                                         "numbers; its cells are not used for inference"})
            for i, _ in sy.eq_terms[e]:
                tainted.setdefault(i, rule)
        # … then add the sentences one by one, keeping those the table does not contradict.
        kept: list[ProseStatement] = []
        for s in statements:
            if not s.applied:
                continue
            trial = _solve(sy, fixed_now(prose_fixed(kept + [s])), active)
            if trial.bad is None:
                kept.append(s)
            else:
                s.applied, s.reason = False, f"contradicts the table under {sy.eq_rule[trial.bad]}"
        sol = _solve(sy, fixed_now(prose_fixed(kept)), active)

    # Which applied sentence fixes which cell.
    prose_of: dict[int, list[ProseStatement]] = {}
    for s in statements:
        if s.applied:
            for c in s.cells:
                i = sy.index[c]
                if i not in table_val:
                    prose_of.setdefault(i, []).append(s)

    lo, hi = sol.lo, sol.hi

    def num(i, x):
        if x in (_INF, -_INF):
            return None
        return int(round(x)) if integer[i] else x

    def is_default(i) -> bool:
        return lo[i] == dlow[i] and hi[i] == _INF

    def sources(i) -> list[int]:
        return list(dict.fromkeys(e for e in (sol.lo_src[i], sol.hi_src[i]) if e is not None))

    def uses_of(i) -> list[int]:
        return list(dict.fromkeys(sol.lo_uses[i] + sol.hi_uses[i]))

    def evidence_closure(i) -> list[dict]:
        """Evidence of the stated cells an inference rests on, followed through inferred cells."""
        seen, stack, found = {i}, [i], {}
        while stack:
            k = stack.pop()
            for j in uses_of(k):
                if j in seen:
                    continue
                seen.add(j)
                if j in table_val and j not in tainted:
                    if j in table_ev:
                        found[(table_ev[j]["start"], table_ev[j]["end"])] = table_ev[j]
                elif j in prose_of:
                    for s in prose_of[j]:
                        found[(s.start, s.end)] = s.evidence
                else:
                    stack.append(j)
        return [dict(found[k]) for k in sorted(found)]

    cells: dict[tuple[str, str, str], CellEstimate] = {}
    for i, key in enumerate(sy.cells):
        est = CellEstimate(*key)
        default_low = num(i, dlow[i])
        if i in table_val:
            est.value = est.low = est.high = table_val[i]
            est.provenance = "stated-table"
            est.evidence = [dict(table_ev[i])] if i in table_ev else []
            est.rule = tainted.get(i)
        elif i in prose_of:
            est.value = est.low = est.high = prose_of[i][0].value
            est.provenance = "stated-prose"
            est.rule = prose_of[i][0].rule
            est.evidence = [s.evidence for s in prose_of[i]]
            if i in tainted:
                est.rule += f"; {tainted[i]}"
        elif i in tainted:
            est.low = default_low
            est.rule = tainted[i]
        elif not is_default(i):
            rule = "+".join(dict.fromkeys(sy.eq_rule[e] for e in sources(i))) or None
            est.rule = rule
            est.uses = [sy.cells[j] for j in uses_of(i)]
            est.evidence = evidence_closure(i)
            if lo[i] == hi[i]:
                est.value = est.low = est.high = num(i, lo[i])
                est.provenance = "inferred"
            else:
                est.low, est.high = num(i, lo[i]), num(i, hi[i])
        else:
            est.low = default_low
        c = rederive.get(i)
        if c is not None and est.value is None and i not in tainted and lo[i] <= c.value <= hi[i]:
            # Not derivable any more (an input was blanked) but consistent: kept as the export had it.
            est.value = est.low = est.high = c.value
            est.provenance, est.rule = ("inferred", c.rule) if c.how == "inferred" else ("stated-prose", c.rule)
        cells[key] = est

    sections = []
    for s in report.sections:
        status = "missing" if not s.present else ("empty" if s.is_empty(report.text) else "present")
        sections.append(SectionState(s.number, s.title, status, s.body(report.text).strip() if s.present else ""))
    return Reconstruction(report=report, version=version, cells=cells, sections=sections,
                          statements=statements, conflicts=conflicts)


# What a reader is told about a reconstruction rule: its meaning, never its internal id.
_PROSE_RULE_TEXT = {
    RULE_NO_NEW: "正文称未收到政府信息公开申请",
    RULE_NEW_COUNT: "正文所述收到申请件数",
    RULE_NO_REVIEW: "正文称未发生行政复议",
    RULE_NO_SUIT: "正文称未发生行政诉讼",
}


def rule_text(rule: str | None, version: str) -> str:
    """What a rule says, in Chinese: the official wording of the identity it names, or the prose
    statement it reads (the internal id is for the structured exports, not for readers)."""
    if not rule:
        return ""
    conflict = rule.startswith("conflict:")
    ident = rule.split(":", 1)[1] if conflict else rule
    for i in spec().version(version).identities:
        if i.id == ident:
            return f"{'与' if conflict else '依据'}勾稽关系“{i.description}”{'冲突' if conflict else ''}"
    if ident in _PROSE_RULE_TEXT:
        return _PROSE_RULE_TEXT[ident]
    return "数值与其他单元格冲突" if conflict else ""

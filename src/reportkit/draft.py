"""Draft the prose of sections 二、三、四 (and the 信息处理费 sentence of 六) from a reconstruction.

The draft is written from the reconstruction only, in the register of these reports (本年度，本机关新收
政府信息公开申请…件). Every number in it carries an :class:`Anchor` naming the cell (``requests/new/total``)
or prose fact (``fact:12``) it comes from, and :func:`lint` checks that every digit of the text is
covered by one. What is not known becomes a placeholder ``【待补充：…】`` naming exactly what is missing —
one per row or block when a whole row or table is unknown, not one per cell. A sentence whose inputs are
all unknown is replaced by its placeholder alone, and an unknown is never written as 0.

Section 五 can be proposed from check findings (``proposal=True``); it is marked 建议稿.

>>> from reportkit.draft import draft, lint
>>> d = draft(reconstruct(report))          # doctest: +SKIP
>>> lint(d)                                 # doctest: +SKIP
[]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from . import rx
from .check import check, rules
from .format import Table, cell_label, column_name, row_name, spec
from .reconstruct import rule_text
from .text import NUMERALS, num_text

PLACEHOLDER = "【待补充：{}】"
_PLACEHOLDER_RE = rx.lazy(r"【待补充：([^】]*)】")
PROPOSAL_MARK = "建议稿"

# Enumerators ("一、", "（三）", "3.") and a trailing remark in brackets are not part of what a row counts.
_DIGIT = rx.lazy(r"\d")


@dataclass
class Anchor:
    """``text[start:end]`` of a draft section is ``value``, taken from a cell or a prose fact."""

    start: int
    end: int
    source_kind: str            # "cell" or "fact"
    ref: str                    # "requests/new/total" or "fact:12" (index into report.facts)
    value: int | float


@dataclass
class DraftSection:
    number: int
    title: str
    text: str
    anchors: list[Anchor] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)   # what is missing, as named in 【待补充：…】
    proposal: bool = False


@dataclass
class Draft:
    sections: dict[int, DraftSection]
    source: str                                             # the report's source (path or name)
    # The reconstruction the draft was written from, so lint() can check every anchor against it.
    reconstruction: object = field(default=None, repr=False, compare=False)

    def markdown(self, sources: bool = False) -> str:
        """The draft as Markdown: one heading per section; with ``sources`` each section lists where its
        numbers come from. Text from the report is escaped (it is untrusted)."""
        rep = getattr(self.reconstruction, "report", None)
        title = (rep.title if rep is not None and rep.title else None) or self.source
        out = [f"# {_md(title)}（草稿）", "",
               "> 由 reportkit 根据报告的重建结果起草：每个数字都注明出处；【待补充：…】处为报告未载明的内容，"
               "须据实填写，不能以零代替。", ""]
        for n in sorted(self.sections):
            s = self.sections[n]
            out += [f"## {_md(s.title)}", ""]
            for para in s.text.split("\n"):
                if para.strip():
                    out += [_md(para), ""]
            if sources and s.anchors:
                out.append("数据出处：")
                out += [f"- {_md(s.text[a.start:a.end])}：{_md(describe_anchor(self.reconstruction, a))}" for a in s.anchors]
                out.append("")
        return "\n".join(out).rstrip("\n") + "\n"


def _md(text: str) -> str:
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", text)


def describe_anchor(rec, a: Anchor) -> str:
    """Where an anchored number comes from, in words: the table cell and how it is known, or the sentence."""
    if rec is None:
        return a.ref
    if a.source_kind == "fact":
        f = rec.report.facts[int(a.ref.split(":", 1)[1])]
        return f"正文“{f.sentence}”"
    tid, rid, cid = a.ref.split("/")
    est = rec.cells.get((tid, rid, cid))
    what = f"{spec().table(tid, rec.version).name} {cell_label(tid, rid, cid, rec.version)}"
    if est is None:
        return what
    kind = {"stated-table": "表格填报", "stated-prose": "正文说明", "inferred": "勾稽推算"}.get(est.provenance,
                                                                                         est.provenance)
    quote = " / ".join(e["text"] for e in est.evidence if e.get("text"))
    rule = f"（{rule_text(est.rule, rec.version)}）" if rule_text(est.rule, rec.version) else ""
    return f"{what}，{kind}{rule}" + (f"：“{quote}”" if quote else "")


# ----------------------------------------------------------------------------------------------- writer

class _Writer:
    """Accumulates a section's text with its anchors and placeholders (offsets kept as it goes)."""

    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0
        self.anchors: list[Anchor] = []
        self.placeholders: list[str] = []

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def num(self, value, kind: str, ref: str, unit: str = "") -> None:
        s = num_text(value)
        self.anchors.append(Anchor(self.pos, self.pos + len(s), kind, ref, value))
        self.text(s + unit)

    def cell(self, est, unit: str = "件") -> None:
        self.num(est.value, "cell", f"{est.table}/{est.row}/{est.column}", unit)

    def gap(self, what: str) -> None:
        self.placeholders.append(what)
        self.text(PLACEHOLDER.format(what))

    def section(self, number: int, title: str, proposal: bool = False) -> DraftSection:
        return DraftSection(number, title, "".join(self.parts).strip("\n"), self.anchors, self.placeholders,
                            proposal)


class _Cells:
    """Known cells of a reconstruction: ``get(table, row, col)`` is the estimate when its value is exact."""

    def __init__(self, rec):
        self.rec = rec

    def get(self, tid: str, rid: str, cid: str):
        est = self.rec.cells.get((tid, rid, cid))
        return est if est is not None and est.value is not None else None


def _series(w: _Writer, items, sep: str = "、") -> None:
    """Write ``name{value}件`` items, each item (prefix, estimate, unit)."""
    for i, (prefix, est, unit) in enumerate(items):
        if i:
            w.text(sep)
        w.text(prefix)
        w.cell(est, unit)


# ----------------------------------------------------------------------------------- section 二 (table)

# How a 2021 column reads in a sentence about one row: 规章 + 本年制发 + 2件.
_PROACTIVE_PHRASE = {"issued": "本年制发", "repealed": "本年废止", "in_force": "现行有效",
                     "decisions": "本年处理决定", "fee_amount": "本年收费金额"}


def _proactive(rec, cells: _Cells) -> DraftSection:
    t = spec().table("proactive", rec.version)
    w = _Writer()

    def unit(col) -> str:
        return col.unit or ("" if col.decimal or col.signed else "件")

    for b in t.blocks:
        cols = [t.column(c) for c in b.columns]
        known = {(r, c.id): cells.get("proactive", r, c.id) for r in b.rows for c in cols}
        if not any(known.values()):
            rows = "、".join(t.row(r).label for r in b.rows)
            w.gap(f"{b.label}{rows}的{'、'.join(c.label for c in cols)}")
            w.text("\n")
            continue
        for i, r in enumerate(b.rows):
            label = t.row(r).label
            if i:
                w.text("；")
            mine = [(c, known[(r, c.id)]) for c in cols]
            if not any(e for _, e in mine):
                w.gap(f"{label}的{'、'.join(c.label for c in cols)}")
                continue
            w.text(label)
            _series(w, [(_PROACTIVE_PHRASE.get(c.id, c.label), e, unit(c)) for c, e in mine if e])
            missing = [c.label for c, e in mine if not e]
            if missing:
                w.text("，")
                w.gap(f"{label}{'、'.join(missing)}")
        w.text("。\n")
    return w.section(2, spec().section(2).title)


# ----------------------------------------------------------------------------------- section 三 (table)

def _applicant_prose(t: Table, col_id: str) -> str:
    c = t.column(col_id)
    group = c.path[1] if c.path[1] != c.label else None
    # The last organisation column is printed "其他" under its group; prose names it with the group.
    return f"{c.label}{group}" if group and c.id == "other_org" else c.label


def _applicant_kinds(t: Table) -> list[str]:
    """The applicant groups of table 三's header (自然人, 法人或其他组织), in printed order."""
    return list(dict.fromkeys(c.path[1] for c in t.columns if c.id != "total"))


def _requests(rec, cells: _Cells) -> DraftSection:
    t = spec().table("requests", rec.version)
    w = _Writer()
    get = lambda r, c: cells.get("requests", r, c)      # noqa: E731 (a local shorthand)
    applicants = [c.id for c in t.columns if c.id != "total"]

    # 一、本年新收
    new_name = row_name(t, "new")
    total = get("new", "total")
    unknown = [c for c in applicants if not get("new", c)]
    if total is None and len(unknown) == len(applicants):
        w.gap(f"{new_name}（各类申请人及总计）")
    elif total is not None and total.value == 0:
        w.text("本年度，本机关未收到政府信息公开申请，新收政府信息公开申请")
        w.cell(total)
        w.text("。")
    else:
        w.text("本年度，本机关新收政府信息公开申请")
        if total is not None:
            w.cell(total)
        else:
            w.gap(cell_label("requests", "new", "total", rec.version))
        shown = [(f"{_applicant_prose(t, c)}申请", get("new", c), "件") for c in applicants
                 if get("new", c) and get("new", c).value != 0]
        if shown or unknown:
            w.text("，其中")
            _series(w, shown)
            if unknown:
                if shown:
                    w.text("，")
                cols = ("及".join(_applicant_kinds(t)) + "各类" if len(unknown) == len(applicants)
                        else "、".join(column_name(t, c) for c in unknown))
                w.gap(f"{new_name}（{cols}）")
        w.text("。")

    # 二、上年结转
    carried = get("carried_in", "total")
    if carried is not None:
        w.text("上年结转政府信息公开申请")
        w.cell(carried)
        w.text("。")
    else:
        w.gap(cell_label("requests", "carried_in", "total", rec.version))
    w.text("\n")

    # 三、本年度办理结果 (总计 column), grouped as the table groups them
    outcome_rows = list(spec().version(rec.version).outcome_rows)
    entries: list[tuple[str, list[str]]] = []          # (group row or the row itself, member rows)
    for r in outcome_rows:
        parent = t.row(r).parent
        key = parent if parent and t.row(parent).parent else r
        if entries and entries[-1][0] == key:
            entries[-1][1].append(r)
        else:
            entries.append((key, [r]))
    results_total = get("results_total", "total")
    if results_total is None and not any(get(r, "total") for r in outcome_rows):
        names = "、".join(row_name(t, k) for k, _ in entries)
        w.gap(f"{row_name(t, 'results')}（{names}各项及总计）")
    else:
        parts: list = []            # callables writing one clause each
        missing: list[str] = []
        for key, members in entries:
            known = [(m, get(m, "total")) for m in members]
            nonzero = [(m, e) for m, e in known if e and e.value != 0]
            if not any(e for _, e in known) and key not in members:
                missing.append(row_name(t, key))
                continue
            missing += [row_name(t, m, with_group=True) for m, e in known if not e]
            if not nonzero:
                continue
            if key in members:          # a row directly under 三、本年度办理结果
                m, e = nonzero[0]
                parts.append(lambda m=m, e=e: (w.text(row_name(t, m)), w.cell(e)))
            else:
                parts.append(lambda key=key, nonzero=nonzero: (
                    w.text(f"{row_name(t, key)}中，"),
                    _series(w, [(row_name(t, m), e, "件") for m, e in nonzero])))
        if missing:
            parts.append(lambda: w.gap(f"{row_name(t, 'results')}·{'、'.join(missing)}（总计）"))
        if parts:
            w.text(f"{row_name(t, 'results')}：")
            for i, p in enumerate(parts):
                if i:
                    w.text("；")
                p()
            w.text("；")
        if results_total is not None:
            w.text("办理结果总计" if parts else row_name(t, "results_total"))
            w.cell(results_total)
        else:
            w.gap(row_name(t, "results_total"))
        w.text("。")

    # 四、结转下年度
    out = get("carried_out", "total")
    if out is not None:
        w.text(row_name(t, "carried_out"))
        w.cell(out)
        w.text("。")
    else:
        w.gap(cell_label("requests", "carried_out", "total", rec.version))

    # The prose above gives the 总计 column; name the per-applicant cells still unknown, per row group.
    by_type = []
    if any(not get("carried_in", c) for c in applicants):
        by_type.append(row_name(t, "carried_in"))
    if any(not get(r, c) for r in outcome_rows + ["results_total"] for c in applicants):
        by_type.append(f"{row_name(t, 'results')}各项")
    if any(not get("carried_out", c) for c in applicants):
        by_type.append(row_name(t, "carried_out"))
    if by_type:
        w.text("\n")
        w.gap(f"{t.name}{'、'.join(by_type)}按申请人类型（{'、'.join(_applicant_kinds(t))}各类）分列的数字")
    return w.section(3, spec().section(3).title)


# ----------------------------------------------------------------------------------- section 四 (table)

_APPEAL_PHRASE = {"review": "本年度，本机关因政府信息公开工作被申请行政复议",
                  "direct_suit": "未经复议直接被提起行政诉讼",
                  "suit_after_review": "经复议后被提起行政诉讼"}


def _appeals(rec, cells: _Cells) -> DraftSection:
    t = spec().table("appeals", rec.version)
    row = t.data_rows[0].id
    w = _Writer()
    groups = list(dict.fromkeys(c.id.rsplit("_", 1)[0] for c in t.columns))
    for g in groups:
        cols = [c for c in t.columns if c.id.rsplit("_", 1)[0] == g]
        name = column_name(t, f"{g}_total").rsplit("·", 1)[0]
        total = cells.get("appeals", row, f"{g}_total")
        results = [(c, cells.get("appeals", row, c.id)) for c in cols if c.id != f"{g}_total"]
        if total is None and not any(e for _, e in results):
            w.gap(f"{name}案件数量（{'、'.join(c.label for c in cols)}）")
            w.text("\n")
            continue
        w.text(_APPEAL_PHRASE.get(g, name))
        if total is not None:
            w.cell(total)
        else:
            w.gap(f"{name}案件数量（总计）")
        if total is None or total.value != 0:
            shown = [(c.label, e, "件") for c, e in results if e and e.value != 0]
            unknown = [c.label for c, e in results if not e]
            if shown or unknown:
                w.text("，其中")
                _series(w, shown)
                if unknown:
                    if shown:
                        w.text("，")
                    w.gap(f"{name}案件数量（{'、'.join(unknown)}）")
        w.text("。\n")
    return w.section(4, spec().section(4).title)


# ------------------------------------------------------------------------------ section 六 (one sentence)

_FEE = "信息处理费"
# "未收取/不收取/免收/没有收取…信息处理费": a stated nil. The verb is required, so "未按规定缴纳信息处理费"
# (an applicant who did not pay) is not read as a nil.
_FEE_NIL = rx.lazy(r"(?:未|没有|不|免)(?:予)?(?:收取|征收|收|产生)[^。；;，,!?！？]{0,8}信息处理费")


def _fee(rec) -> DraftSection:
    rep = rec.report
    w = _Writer()
    # An amount in a sentence about the fee; a rate ("标准为100元/件") is a tariff, not what was collected.
    money = [(i, f) for i, f in enumerate(rep.facts)
             if _FEE in f.sentence and f.unit in ("元", "万元") and "标准" not in f.sentence
             and not rep.text[f.end:f.end + 1] in ("/", "每")]
    if len({(f.value, f.unit) for _, f in money}) == 1:
        i, f = money[0]
        if f.value == 0:
            w.text("本年度未收取信息处理费，收费金额")
        else:
            w.text("本年度收取信息处理费")
        w.num(f.value, "fact", f"fact:{i}", f.unit)
        w.text("。")
    elif money:
        w.gap("本年度收取信息处理费的金额（报告中有多个金额，需核实）")
    elif _FEE_NIL.search(rep.text):
        w.text("本年度未收取信息处理费。")
    else:
        w.gap("本年度是否收取信息处理费及收费金额")
    return w.section(6, spec().section(6).title)


# ------------------------------------------------------------------------------- section 五 (proposal)

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_NUMERALS = NUMERALS[1:]
_TYPO = "加强文字审核校对，规范发文字号、小标题序号、年份和所引文件的表述"
# What to do about a finding, by rule where the rule says more than its category, else by category.
_IMPROVE_RULE = {
    "doc_number_malformed": _TYPO, "heading_brackets": _TYPO, "intro_parts": _TYPO, "year_mismatch": _TYPO,
    "old_notice_cited": _TYPO,
    "overview_topics": "充实“{s1}”，按{topics}等方面如实报告工作情况",
    "fee_not_reported": "在“{s6}”中说明信息处理费的收取情况，未收取的也应写明",
    "problems_generic": "结合工作实际写明存在的具体问题和改进措施，避免空泛表述",
}
_IMPROVE_CATEGORY = {
    "structure": "严格按照年度报告格式编写六个部分，第二、三、四部分的统计表逐项填报，未发生的事项如实填写",
    "arithmetic": "逐项核对统计表数据及勾稽关系，确保各项数字相互一致",
    "prose": "核对正文所述数字与统计表，做到文字表述与数据一致",
    "content": "充实报告内容，按格式要求写明各部分应当报告的事项",
}


def _top_clauses(text: str) -> list[str]:
    """``text`` split at the commas and semicolons outside brackets and quotes."""
    out, cur, depth = [], [], 0
    for ch in text:
        if ch in "（(「“《":
            depth += 1
        elif ch in "）)」”》":
            depth = max(0, depth - 1)
        if ch in "，；。" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return [c for c in (x.strip() for x in out) if c]


def _digit_free(text) -> str | None:
    """``text`` without the bracketed or quoted asides and the clauses that hold digits (a proposal's
    numbers would have no cell to anchor to); None when nothing is left."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    s = re.sub(r"[（(][^（）()]*\d[^（）()]*[）)]|[「“][^」”]*\d[^」”]*[」”]", "", str(text)).strip()
    kept = [c for c in _top_clauses(s) if not _DIGIT.search(c)]
    return "，".join(kept) or None


def _problem(rule: str, group, info) -> str | None:
    """This report's problem behind a rule's findings, in the words of their messages and evidence:
    one finding, its message; a few, their messages together; sections only headed, their numbers."""
    if rule in ("section_empty", "section_missing") and "section" in group:
        nums = sorted({int(x) for x in group["section"].dropna()})
        if nums:
            which = "第" + "、".join(NUMERALS[n] for n in nums) + "部分"
            if rule == "section_missing":
                return f"缺少{which}"
            tables = [n for n in nums if spec().section(n).table]
            note = f"，第{'、'.join(NUMERALS[n] for n in tables)}部分缺少格式规定的统计表" if tables else ""
            return f"{which}只有标题、没有内容{note}"
    messages = list(dict.fromkeys(m for m in (_digit_free(x) for x in group.get("message", [])) if m))
    if messages and len(messages) <= 3:
        return "，".join(messages)
    return _digit_free(info.get("description")) or (messages[0] if messages else None)


def _rule_table():
    return {r["id"]: r for _, r in rules().iterrows()}


def _proposal(rec, findings) -> DraftSection:
    w = _Writer()
    title = f"{spec().section(5).title}（{PROPOSAL_MARK}）"
    w.text(f"【{PROPOSAL_MARK}】以下内容根据核查发现起草，须由报告单位核实、修改后方可采用。\n")
    f = findings.copy() if findings is not None else None
    if f is not None and "origin" in f:
        # Copying artefacts (a cut-off text, cells run together) are not the agency's problems.
        f = f[f["origin"] != "capture"]
    if f is None or len(f) == 0:
        w.text("经核查，未发现需要说明的格式问题。")
        return w.section(5, title, proposal=True)
    f["_order"] = f["severity"].map(_SEVERITY_ORDER).fillna(3) if "severity" in f else 3
    f = f.sort_values("_order", kind="stable")
    table = _rule_table()
    problems: list[str] = []
    improvements: list[str] = []
    fill = {"s1": spec().section(1).title, "s6": spec().section(6).title,
            "topics": "、".join(x["label"] for x in spec().overview_topics)}
    for rule, group in f.groupby("rule", sort=False):
        info = table.get(rule, {})
        text = _problem(rule, group, info)
        if text and text not in problems:
            problems.append(text)
        todo = _IMPROVE_RULE.get(rule) or _IMPROVE_CATEGORY.get(info.get("category"))
        if todo:
            todo = todo.format(**fill)
            if todo not in improvements:
                improvements.append(todo)
    if not improvements:
        improvements.append("加强年度报告编制审核，发布前对照格式要求逐项核查")

    def enumerate_(items, verb):
        return "；".join(f"{_NUMERALS[i] if i < len(_NUMERALS) else '另'}{verb}{x.rstrip('。；')}"
                        for i, x in enumerate(items)) + "。\n"

    w.text("（一）存在的主要问题\n")
    w.text(enumerate_(problems, "是") if problems else "")
    w.text("（二）改进措施\n")
    w.text(enumerate_(improvements, "要"))
    return w.section(5, title, proposal=True)


# ------------------------------------------------------------------------------------------- public API

def draft(reconstruction, findings=None, *, proposal: bool | None = None) -> Draft:
    """Draft sections 二、三、四 and the 信息处理费 sentence of 六 from ``reconstruction`` (exact values
    only; see the module docstring). Section 五 is proposed from ``findings`` (a ``reportkit.check.check``
    frame), marked 建议稿, when ``proposal`` is True (findings computed if not given) or, by default,
    when findings are given; ``proposal=False`` never proposes it."""
    rec = reconstruction
    cells = _Cells(rec)
    sections = {2: _proactive(rec, cells), 3: _requests(rec, cells), 4: _appeals(rec, cells), 6: _fee(rec)}
    if proposal is None:
        proposal = findings is not None
    if proposal:
        if findings is None:
            findings = check(rec.report)
        sections[5] = _proposal(rec, findings)
    return Draft(sections=dict(sorted(sections.items())), source=str(rec.report.source), reconstruction=rec)


def lint(draft: Draft) -> list[str]:
    """Problems of a draft (empty = fine): a digit no anchor covers, an anchor whose text is not its value
    or whose value differs from its cell or fact (or whose cell is not known), overlapping anchors,
    placeholders not listed or listed but absent, a proposal not marked 建议稿."""
    problems: list[str] = []
    rec = draft.reconstruction
    for n, s in draft.sections.items():
        where = f"section {n}"
        covered = [False] * len(s.text)
        last_end = -1
        for a in sorted(s.anchors, key=lambda a: a.start):
            if not (0 <= a.start < a.end <= len(s.text)):
                problems.append(f"{where}: anchor {a.ref} span {a.start}-{a.end} is outside the text")
                continue
            if a.start < last_end:
                problems.append(f"{where}: anchor {a.ref} at {a.start} overlaps the previous anchor")
            last_end = max(last_end, a.end)
            if s.text[a.start:a.end] != num_text(a.value):
                problems.append(f"{where}: anchor {a.ref} covers {s.text[a.start:a.end]!r}, not {num_text(a.value)!r}")
            for i in range(a.start, a.end):
                covered[i] = True
            problems += [f"{where}: {p}" for p in _check_ref(rec, a)]
        for m in _DIGIT.finditer(s.text):
            if not covered[m.start()]:
                ctx = s.text[max(0, m.start() - 8):m.end() + 8]
                problems.append(f"{where}: digit {m.group()!r} at {m.start()} has no anchor (…{ctx}…)")
        in_text = _PLACEHOLDER_RE.findall(s.text)
        for p in in_text:
            if p not in s.placeholders:
                problems.append(f"{where}: placeholder 【待补充：{p}】 is not listed in placeholders")
        for p in s.placeholders:
            if p not in in_text:
                problems.append(f"{where}: listed placeholder {p!r} is not in the text")
        if s.proposal and PROPOSAL_MARK not in s.title:
            problems.append(f"{where}: a proposal must be marked {PROPOSAL_MARK} in its title")
    return problems


def _check_ref(rec, a: Anchor) -> list[str]:
    if a.source_kind == "cell":
        parts = a.ref.split("/")
        if len(parts) != 3:
            return [f"cell anchor ref {a.ref!r} is not table/row/column"]
        if rec is None:
            return []
        est = rec.cells.get(tuple(parts))
        if est is None:
            return [f"cell anchor {a.ref} names no cell of the format"]
        if est.value is None:
            return [f"cell anchor {a.ref} writes {a.value} for a cell that is not known"]
        if est.value != a.value:
            return [f"cell anchor {a.ref} says {a.value} but the reconstruction has {est.value}"]
        return []
    if a.source_kind == "fact":
        m = re.fullmatch(r"fact:(\d+)", a.ref)
        if not m:
            return [f"fact anchor ref {a.ref!r} is not fact:N"]
        if rec is None:
            return []
        facts = rec.report.facts
        i = int(m.group(1))
        if i >= len(facts):
            return [f"fact anchor {a.ref} is past the report's {len(facts)} facts"]
        if facts[i].value != a.value:
            return [f"fact anchor {a.ref} says {a.value} but the fact is {facts[i].value}"]
        return []
    return [f"anchor {a.ref}: source_kind {a.source_kind!r} is not 'cell' or 'fact'"]

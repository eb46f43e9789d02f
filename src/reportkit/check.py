"""Check a loaded report against the official format (国办公开办函〔2021〕30号) and against itself.

The rules are data (``data/rules.yaml``: id, category, severity, basis, default origin, the format versions
and report years the rule applies to, description in Chinese and English); this module holds one small
function per rule, registered under its id, and runs a rule only on reports in its scope. A
finding names the rule, where it is (section, table cell, a span into ``Report.text`` with the quoted
text), what is wrong in Chinese and in English, whether it is a defect of the report (``author``), an
artifact of how the page was copied (``capture``) or cannot be told (``undetermined``), and what
requires it (the format, an article of the 条例, or ``convention``).

One root cause is one finding, its parts listed in it: a capture cut short is one ``text_incomplete``
naming the sections and rows it took; run-together cells are one ``cells_run_together`` per table naming
every row with its digits; a wrong 总计 column is one ``requests_row_total`` naming its rows.

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
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import rx
from .agency import name_from_title, rulemaking
from .format import TABLE_IDS, Table, fold, label_key, read_data, spec
from .lexicon import COUNT_UNITS, ENUMERATOR, NEG_RECEIVE, STAT_PERIOD, UNIT_FAMILY
from .load import width_folded
from .model import Report, TableRead
from .split import RULE_NAMES as _SPLIT_RULES
from .text import CN_DIGIT, CN_DIGITS, CN_VALUE, NUMERALS

FINDING_COLUMNS = ("rule", "severity", "section", "table", "row", "column", "message", "message_en",
                   "origin", "basis", "start", "end", "evidence")
SEVERITIES = ("error", "warning", "info")
ORIGINS = ("author", "capture", "undetermined")
GAP_COLUMNS = ("kind", "section", "table", "row_id", "row", "column_id", "column", "status")

_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# Report kinds read from the published file itself (a page, a PDF, a Word file), not from a copied text:
# what they lack, the author left out.
WHOLE_DOCUMENTS = ("html", "pdf", "docx")
_NUMERALS = NUMERALS[1:7]
EVIDENCE_MAX = 160          # characters of quoted evidence (always a prefix of text[start:end])


# What the rules read from the format is looked up at first use, not at import: reading format.yaml
# is most of what importing this module used to cost a command that never checks.
@functools.lru_cache(maxsize=None)
def _table_no(tid: str) -> str:
    """表二, 表三, 表四: what prose calls table ``tid``."""
    return spec().table(tid).name


@functools.lru_cache(maxsize=1)
def _orgs() -> str:
    """The 法人或其他组织 header group of table 三."""
    return spec().table("requests").column("commercial").path[-1]


# ---------------------------------------------------------------------------------------------- lexicon
# The Chinese words and patterns the rules read reports with, kept together (a shared lexicon module may
# take them later). Official row and column labels are not here: they come from format.spec().

# A heading the section patterns of format.yaml did not take: its numeral and enumeration mark at a
# place a heading can start, then words of the official title ("六、其他需报告的事项", "六、需要说明的
# 其他事项与附表无"). The title's key words (format.yaml), in order of how much they tell, follow it.
_HEADING_AT = r"(?:^|(?<=[\n。；;:：!?！？\s\d）)]))"
# The digits after a row label the reader did not take (a remark in brackets may stand between), and
# the enumerator of the next label ("…00000003.其他": the 3 is the next row's).
_DIGIT_RUN = rx.lazy(r"(?:\s*[(（][^()（）]{0,40}[)）])?[\s|]*(\d[\d\s|]{0,60})")
_NEXT_ENUM = rx.lazy(r"\d[.．、]\s*[\u4e00-\u9fff]")
# A number written with its unit in a cell ("120000元", "3件"): a value, not a blank.
_WITH_UNIT = rx.lazy(r"(\d+(?:\.\d+)?)\s*(万元|元|件|条|个|项|宗)")
# Prose words for outcomes besides the official labels (corpus complete/009: 同意公开, 区分处理后公开).
_OUTCOME_WORDS = {"granted": "同意公开|全部公开", "granted_or_partly": "全部或部分公开|同意或部分公开",
                  "partly": "区分处理后公开|部分同意公开", "completed": "办结|办理完毕|办理完结"}
_OUTCOME_SYNONYMS = {"granted": "granted", "partly_granted": "partly"}
_APPLICATION_UNITS = {"件", "宗"}
# Words that make an outcome count one of a subset of the applications (a channel, an applicant kind,
# the carried-over ones): such a count is not the table's total.
_SUBSET = rx.lazy(r"网上|网络|当面|信函|邮寄|传真|电子邮件|自然人|法人|企业|结转|上年")
# Channels the same item is published on: parts listed by channel may overlap and sum past the total.
_CHANNELS = rx.lazy(r"网站|网页|微博|微信|公众号|头条|抖音|客户端|新媒体|平台|专栏|公报|报刊|电视|广播")
# "120件，占30.5%": a share, and the words that mark a count as the total it is a share of.
_SHARE = rx.lazy(r"占(?:比|全部|总数|总量|申请总数|收到申请|受理)?[^，,。；;%]{0,10}?(?:的|比例)?(?:为|约|达)?$")
_TOTAL_CUE = rx.lazy(r"共|总|合计|累计|全年|收到|受理")
# Claims of a whole: every review or lawsuit upheld, every application completed.
_UPHELD_CLAIM = rx.lazy(r"(?:均|全部|都|皆)(?:已|被|获|得到|予以)*(?:维持|胜诉)")
_ALL_DONE_CLAIM = rx.lazy(r"(?:所有|全部)[^。；;，,]{0,8}申请[^。；;]{0,10}?(?:均|全部|都)(?:已|已经)?(?:按时|依法|按期)?办结"
                             r"|申请[^。；;]{0,10}?(?:均|全部|都)(?:已|已经)?(?:按时|依法|按期)?办结"
                             r"|(?:均|全部)(?:已|已经)?(?:按时|按期)?办结(?:完毕)?[,，。；;]")
# "共…，其中…": a total, the word that opens its parts, and a residual part that closes a full list.
_SUM_TOTAL = rx.lazy(r"共计?|总计|合计|累计|总数")
_AMONG = rx.lazy(r"[\s,，:：]*其中")
_RESIDUAL = rx.lazy(r"其他|其余|其它")
# A word of two to four characters written twice in a row. A doubled single character is a word
# (常常, 人人, 个个, 天天) and is never matched; nor are "一个一个" forms (a numeral and a measure word,
# repeated on purpose) or doubled digits of a number.
_DOUBLED = rx.lazy(r"([\u4e00-\u9fff]{2,4})\1")
_DOUBLE_OK = rx.lazy(rf"^[{CN_DIGITS}两几每]")
# ABAB verb forms a report may use on purpose (研究研究): none seen in the corpus; kept as a list.
_DOUBLE_WORDS = frozenset({"研究", "讨论", "学习", "商量", "考虑", "看看"})
# "一是…二是…三是" enumerations, and what ends one (a line, a sub-heading).
_ENUM_WORD = rx.lazy(rf"(?<![\u4e00-\u9fff])({CN_DIGIT}{{1,2}})是(?=[\u4e00-\u9fff])")
_ENUM_BREAK = rx.lazy(rf"\n|[（(]{CN_DIGIT}+[)）]|(?<![\u4e00-\u9fff]){CN_DIGIT}、")
# A sentence that says how the fee went, in the words reports use: "未收取信息处理费", "本年度信息公开
# 处理费收费情况…未发生政府信息公开收费事项", "未产生政府信息公开信息处理费用", "信息处理费0元".
_FEE_STATEMENT = rx.lazy(r"(?:未|没有|无|不)(?:产生|收取|发生|涉及|存在)[^。;\n]{0,16}?(?:处理费|费用|收费)"
                            r"|处理费[^。;\n]{0,24}?(?:0元|零|未|无|没有|不)|收费(?:情况|事项)")


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
    formats: tuple[str, ...] = ("2019", "2021")
    years: tuple[int | None, int | None] = (None, None)     # first and last report year, None = open

    def applies(self, report: Report) -> bool:
        """Whether the rule speaks to ``report``: its format version and year are in the rule's scope.
        The version is the one the report was due in: from the year 2021 on that is the 2021 format, even
        for a report filled in the old tables (old_template reports that); before, the version its
        tables show. An unknown version or year does not silence a rule (the other may still place it)."""
        due = "2021" if report.year is not None and report.year >= 2021 else report.format_version
        if due is not None and due not in self.formats:
            return False
        lo, hi = self.years
        y = report.year
        return y is None or ((lo is None or y >= lo) and (hi is None or y <= hi))

    @property
    def scope(self) -> str:
        """The scope in words, as ``reportkit rules`` shows it ("2021格式；2021年起")."""
        fmt = "、".join(self.formats) + "格式"
        lo, hi = self.years
        yrs = ("各年度" if lo is None and hi is None else f"{lo}年起" if hi is None else
               f"{hi}年及以前" if lo is None else f"{lo}–{hi}年")
        return f"{fmt}；{yrs}"


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, Rule]:
    raw = read_data("rules.yaml")
    out: dict[str, Rule] = {}
    for r in raw["rules"]:
        formats = tuple(str(f) for f in r["formats"])
        years = _parse_years(str(r["years"]))
        rule = Rule(id=r["id"], category=r["category"], severity=r["severity"], basis=r["basis"],
                    origin=r["origin"], description=r["description"], description_en=r["description_en"],
                    identity=r.get("identity"), params=r.get("params"), formats=formats, years=years)
        if not set(formats) <= set(spec().versions):
            raise ValueError(f"rules.yaml: rule {rule.id!r} names an unknown format version")
        if rule.id in out:
            raise ValueError(f"rules.yaml: rule {rule.id!r} is defined twice")
        if rule.severity not in SEVERITIES or rule.origin not in ORIGINS:
            raise ValueError(f"rules.yaml: rule {rule.id!r} has an unknown severity or origin")
        out[rule.id] = rule
    return out


def _parse_years(text: str) -> tuple[int | None, int | None]:
    """``all``, ``2021-``, ``-2020`` or ``2021-2023`` → (first, last), None for an open end."""
    if text == "all":
        return None, None
    m = re.fullmatch(r"(\d{4})?-(\d{4})?", text)
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"rules.yaml: years {text!r} is not all, YYYY-, -YYYY or YYYY-YYYY")
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)) if m.group(2) else None)


def rules() -> pd.DataFrame:
    """Every rule the checker runs: id, category, severity, basis, origin, description (zh, en), and
    its scope: the format versions and report years it applies to (``formats``, ``years``, ``scope``)."""
    import pandas as pd
    cols = ["id", "category", "severity", "basis", "origin", "description", "description_en"]
    out = []
    for r in _rules().values():
        row = {c: getattr(r, c) for c in cols}
        row.update(formats=list(r.formats), years=[r.years[0], r.years[1]], scope=r.scope)
        out.append(row)
    return pd.DataFrame(out, columns=[*cols, "formats", "years", "scope"])


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
        self.ft = width_folded(report.text)             # same length and offsets as the text
        self.rule: Rule | None = None
        self.rank = 0                                   # the running rule's place in rules.yaml
        self.out: list[dict] = []
        self.ranks: list[int] = []                      # the rank of the rule that emitted each finding
        self._values: dict[str, _Cells] = {}
        self._vectors: dict[str, list] = {}
        self._table_spans: list[tuple[int, int]] | None = None
        present = [s.number for s in report.sections if s.present]
        self.first_present = min(present) if present else None
        self.last_present = max(present) if present else None
        # Where a copied text was cut short. An HTML page is whole by nature, and its text ends in site
        # furniture without a full stop, so the test is for text copies only.
        copied = report.kind not in WHOLE_DOCUMENTS
        self.cut_end = self._cut_end() if copied else None
        # The loader may record a cut it saw itself (a text ending right after a heading).
        for n in report.notes:
            if isinstance(n, dict) and n.get("kind") in ("truncated", "truncation"):
                at = n.get("at", n.get("end"))
                self.cut_end = at if isinstance(at, int) else len(report.text.rstrip())
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
        """(start, end) of each table read (computed once: prose rules ask for every match)."""
        if self._table_spans is None:
            self._table_spans = [(t.start, t.end) for t in self.report.tables.values()
                                 if t is not None and t.start is not None and t.end is not None]
        return self._table_spans

    def values(self, tid: str) -> dict[tuple[str, str], object]:
        """(row, column) → number, for the cells of table ``tid`` that hold one (computed once)."""
        return self.cells(tid).values

    def cells(self, tid: str) -> "_Cells":
        """What the rules read of the cells of table ``tid``, gathered once (see :class:`_Cells`)."""
        got = self._values.get(tid)
        if got is None:
            got = self._values[tid] = _Cells(self.report.tables.get(tid))
        return got

    def vector(self, tid: str) -> list:
        """The numbers of table ``tid`` as a list indexed like :func:`_cell_index` (None where a cell
        holds no number), for the compiled identities (computed once)."""
        vec = self._vectors.get(tid)
        if vec is None:
            tr = self.report.tables[tid]
            get = tr.cells.get
            vec = self._vectors[tid] = [c.value if c is not None and c.state == "value" else None
                                        for c in map(get, _cell_index(tid, tr.version))]
        return vec

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

    def cut_after_heading(self, number: int) -> bool:
        """True when the text stops right after heading ``number``: its empty body is the cut."""
        s = self.report.section(number)
        # The loader marks such a section truncated (so it is not "empty"); a bare body says the same.
        return self.cut_inside(number) and s.present and (s.truncated or not s.body(self.text).strip())

    def beyond_cut(self, tid: str, rid: str, t: Table, tr: TableRead) -> bool:
        """True when row ``rid`` of a table the capture was cut inside comes after every row read: it was
        never reached, so it is listed in the truncation finding, not reported missing."""
        if not self.cut_inside(_section_of(tid)):
            return False
        order = {r.id: k for k, r in enumerate(t.rows)}
        seen = [order[r] for r, _ in tr.cells if r in order]
        seen += [order[i.row] for i in tr.issues if i.row in order]
        return not seen or order.get(rid, 0) > max(seen)

    # -- output
    def emit_as(self, rule_id: str, *args, **kw) -> None:
        """Emit under another rule: a rule that finds its case is really another's (a missing heading
        that is there under a variant title) reports it where the reader looks for it."""
        own, self.rule = self.rule, _rules()[rule_id]
        try:
            self.emit(*args, **kw)
        finally:
            self.rule = own

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
        self.ranks.append(self.rank)
        self.out.append({
            "rule": rule.id, "severity": severity or rule.severity, "section": section, "table": table,
            "row": row, "column": column, "message": message, "message_en": message_en,
            "origin": origin or rule.origin, "basis": rule.basis, "start": start, "end": end,
            "evidence": evidence,
        })


class _Cells:
    """The cells of one table as the rules read them, gathered once per report in passes that run in C
    (a table 三 has some 180 cells, and a dozen rules used to walk them each):

    ``rows``      row ids holding a cell;
    ``all_value`` every cell holds a number (the common case, which most rules need to know only);
    ``blank``     the keys of the blank cells, in the table's order;
    ``split``     row ids with cells cut from run-together digits;
    ``values``    (row, column) → number, for the cells that hold one (built on first use)."""

    __slots__ = ("_cells", "rows", "all_value", "blank", "split", "_values")

    def __init__(self, tr: TableRead | None):
        cells = self._cells = tr.cells if tr is not None else {}
        self._values = None
        self.rows = set(map(_ROW, cells))
        self.all_value = all(map("value".__eq__, map(_STATE, cells.values())))
        self.blank = [] if self.all_value else [k for k, c in cells.items() if c.state == "blank"]
        self.split = ({k[0] for k, c in cells.items() if c.how == "split"}
                      if "split" in map(_HOW, cells.values()) else set())

    @property
    def values(self) -> dict[tuple[str, str], object]:
        if self._values is None:
            cells = self._cells
            self._values = (dict(zip(cells, map(_VALUE, cells.values()))) if self.all_value else
                            {k: c.value for k, c in cells.items() if c.state == "value"})
        return self._values

    def numbers(self) -> list:
        """The numbers the cells hold (in no promised order)."""
        if self.all_value:
            return list(map(_VALUE, self._cells.values()))
        return list(self.values.values())


_STATE, _VALUE, _HOW = operator.attrgetter("state"), operator.attrgetter("value"), operator.attrgetter("how")
_ROW = operator.itemgetter(0)


@functools.lru_cache(maxsize=None)
def _unit_columns(tid: str, version: str) -> dict[str, str]:
    """Column id → unit, for the columns of the table that have one (万元, 元)."""
    return {c.id: c.unit for c in _table(tid, version).columns if c.unit}


@functools.lru_cache(maxsize=None)
def _data_rows(tid: str, version: str):
    return _table(tid, version).data_rows


@functools.lru_cache(maxsize=None)
def _row_cells(tid: str, version: str, row: str) -> tuple[tuple[str, str], ...]:
    """The format's cells of one row, in reading order (Table.cells is rebuilt at every call)."""
    return tuple(k for k in _table(tid, version).cells if k[0] == row)


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
    # The format's sub-row groups are （一） … （七）.
    label = re.sub(rf"^(（[{CN_DIGITS[:7]}]）[^（]+)（.*）$", r"\1", row.label)
    label = label.split("、行政机关")[0]
    if row.parent:
        parent = t.row(row.parent)
        m = re.match(rf"^（[{CN_DIGITS[:7]}]）", parent.label)
        if parent.kind == "group" and m and re.match(r"^\d+\.", label):
            label = m.group() + label
    return label


def _cell_ref(t: Table, rid: str, cid: str) -> str:
    if t.id == "appeals":
        return f"{_table_no(t.id)}「{t.column(cid).name}」"
    if t.id == "proactive":
        return f"{_table_no(t.id)}「{t.row(rid).label}/{t.column(cid).name}」"
    return f"{_table_no(t.id)}「{_short_row(t, rid)}」行「{t.column(cid).name}」列"


def _sec_name(number: int) -> str:
    return f"第{_NUMERALS[number - 1]}部分「{spec().section(number).title}」"


def _table_of(tr: TableRead) -> Table:
    return _table(tr.table, tr.version)


@functools.lru_cache(maxsize=None)
def _table(table_id: str, version: str) -> Table:
    return spec().table(table_id, version)


# ---------------------------------------------------------------------------------------------- structure


def _variant_heading(ctx: _Ctx, number: int) -> tuple[int, int] | None:
    """Span of heading ``number`` written in words the loader did not take, between its neighbours."""
    before = [x for x in ctx.report.sections if x.present and x.number < number]
    after = [x for x in ctx.report.sections if x.present and x.number > number]
    lo = max((x.body_start for x in before), default=0)
    hi = min((x.start for x in after), default=len(ctx.ft))
    pat = rx.compiled(_HEADING_AT + _NUMERALS[number - 1] + r"\s*[、.．]\s*([^。\n]{2,24})")
    for m in pat.finditer(ctx.ft, lo, hi):
        words, head = spec().section(number).keywords, m.group(1)[:16]      # the title, not the text run into it
        if sum(w in head for w in words) >= (2 if number == 6 else 1):
            last = max(head.rfind(w) + len(w) for w in words if w in head)
            tail = re.match(r"(?:情况|措施|计划|事项)?", m.group(1)[last:]).end()
            return m.start(), m.start(1) + last + tail
    return None


def _renumbered(ctx: _Ctx, number: int) -> tuple[int, int, str] | None:
    """Where the title of section ``number`` stands under another numeral ("三、主动公开政府信息情况" in an
    annex that numbers its tables from 一): (start, end, numeral written)."""
    key = spec().section(number).title[2:]
    pat = rx.compiled(_HEADING_AT + rf"({CN_DIGIT})\s*[、.．]\s*" + re.escape(key))
    for m in pat.finditer(ctx.ft):
        if m.group(1) != _NUMERALS[number - 1]:
            return m.start(), m.end(), m.group(1)
    return None


@_rule("section_missing")
def _section_missing(ctx: _Ctx) -> None:
    # Headings numbered differently from the format (an annex numbering its tables from 一) are one fault,
    # reported once with the headings listed: found here, or recorded by the loader on the section
    # ("renumbered") or in the report's notes (kind "renumbered", with "section" and a span).
    renumbered: list[tuple[int, int | None, int | None]] = []
    for n in ctx.report.notes:
        if isinstance(n, dict) and n.get("kind") in ("renumbered", "heading_renumbered") and n.get("section"):
            renumbered.append((int(n["section"]), n.get("start"), n.get("end")))
    for s in ctx.report.sections:
        if s.present and s.numbered_as is not None:
            renumbered.append((s.number, s.start, s.body_start))
    noted = {number for number, _, _ in renumbered}
    for s in ctx.report.sections:
        if s.present or s.number in noted:
            continue
        after_cut = ctx.cut_end is not None and s.number > (ctx.last_present or 0)
        before_start = ctx.cut_start and s.number < ctx.first_present
        if after_cut or before_start:
            continue                        # never reached: listed in the one truncation finding
        variant = _variant_heading(ctx, s.number)
        if variant is not None:
            a, b = variant
            written = re.sub(r"\s+", " ", ctx.text[a:b]).strip()
            ctx.emit_as("section_renamed",
                        f"第{_NUMERALS[s.number - 1]}部分标题写作「{written}」，格式规定为「{s.title}」"
                        "（措辞不同，未按标准标题识别）。",
                        f"Heading {written!r} stands for section {_NUMERALS[s.number - 1]} ({s.title}) in other "
                        "words.", start=a, end=b, section=s.number)
            continue
        moved = _renumbered(ctx, s.number)
        if moved is not None:
            renumbered.append((s.number, moved[0], moved[1]))
            continue
        ctx.emit(f"缺少{_sec_name(s.number)}。",
                 f"Section {_NUMERALS[s.number - 1]} ({s.title}) is missing.",
                 start=s.start, section=s.number)
    if renumbered:
        renumbered.sort()
        parts = "、".join((f"「{ctx.text[a:b].strip()}」" if a is not None and b is not None else "")
                         + f"（应为第{_NUMERALS[n - 1]}部分）" for n, a, b in renumbered)
        spans = [(a, b) for _, a, b in renumbered if a is not None and b is not None]
        ctx.emit(f"部分标题的序号与格式不一致（如附件另行编号）：{parts}。内容在，序号不同。",
                 f"Headings are numbered differently from the format (e.g. an annex numbering its own): "
                 f"sections {', '.join(_NUMERALS[n - 1] for n, _, _ in renumbered)}; the content is there.",
                 start=min((a for a, _ in spans), default=None), end=max((b for _, b in spans), default=None),
                 section=None, severity="warning")


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
        if not s.present or s.numbered_as is not None:
            continue                        # a renumbered heading is reported by section_missing, once
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
    if ctx.report.kind in WHOLE_DOCUMENTS:
        return "author", "", ""
    return ("undetermined", "（纯文本看不出原网页是否以图片或附件发布表格）",
            " (a text copy cannot show whether the page held the table as an image or attachment)")


@_rule("section_empty")
def _section_empty(ctx: _Ctx) -> None:
    for s in ctx.report.sections:
        if not s.is_empty(ctx.text) or ctx.cut_after_heading(s.number):
            continue                        # a text stopping at a heading is the cut, reported once
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
            continue                        # the table may lie beyond the cut: part of the truncation finding
        origin, note, note_en = _table_origin(ctx)
        what = "只见表头、不见任何数据行" if tr is not None else "有文字但没有统计表"
        what_en = "shows the table header but no data row" if tr is not None else "has text but no table"
        ctx.emit(f"{_sec_name(s.number)}{what}{note}。",
                 f"Section {_NUMERALS[s.number - 1]} ({s.title}) {what_en}{note_en}.",
                 start=s.start, end=s.body_start, section=s.number, table=tid, origin=origin)


@functools.lru_cache(maxsize=None)
def _label_pattern(label: str) -> re.Pattern:
    """A row label as it may stand in a capture: its enumerator with or without the dot, spaces anywhere
    between its characters (full-width forms are folded already)."""
    key = fold(label)
    m = re.match(r"^(\d+)\s*[.．、]\s*", key)
    head = rf"{m.group(1)}\s*[.．、]?\s*" if m else ""
    body = key[m.end():] if m else key
    body = re.sub(r"[（(].*[)）]$", "", body)        # the remark in brackets after （二）部分公开
    return re.compile(head + r"\s*".join(re.escape(ch) for ch in body if not ch.isspace()))


def _found_rows(ctx: _Ctx, tr: TableRead, t: Table, rows) -> dict[str, tuple[int, int, str]]:
    """Rows the reader did not take whose label is in the table's text: row id → (start, end, digits
    after the label). Digits mean the row's cells ran together with its label ("现行有效件数规章000",
    "00000003.其他 0200002"); none mean the row is printed without numbers. A digit right before an
    enumerated label is the previous row's, and a digit right before the next label ("…申请3.其他") is
    that label's enumerator: neither belongs to the row."""
    out = {}
    if tr.start is None or tr.end is None:
        return out
    lo, hi = tr.start, min(len(ctx.ft), tr.end + 40)
    for r in rows:
        for label in (r.label, *r.variants):
            m = _label_pattern(label).search(ctx.ft, lo, hi)
            if m is None:
                continue
            run = _DIGIT_RUN.match(ctx.ft, m.end())
            digits, end = "", m.end()
            if run:
                digits, end = run.group(1), run.end(1)
                if _NEXT_ENUM.match(ctx.ft, end - 1):
                    digits, end = digits[:-1], end - 1
                digits = re.sub(r"[\s|]+", " ", digits).strip()
                end = m.end() + len(ctx.ft[m.end():end].rstrip()) if digits else m.end()
            out[r.id] = (m.start(), end, digits)
            break
    return out


def _glued_rows(ctx: _Ctx, tr: TableRead, t: Table, rows) -> dict[str, tuple[int, int, str]]:
    return {k: v for k, v in _found_rows(ctx, tr, t, rows).items() if v[2]}


@_rule("table_rows_missing")
def _table_rows_missing(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None or not tr.cells:
            continue
        t = _table_of(tr)
        have = ctx.cells(tid).rows | {i.row for i in tr.issues if i.row}
        missing = [r for r in _data_rows(tr.table, tr.version)
                   if r.id not in have and not ctx.beyond_cut(tid, r.id, t, tr)]
        found = _found_rows(ctx, tr, t, missing)
        bare = [r for r in missing if r.id in found and not found[r.id][2]]
        missing = [r for r in missing if r.id not in found]     # glued ones: cells_run_together lists them
        if bare:
            a, b = min(found[r.id][0] for r in bare), max(found[r.id][1] for r in bare)
            ctx.emit_as("row_without_values",
                        f"{_table_no(tid)}{'、'.join(f'「{_short_row(t, r.id)}」' for r in bare)}行只有标签，没有数字"
                        "（空白不等于0）。",
                        f"Table {_table_no(tid)[1]}: rows {', '.join(r.id for r in bare)} are printed without "
                        "numbers (a blank is not 0).", start=a, end=b, table=tid,
                        row=bare[0].id if len(bare) == 1 else None)
        if not missing:
            continue
        names = "、".join(_short_row(t, r.id) for r in missing[:6]) + ("等" if len(missing) > 6 else "")
        ctx.emit(f"{_table_no(tid)}缺少{len(missing)}行：{names}。",
                 f"Table {_table_no(tid)[1]} lacks {len(missing)} rows: {', '.join(r.id for r in missing)}.",
                 start=tr.end, table=tid, row=missing[0].id if len(missing) == 1 else None)


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
            ctx.emit(f"{_table_no(tid)}的{len(issues)}行只有标签、没有任何数字：表格未填写。",
                     f"Table {_table_no(tid)[1]}: {len(issues)} rows are printed without a single number "
                     "(an unfilled template).", start=start, end=end, table=tid)
            continue
        dup = {i.row for i in tr.issues if i.kind == "duplicate_row"}
        names = "、".join(f"「{_short_row(t, i.row) if i.row else '数据行'}」" for i in issues)
        note, note_en = (("；这些行在表中出现不止一次，另一处可能才是数字所在（版式混乱）",
                          "; these rows appear more than once, the numbers may be in the other copy")
                         if dup & {i.row for i in issues} else ("", ""))
        spans = [i for i in issues if i.start is not None]
        ctx.emit(f"{_table_no(tid)}{names}行只有标签，没有数字{note}。",
                 f"Table {_table_no(tid)[1]}: rows {', '.join(str(i.row) for i in issues)} are printed without "
                 f"numbers{note_en}.",
                 start=min((i.start for i in spans), default=tr.start),
                 end=max((i.end for i in spans), default=tr.end), table=tid,
                 row=issues[0].row if len(issues) == 1 else None)


def _issue_rows(ctx: _Ctx, kinds: tuple[str, ...]):
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        for i in tr.issues:
            if i.kind in kinds:
                yield tid, tr, _table_of(tr), i


_KNOWN_ISSUES = ("no_values", "run_together", "ambiguous_split", "non_numeric", "duplicate_row", "cell_count")


@_rule("cell_count")
def _cell_count(ctx: _Ctx) -> None:
    for tid, tr, t, i in _issue_rows(ctx, ("cell_count",)):
        n = len(t.columns_for(i.row)) if i.row else len(t.columns)
        got = len(i.raw.split()) if i.raw else 0
        label = _short_row(t, i.row) if i.row and t.id != "appeals" else "数据行"
        if _at_cut(ctx, i):
            continue                        # the text stops in this row: listed in the truncation finding
        note, note_en = "；复制时空白单元格常会消失", "; empty cells often vanish when a page is copied"
        ctx.emit(f"{_table_no(tid)}「{label}」行有{got}个单元格，格式为{n}个，无法确定数字所属的列{note}。",
                 f"Table {_table_no(tid)[1]}, row {i.row}: {got} cells where the format has {n}; the numbers "
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
                     f"{_table_no(tid)}「{_short_row(t, i.row)}」行" if i.row else _table_no(tid))
            raw = f"「{i.raw}」" if i.raw else ""
            what = "数字位数过多，不是有效的单元格数值，未读取" if i.kind == "too_many_digits" else f"无法按格式读取（{i.kind}）"
            ctx.emit(f"{where}{raw}{what}。", f"Table {_table_no(tid)[1]}: {i.message}",
                     start=i.start, end=i.end, table=tid, row=i.row, column=i.column)


def _quote_digits(raw: str | None) -> str:
    return re.sub(r"\s+", " ", raw or "").strip()


@_rule("cells_run_together")
def _cells_run_together(ctx: _Ctx) -> None:
    """One finding per table for the rows whose cells ran together (one capture fault, its rows listed),
    and one per row whose digits split more than one way (its candidates listed)."""
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        t = _table_of(tr)
        label = (lambda rid: _short_row(t, rid) if rid and t.id != "appeals" else "数据行")
        for i in tr.issues:
            if i.kind != "ambiguous_split":
                continue
            cands = list(getattr(i, "candidates", None) or [])
            shown = "；".join("|".join(_num(v) for v in c) if isinstance(c, (list, tuple)) else str(c)
                             for c in cands[:4]) + ("等" if len(cands) > 4 else "")
            ctx.emit(f"{_table_no(tid)}「{label(i.row)}」行的数字连在一起（“{_quote_digits(i.raw)}”），可拆分为"
                     f"{len(cands)}种读法：{shown}；无法确定是哪一种，不作取舍。",
                     f"Table {_table_no(tid)[1]}, row {i.row}: the run-together digits {i.raw!r} split "
                     f"{len(cands)} ways ({shown}); none is chosen.",
                     start=i.start, end=i.end, table=tid, row=i.row)
        runs = [i for i in tr.issues if i.kind == "run_together"]
        have = ctx.cells(tid).rows | {i.row for i in tr.issues if i.row}
        absent = [r for r in _data_rows(tr.table, tr.version)
                  if r.id not in have and not ctx.beyond_cut(tid, r.id, t, tr)]
        glued = _glued_rows(ctx, tr, t, absent) if tr.cells else {}
        if runs or glued:
            items = [(i.start, _short_row(t, i.row) if i.row and t.id != "appeals" else "数据行",
                      _quote_digits(i.raw), i.end) for i in runs]
            items += [(a, _short_row(t, rid), f"{ctx.text[a:b].strip()}", b) for rid, (a, b, _) in glued.items()]
            items.sort(key=lambda x: (x[0] is None, x[0] or 0))
            # Every row with its digits as printed: the one finding carries what the per-row ones did.
            shown = "、".join(f"「{name}」（“{raw}”）" for _, name, raw, _ in items)
            more = f"，共{len(items)}行"
            note = (f"；其中{len(glued)}行未被识别为表格行（标签与数字连写或版式混乱），其数字未读取" if glued else "")
            starts = [x[0] for x in items if x[0] is not None]
            ends = [x[3] for x in items if x[3] is not None]
            rows = [i.row for i in runs] + list(glued)
            ctx.emit(f"{_table_no(tid)}的数字连在一起（复制网页时丢失了单元格分隔），按格式没有唯一读法，未读取：{shown}{more}{note}。",
                     f"Table {_table_no(tid)[1]}: digits run together in {len(items)} rows "
                     f"({', '.join(str(r) for r in rows)}); the cell boundaries were lost in copying and are "
                     "not guessed.",
                     start=min(starts) if starts else tr.start, end=max(ends) if ends else tr.end, table=tid,
                     row=rows[0] if len(rows) == 1 else None)


@_rule("cells_split")
def _cells_split(ctx: _Ctx) -> None:
    """One finding per table whose run-together rows the reader cut the only way the format allows (the
    numbers are a reading, not printed apart): each row with its cut, and the rule that decided it."""
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        if not ctx.cells(tid).split:
            continue
        t = _table_of(tr)
        label = (lambda rid: _short_row(t, rid) if rid and t.id != "appeals" else "数据行")
        order = [r.id for r in t.rows]
        split = sorted(ctx.cells(tid).split, key=order.index)
        # Rows holding a number first: an all-zero cut is the least telling one to show.
        shown = sorted(split, key=lambda rid: (not any(c.value for (r, _), c in tr.cells.items() if r == rid),
                                               order.index(rid)))
        if split:
            cells = [c for (rid, _), c in tr.cells.items() if rid in split and c.start is not None]
            rules_used = sorted({str(getattr(c, "rule", "")) for (rid, _), c in tr.cells.items()
                                 if rid in split and getattr(c, "rule", None)})
            by = f"（依据：{'；'.join(_SPLIT_RULES.get(r, r) for r in rules_used)}）" if rules_used else ""

            def cut(rid: str) -> str:
                parts = [tr.cells[(rid, c.id)] for c in t.columns_for(rid) if (rid, c.id) in tr.cells]
                return f"「{label(rid)}」{'|'.join(c.raw or '' for c in parts)}"
            ctx.emit(f"{_table_no(tid)}有{len(split)}行数字连写，按格式只有一种读法，已拆分{by}："
                     f"{'、'.join(cut(r) for r in shown[:8])}{'等' if len(split) > 8 else ''}。",
                     f"Table {_table_no(tid)[1]}: {len(split)} rows had run-together digits, split the only "
                     f"way the format allows ({', '.join(rules_used)}): {', '.join(split)}.",
                     start=min((c.start for c in cells), default=tr.start),
                     end=max((c.end for c in cells), default=tr.end), table=tid,
                     row=split[0] if len(split) == 1 else None, severity="info")


@_rule("duplicate_row")
def _duplicate_row(ctx: _Ctx) -> None:
    for tid, tr, t, i in _issue_rows(ctx, ("duplicate_row",)):
        if any(j.kind == "no_values" and j.row == i.row for j in tr.issues):
            continue                        # row_without_values names the row and says it recurs
        ctx.emit(f"{_table_no(tid)}「{_short_row(t, i.row)}」行出现两次，只采用第一次。",
                 f"Table {_table_no(tid)[1]}: row {i.row} appears twice; the first one is used.",
                 start=i.start, end=i.end, table=tid, row=i.row)


@_rule("count_not_a_number")
def _count_not_a_number(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        blank = ctx.cells(tid).blank
        if not blank:
            continue
        t = _table_of(tr)
        by_row: dict[str, list] = {}
        for rid, cid in blank:
            c = tr.cells[(rid, cid)]
            if not _WITH_UNIT.fullmatch(fold(c.raw or "").strip()):
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
            ctx.emit(f"{_table_no(tid)}「{label}」行{what}：应填数字（没有就填0，空白不等于0）。",
                     f"Table {_table_no(tid)[1]}, row {rid}: {what_en} where a count belongs (a blank is not 0).",
                     start=start, end=end, table=tid, row=rid,
                     column=cells[0].column if len(cells) == 1 else None)


@_rule("cell_unit")
def _cell_unit(ctx: _Ctx) -> None:
    """A cell holding a number with a unit: fine when the unit is the column's, worth a word when the
    reader could not take it, and a warning when the unit differs from the column's ("120000元" in the
    万元 column of 行政事业性收费: read as printed, it is 10 000 times too large)."""
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        t = _table_of(tr)
        for i in tr.issues:
            # The reader took "120000元" in a 万元 column as one cell and left it unread (kind "unit").
            if i.kind != "unit" or i.column is None or i.start is None or i.end is None:
                continue
            col = t.column(i.column)
            m = _WITH_UNIT.fullmatch(fold(i.raw or "").strip())
            conv = ""
            if m and col.unit:
                v = float(m.group(1))
                as_col = {("元", "万元"): v / 10000, ("万元", "元"): v * 10000}.get((m.group(2), col.unit))
                conv = f"（折合{_num(round(as_col, 6))}{col.unit}）" if as_col is not None else ""
            ctx.emit(f"{_cell_ref(t, i.row, i.column)}写作「{ctx.text[i.start:i.end]}」{conv}，而格式的单位是"
                     f"{col.unit}：单位不符，未作为数值读取。",
                     f"Table {_table_no(tid)[1]} [{i.row}/{i.column}] is written {ctx.text[i.start:i.end]!r} "
                     f"where the format's unit is {col.unit}; not read as a value.",
                     start=i.start, end=i.end, table=tid, row=i.row, column=i.column)
        if not ctx.cells(tid).blank and not _unit_columns(tr.table, tr.version):
            continue                        # no blank cell and no column with a unit: nothing below
        for (rid, cid), c in tr.cells.items():
            col = t.column(cid)
            if c.state == "blank":
                m = _WITH_UNIT.fullmatch(fold(c.raw or "").strip())
                if m:
                    ctx.emit(f"{_cell_ref(t, rid, cid)}写作「{c.raw}」：数字带了单位，未作为数值读取（不是空白）。",
                             f"Table {_table_no(tid)[1]} [{rid}/{cid}] holds {c.raw!r}: a number with its unit, "
                             "not read as a value (it is not blank).", start=c.start, end=c.end, table=tid,
                             row=rid, column=cid, severity="info", origin="undetermined")
                continue
            if c.state != "value" or c.end is None or not col.unit:
                continue
            after = re.match(r"\s*(万元|元)", ctx.ft[c.end:c.end + 4])
            if after and after.group(1) != col.unit and c.value:
                as_col = {("元", "万元"): c.value / 10000, ("万元", "元"): c.value * 10000}.get((after.group(1), col.unit))
                conv = f"（折合{_num(round(as_col, 6))}{col.unit}）" if as_col is not None else ""
                ctx.emit(f"{_cell_ref(t, rid, cid)}写作「{ctx.text[c.start:c.end + after.end()]}」{conv}，而格式的单位是"
                         f"{col.unit}：表中数字按格式读作{_num(c.value)}{col.unit}，单位不符。",
                         f"Table {_table_no(tid)[1]} [{rid}/{cid}] is written "
                         f"{ctx.text[c.start:c.end + after.end()]!r} where the format's unit is {col.unit}.",
                         start=c.start, end=c.end + after.end(), table=tid, row=rid, column=cid)


def _find(ctx: _Ctx, pattern: re.Pattern, lo: int | None = None, hi: int | None = None):
    """Matches of ``pattern`` in the folded text that start in [lo, hi)."""
    for m in pattern.finditer(ctx.ft, lo or 0):
        if hi is not None and m.start() >= hi:
            break
        yield m, m.start(), m.end()


# A rule's regex tried at every character of the text costs more than the rule: a pattern that opens
# with a choice of characters (未|没有…) is tried at each one, where a literal first character lets the
# engine jump. For the patterns whose matches can start only at a few characters of the text, these
# find those offsets with str.find and try the pattern there alone, which yields the very matches
# finditer yields (same order, same non-overlapping choice): every match starts at a candidate, and
# the candidates are tried in text order from where the last match ended. (None of these patterns
# matches the empty string.)

def _offsets(ft: str, chars, lo: int = 0, hi: int | None = None, back: int = 0) -> list[int]:
    """Sorted offsets in [lo, hi) that are ``back`` or fewer characters before one of ``chars`` (a
    string's characters, or strings) at or after ``lo`` (back=0: the offsets of the strings themselves)."""
    hi = len(ft) if hi is None else hi
    find = ft.find
    at = []
    for ch in chars:
        end = hi + len(ch) - 1              # a string starting before hi may end after it
        i = find(ch, lo, end)
        while i >= 0:
            at.append(i)
            i = find(ch, i + 1, end)
    if back:
        return sorted({j for i in at for j in range(max(lo, i - back), i + 1)})
    at.sort()
    return at


def _matches_at(pattern: re.Pattern, ft: str, starts: list[int], endpos: int | None = None):
    """The matches ``pattern.finditer`` finds from the first of ``starts`` to ``endpos``, for a pattern
    whose matches can only start at the offsets ``starts`` (sorted)."""
    endpos = len(ft) if endpos is None else endpos
    pos = 0
    match = pattern.match
    for s in starts:
        if s < pos:
            continue
        m = match(ft, s, endpos)
        if m is not None:
            yield m
            pos = m.end()


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
        ctx.emit(f"{year}年的年报，{_table_no(tid)}却使用2019年试行格式（国办公开办函〔2019〕60号）的表格；"
                 "2021年起应使用国办公开办函〔2021〕30号的格式。",
                 f"A report for {year} fills table {_table_no(tid)[1]} in the 2019 trial layout; from 2021 the "
                 "format of 国办公开办函〔2021〕30号 applies.",
                 start=span[0], end=span[1], table=tid)


# Patterns start with a literal so the regex engine can skip ahead; the issuer and the opening bracket
# are taken in by _widen_left.
_NOTICE_2019 = rx.lazy(r"2019\s*[〕\]】)]?\s*60\s*号")
_NOTICE_2021 = rx.lazy(r"2021\s*[〕\]】)]?\s*30\s*号")
_ISSUER_2019 = rx.lazy(r"(?:国办公开办?函)?\s*[〔\[【(]?\s*$")


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


_YEAR_WORD = rx.lazy(r"((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)")     # not a date: no month after
_PERIOD = rx.lazy(STAT_PERIOD + r"[^。\n]{0,12}?((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日"
                     r"[^。\n]{0,6}?(?:((?:19|20)\d\d)\s*年\s*)?12\s*月\s*31\s*日")
_TITLE_YEAR = rx.lazy(r"(?:19|20)\d\d")


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
        # A year opens with 19 or 20: tried there, in section 一 (a plain scan read on to the next year
        # after it, through the tables' digits).
        for m in _matches_at(_YEAR_WORD, ctx.ft, _offsets(ctx.ft, ("19", "20"), s1.body_start, s1.end)):
            s, e = m.span()
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
_DOCNUM = rx.lazy(r"((?:19|20)\d\d)\s*([〕\]】)])?\s*(\d{1,4})\s*号")
_OPEN_LEFT = rx.lazy(r"([〔\[【(])\s*$")
_ISSUER_TAIL = rx.lazy(r"[\u4e00-\u9fff]{0,8}$")
_ISSUER_END = set("函发字办令")


_DOCNUM_INSIDE = "〕]】)"       # besides digits and spaces, what a document number holds before its 号
_DOCNUM_REACH = 64


def _docnums(ft: str):
    """``_DOCNUM.finditer(ft)``, read only before each 号. A match is digits, spaces and a closing
    bracket ending in 号, so it lies in the run of such characters before a 号: that run is read, back
    to the previous 号 when it is longer than _DOCNUM_REACH (a long run of digits or spaces)."""
    prev = 0
    p = ft.find("号")
    while p >= 0:
        lo = p
        while lo > prev and p - lo < _DOCNUM_REACH:
            ch = ft[lo - 1]
            if not (ch.isdecimal() or ch.isspace() or ch in _DOCNUM_INSIDE):
                break
            lo -= 1
        else:
            lo = prev                   # the run goes on: read back to the previous 号
        yield from _DOCNUM.finditer(ft, lo, p + 1)
        prev = p + 1
        p = ft.find("号", prev)


@_rule("doc_number_malformed")
def _doc_number_malformed(ctx: _Ctx) -> None:
    ft = ctx.ft
    for m in _docnums(ft):
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
_ONE_BRACKET = rf"(?P<b>\((?P<open>{CN_DIGIT}{{1,3}})(?![{CN_DIGITS})])|(?P<close>{CN_DIGIT}{{1,3}})\))"
# Where a heading can start (after a line break or a sentence end), then the enumerator with one
# bracket (group b), in one pass; the start of the text is tried on its own.
_ONE_BRACKET_HEAD = rx.lazy(rf"[\n。;!?][ \t]*{_ONE_BRACKET}")
_ONE_BRACKET_AT = rx.lazy(_ONE_BRACKET)


@_rule("heading_brackets")
def _heading_brackets(ctx: _Ctx) -> None:
    ft = ctx.ft
    first = _ONE_BRACKET_AT.match(ft, len(ft) - len(ft.lstrip(" \t")))
    for m in ((first,) if first else ()) + tuple(_ONE_BRACKET_HEAD.finditer(ft)):
        s, e = m.span("b")
        if e >= len(ft) or ft[e].isspace() or ft[e] in "、.,":
            continue                        # a heading has its title right after the enumerator
        line_end = ctx.text.find("\n", e, e + 12)        # bounded: one-line captures are long
        shown_end = line_end if line_end >= 0 else min(len(ctx.text), e + 12)
        n = m.group("open") or m.group("close")
        lack, lack_en = ("右括号", "closing") if m.group("open") else ("左括号", "opening")
        ctx.emit(f"小标题「{ctx.text[s:shown_end].strip()}」缺少{lack}，应为“（{n}）”。",
                 f"Sub-heading {ctx.text[s:shown_end].strip()!r} lacks its {lack_en} bracket; should read （{n}）.",
                 start=s, end=shown_end)


# How introductions name the six parts. Looser than the heading patterns of format.yaml, because intros
# paraphrase (format-2021.md §1: "因政府信息公开工作被申请行政复议和提起行政诉讼情况", "存在的主要问题和改进措施",
# "其他事项"); part 五 stops at its own words so that a part 六 glued to it is still seen as one.
_INTRO_PARTS_REST = tuple(rx.lazy(p) for p in (
    r"主动公开(?:政府信息)?的?情况|主动公开政府信息",
    r"(?:收到和)?处理(?:政府信息公开)?申请的?情况|依申请公开(?:政府信息)?的?情况",
    r"(?:因政府信息公开(?:工作)?)?被?(?:申请)?(?:政府信息公开)?行政法?复议[、和及与]?(?:提起)?(?:行政)?诉讼的?情况",
    r"(?:政府信息公开工作)?存在的?主要问题(?:[及和与](?:改进|整改)的?(?:情况|措施)|及明年工作计划)?",
    r"其他(?:需要)?(?:报告的?)?事项",
))


@functools.lru_cache(maxsize=1)
def _intro_part_patterns() -> tuple:
    """The pattern of each part's name in an introduction, part 一 by its official title."""
    return (rx.compiled(re.escape(spec().section(1).title.split("、", 1)[1])), *_INTRO_PARTS_REST)


_SENTENCE = rx.lazy(r"[^。\n]+")


@functools.lru_cache(maxsize=1)
def _intro_cues() -> tuple[str, ...]:
    """Words an introduction's list of the parts holds, besides 主动公开, which every list names."""
    return spec().section(1).title.split("、", 1)[1], "申请", "复议", "问题", "其他"
_LIST_SEP = rx.lazy(r"[、,;，；和及与]|以及")
_PARTS_COUNT = rx.lazy(rf"([{CN_DIGITS}\d]+)\s*(?:个)?(?:大)?部分")


@_rule("intro_parts")
def _intro_parts(ctx: _Ctx) -> None:
    r = ctx.report
    ft = ctx.ft
    s1 = r.section(1)
    region_end = s1.body_start + 600 if s1.present else r.preamble_end
    fend = min(region_end, len(ft))
    for sent in _SENTENCE.finditer(ft, 0, fend):
        text = sent.group()
        if "主动公开" not in text or sum(map(text.__contains__, _intro_cues())) < 3:
            continue                        # cheap pre-filter: a list of parts names several of these
        found = []
        pos = sent.start()
        for k, pat in enumerate(_intro_part_patterns()):
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
        stated = int(word) if word.isdigit() else CN_VALUE.get(word)
        listed = len(found) - len(glued)
        if stated is not None and stated != listed:
            cs, ce = cm.span()
            ctx.emit(f"导语称报告由{word}部分组成，实际列出{listed}项。",
                     f"The introduction promises {stated} parts and lists {listed}.", start=cs, end=ce)


# ---------------------------------------------------------------------------------------------- capture

def _not_reached(ctx: _Ctx) -> tuple[list[str], list[str]]:
    """What the format requires that lies beyond the cut(s): (zh parts, en parts), for the one
    truncation finding that stands for all of them."""
    zh, en = [], []
    if ctx.cut_start:
        first = ctx.first_present
        zh.append(f"第一至{_NUMERALS[first - 2]}部分" if first > 2 else "第一部分")
        en.append(f"sections 一 to {_NUMERALS[first - 2]}" if first > 2 else "section 一")
    if ctx.cut_end is None:
        return zh, en
    last = ctx.last_present
    if last and ctx.cut_after_heading(last):
        zh.append(f"第{_NUMERALS[last - 1]}部分的内容（文本止于其标题）")
        en.append(f"the body of section {_NUMERALS[last - 1]} (the text stops at its heading)")
    for tid in TABLE_IDS:
        tr = ctx.report.tables.get(tid)
        if tr is None or not ctx.cut_inside(_section_of(tid)):
            continue
        t = _table_of(tr)
        have = ctx.cells(tid).rows
        rows = [r for r in _data_rows(tr.table, tr.version) if r.id not in have and ctx.beyond_cut(tid, r.id, t, tr)]
        partial = [i.row for i in tr.issues if i.kind == "cell_count" and _at_cut(ctx, i)]
        if rows or partial:
            first = _short_row(t, (partial or [rows[0].id])[0])
            n = len(rows) + len(partial)
            zh.append(f"{_table_no(tid)}自「{first}」起的{n}行")
            en.append(f"{n} rows of table {_table_no(tid)[1]} from {(partial or [rows[0].id])[0]}")
    if last and last < 6:
        zh.append(f"第{_NUMERALS[last]}至六部分" if last < 5 else "第六部分")
        en.append(f"sections {_NUMERALS[last]} to 六" if last < 5 else "section 六")
    return zh, en


def _at_cut(ctx: _Ctx, issue) -> bool:
    return ctx.cut_end is not None and issue.end is not None and ctx.cut_end - issue.end <= 8


@_rule("text_incomplete")
def _text_incomplete(ctx: _Ctx) -> None:
    """One finding for a capture cut short, however many sections, rows and cells the cut took: they are
    listed in it, and the structure rules stay silent about them."""
    if ctx.cut_end is None and not ctx.cut_start:
        return
    zh, en = _not_reached(ctx)
    where, where_en = [], []
    if ctx.cut_start:
        s = ctx.report.section(ctx.first_present)
        where.append(f"从第{_NUMERALS[ctx.first_present - 1]}部分开始，前面没有标题和导语")
        where_en.append(f"starts at section {_NUMERALS[ctx.first_present - 1]} with no title or introduction")
        start, end = s.start, s.body_start
    if ctx.cut_end is not None:
        end = ctx.cut_end
        start = max(0, end - 12)
        tail = re.sub(r"\s+", " ", ctx.text[start:end]).strip()
        where.append(f"在句子或表格中间结束（「{tail}」）")
        where_en.append(f"ends mid-sentence or mid-table ({tail!r})")
    missing = f"；未见：{'、'.join(zh)}" if zh else ""
    missing_en = f"; not in it: {', '.join(en)}" if en else ""
    ctx.emit(f"文本{'，又'.join(where)}：看来复制时被截断，截断处以外的内容无法检查{missing}。",
             f"The text {' and '.join(where_en)}: it looks cut off when copied, and what lies beyond the cut "
             f"cannot be checked{missing_en}.", start=start, end=end)


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


class _Equation:
    """One equation of an identity, its terms as positions in the table's cell vector. (A plain class
    with slots: a dataclass would cost the module's import.)"""

    __slots__ = ("lhs", "rhs", "terms", "split", "scope", "column", "row")

    def __init__(self, lhs, rhs, index: dict[tuple[str, str], int], scope: str):
        self.lhs: tuple[tuple[str, str], ...] = lhs        # (row id, column id) of each term
        self.rhs: tuple[tuple[str, str], ...] = rhs
        # Every term's value in one C call (an identity has at least two terms, so it is a tuple):
        # the first ``split`` are the left side's.
        self.terms = operator.itemgetter(*(index[k] for k in (*lhs, *rhs)))
        self.split = len(lhs)
        self.scope = scope
        cols = {c for _, c in (*lhs, *rhs)}
        rows = {r for r, _ in (*lhs, *rhs)}
        self.column = next(iter(cols)) if len(cols) == 1 else None     # the column every term shares
        self.row = next(iter(rows)) if len(rows) == 1 else None


@functools.lru_cache(maxsize=None)
def _cell_index(tid: str, version: str) -> dict[tuple[str, str], int]:
    """Position of each cell of table ``tid`` (format ``version``) in a report's cell vector: the
    format's cells in reading order, then any other cell an identity names."""
    index = {k: i for i, k in enumerate(_table(tid, version).cells)}
    for ident in spec().version(version).identities:
        if ident.table == tid:
            for lhs, rhs, _ in ident.equations:
                for k in (*lhs, *rhs):
                    index.setdefault(k, len(index))
    return index


@functools.lru_cache(maxsize=None)
def _compiled_identity(version: str, identity_id: str):
    """The identity ``identity_id`` of format ``version`` with its equations as index arrays into the
    cell vector (:meth:`_Ctx.vector`), or None when the version has no such identity. Compiled once per
    version: a corpus checks the same few hundred equations in every report."""
    ident = next((i for i in spec().version(version).identities if i.id == identity_id), None)
    if ident is None:
        return None
    index = _cell_index(ident.table, version)
    return ident, tuple(_Equation(lhs, rhs, index, scope) for lhs, rhs, scope in ident.equations)


def _check_identity(ctx: _Ctx) -> None:
    rule = ctx.rule
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        compiled = _compiled_identity(tr.version, rule.identity)
        if compiled is None or compiled[0].table != tid:
            continue
        ident, equations = compiled
        vec = ctx.vector(tid)
        failed = []
        for eq in equations:
            values = eq.terms(vec)
            if None in values:
                continue            # a blank, unreadable or missing term: unknown, not 0
            lv, rv = values[:eq.split], values[eq.split:]
            ls, rs = sum(lv), sum(rv)
            if abs(ls - rs) < 1e-9:
                continue
            failed.append((eq, lv, rv, ls, rs))
        if failed:
            _emit_identity(ctx, tid, tr, ident, failed)


def _emit_identity(ctx: _Ctx, tid: str, tr: TableRead, ident, failed: list) -> None:
    """The findings of the equations of ``ident`` that table ``tid`` breaks."""
    t = _table_of(tr)
    note = "这是模板表头印明的唯一勾稽关系" if ident.official else "此关系由表格结构推出，格式未明文印出"
    note_en = ("the only identity printed in the template" if ident.official
               else "implied by the table, not printed in the format")
    grouped = []
    for eq, lvals, rvals, ls, rs in failed:
        lv = [(r, c, v) for (r, c), v in zip(eq.lhs, lvals)]
        rv = [(r, c, v) for (r, c), v in zip(eq.rhs, rvals)]
        col, row, scope = eq.column, eq.row, eq.scope
        where = f"「{scope}」列" if col else (f"「{scope}」" if t.id == "appeals" else f"「{_short_row(t, row)}」行")
        spans = [c for c in (tr.cells[k] for k in (*eq.lhs, *eq.rhs)) if c.start is not None]
        if ident.id == _GROUPED_IDENTITY:
            grouped.append((row, ls, rs, spans))
            continue
        ctx.emit(f"{_table_no(tid)}{where}：{_sum_text(t, lv, bool(col))} = {_num(ls)}，而 "
                 f"{_sum_text(t, rv, bool(col))} = {_num(rs)}，两者应相等（{ident.description}；{note}）。",
                 f"Table {_table_no(tid)[1]} [{scope}]: "
                 f"{' + '.join(f'{r}/{c} {_num(v)}' for r, c, v in lv)} = {_num(ls)} but "
                 f"{' + '.join(f'{r}/{c} {_num(v)}' for r, c, v in rv if v) or '0'} = {_num(rs)} "
                 f"({ident.description_en}; {note_en}).",
                 start=min(c.start for c in spans) if spans else None,
                 end=max(c.end for c in spans) if spans else None,
                 table=tid, row=row, column=col)
    if grouped:
        _emit_row_totals(ctx, tid, t, grouped, ident, note, note_en)


# Table 三's 总计 column against the applicant columns: one finding per table, the rows listed. A wrong
# 总计 column (all zeros beside non-zero parts, corpus complete/103, 109) is one fault, not one per row.
_GROUPED_IDENTITY = "requests_row_total"


def _emit_row_totals(ctx: _Ctx, tid: str, t: Table, failed: list, ident, note: str, note_en: str) -> None:
    if len(failed) == 1:
        row, ls, rs, spans = failed[0]
        ctx.emit(f"{_table_no(tid)}「{_short_row(t, row)}」行：总计 {_num(ls)}，而自然人与{_orgs()}各列之和为"
                 f"{_num(rs)}，两者应相等（{ident.description}；{note}）。",
                 f"Table {_table_no(tid)[1]} [{row}]: total {_num(ls)} but the applicant columns add up to "
                 f"{_num(rs)} ({ident.description_en}; {note_en}).",
                 start=min((c.start for c in spans), default=None), end=max((c.end for c in spans), default=None),
                 table=tid, row=row)
        return
    zero = all(ls == 0 and rs > 0 for _, ls, rs, _ in failed)
    listed = "、".join(f"「{_short_row(t, row)}」总计{_num(ls)}（各列之和{_num(rs)}）" for row, ls, rs, _ in failed)
    why, why_en = (("总计列填了0，而申请人各列有数：", "the 总计 column holds 0 beside non-zero applicant columns: ")
                   if zero else ("", ""))
    spans = [c for *_, sp in failed for c in sp]
    ctx.emit(f"{_table_no(tid)}有{len(failed)}行的总计与自然人、{_orgs()}各列之和不符，{why}{listed}"
             f"（{ident.description}；{note}）。",
             f"Table {_table_no(tid)[1]}: in {len(failed)} rows the total differs from the applicant columns; "
             f"{why_en}{', '.join(f'{row} {_num(ls)} vs {_num(rs)}' for row, ls, rs, _ in failed)} "
             f"({ident.description_en}; {note_en}).",
             start=min((c.start for c in spans), default=None), end=max((c.end for c in spans), default=None),
             table=tid, column="total")


_rule("requests_balance", "requests_results_sum", "requests_row_total", "appeals_group_total")(_check_identity)


@_rule("count_range")
def _count_range(ctx: _Ctx) -> None:
    for tid, tr in ctx.report.tables.items():
        if tr is None:
            continue
        vec = ctx._vectors.get(tid)         # the identities' numbers, when every cell holds one
        numbers = vec if vec is not None and len(vec) == len(tr.cells) and None not in vec else ctx.cells(tid).numbers()
        # Whole counts, none negative, the common case, told in C: a sum of ints (and bools) is an int,
        # one float or other number among them makes it something else.
        if not numbers or (type(sum(numbers)) is int and min(numbers) >= 0):
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
                         f"Table {_table_no(tid)[1]} [{rid}/{cid}] = {_num(v)} {' and '.join(problems_en)}.",
                         start=c.start, end=c.end, table=tid, row=rid, column=cid)


@_rule("regulations_without_power")
def _regulations_without_power(ctx: _Ctx) -> None:
    tr = ctx.report.tables.get("proactive")
    if tr is None:
        return
    cells = [tr.cells[k] for k in _row_cells(tr.table, tr.version, "regulations") if k in tr.cells]
    nonzero = [c for c in cells if c.state == "value" and c.value]
    if not nonzero:
        return
    r = ctx.report
    name = r.agency or name_from_title(r.title)
    body = rulemaking(name, ctx.ft[:r.section(1).end] if r.section(1).present else ctx.ft[:2000])
    if body is None:
        return
    who = body.name if body.source == "name" else f"本机关（正文自称“{body.cue}”）"
    shown = " / ".join(_num(c.value) if c.state == "value" else "?" for c in cells)
    spans = [c for c in cells if c.start is not None]
    ctx.emit(f"{who}属于{body.kind_zh}，没有规章制定权（规章只能由国务院部门和省级、设区的市级人民政府制定），"
             f"却填报规章 {shown}：可能把“规章制度”误填为规章。",
             f"{body.name} is {body.kind_en}, which cannot make 规章 (only State Council departments and "
             f"provincial and 设区的市 governments can), yet reports 规章 {shown}; perhaps internal rules were "
             "filed as 规章.",
             start=min(c.start for c in spans) if spans else None, end=max(c.end for c in spans) if spans else None,
             table="proactive", row="regulations",
             column=nonzero[0].column if len(nonzero) == 1 else None)


# ---------------------------------------------------------------------------------------------- prose

_NEG_REQUESTS = rx.lazy(NEG_RECEIVE + r"[^。;!?\n]{0,20}?申请")     # opens with 未 or 没 (read at those)
_NEG_APPEALS = rx.lazy(r"(?:未(?:发生|出现|有|被|涉及|产生)|没有|无(?=因|涉及|发生|被申请|提起|行政|复议|诉讼))"
                          r"[^。;!?\n,]{0,25}?(?:复议|诉讼)[^。;!?\n,]{0,15}")      # opens with 未, 没 or 无


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
    # A denial contradicts only a count above 0: without one the text is not read for denials.
    new = _cells_value(tables.get("requests"), (("new", "total"),))
    found = _matches_at(_NEG_REQUESTS, ctx.ft, _offsets(ctx.ft, "未没")) if new and new[0] > 0 else ()
    for m in found:
        s, e = m.span()
        said = m.group()
        # Only disclosure applications: not "未收到行政复议申请" (table 四, below) or "行政许可申请".
        if _in_tables(ctx, s) or "公开" not in said or "复议" in said or "诉讼" in said:
            continue
        ctx.emit(f"正文说「{ctx.text[s:e]}」，但{_table_no('requests')}「一、本年新收」总计为{_num(new[0])}。",
                 f"The prose says {ctx.text[s:e]!r}, but table 三 counts {_num(new[0])} new applications.",
                 start=s, end=e, section=ctx.section_at(s), table="requests", row="new", column="total")
    review = _cells_value(tables.get("appeals"), _REVIEW)
    suits = _cells_value(tables.get("appeals"), _SUITS)
    counted = (review and review[0] > 0) or (suits and suits[0] > 0)
    for m in (_matches_at(_NEG_APPEALS, ctx.ft, _offsets(ctx.ft, "未没无")) if counted else ()):
        s, e = m.span()
        if _in_tables(ctx, s):
            continue
        said = m.group()
        checks = []
        if "复议" in said:
            checks.append(("行政复议总计", "review total", review))
        if "诉讼" in said:
            checks.append(("行政诉讼总计", "lawsuit totals", suits))
        for what, what_en, got in checks:
            if got and got[0] > 0:
                ctx.emit(f"正文说「{ctx.text[s:e]}」，但{_table_no('appeals')}{what}为{_num(got[0])}。",
                         f"The prose says {ctx.text[s:e]!r}, but table 四 has {_num(got[0])} ({what_en}).",
                         start=s, end=e, section=ctx.section_at(s), table="appeals", row="cases",
                         column=got[1][0].column if len(got[1]) == 1 else None)


# What a prose count is about (its subject, the words before the number) → the cells it should equal,
# and an alternative reading some reports use (received = new + carried over, corpus complete/003).
_COUNT_UNITS = COUNT_UNITS
@functools.lru_cache(maxsize=1)
def _prose_targets() -> tuple:
    return (
        (rx.compiled(r"复议"), "appeals", _REVIEW, None, f"{_table_no('appeals')}行政复议总计", "table 四 review total"),
        (rx.compiled(r"诉讼"), "appeals", _SUITS, None, f"{_table_no('appeals')}行政诉讼两项总计之和", "table 四 lawsuit totals"),
        (rx.compiled(r"上一?年度?结转|结转上一?年"), "requests", (("carried_in", "total"),), None,
         f"{_table_no('requests')}「二、上年结转」总计", "table 三 carried_in/total"),
        (rx.compiled(r"结转(?:至|到)?下一?年"), "requests", (("carried_out", "total"),), None,
         f"{_table_no('requests')}「{spec().table('requests').row('carried_out').label}」总计", "table 三 carried_out/total"),
        (rx.compiled(r"(?:收到|受理|新收|接到|接收).*申请|申请.*(?:收到|受理)"), "requests", (("new", "total"),),
         (("new", "total"), ("carried_in", "total")), f"{_table_no('requests')}「一、本年新收」总计", "table 三 new/total"),
    )
# A part of the applications, not all of them: an outcome, or what one office handled on the body's behalf
# ("区政府办代表区政府受理…17件" beside a district-wide table of 95, corpus pdf/001's notes).
_PART_OF_TOTAL = rx.lazy(r"其中|维持|纠正|撤销|驳回|审结|胜诉|败诉|结果|予以公开|部分公开|不予公开|无法提供|不予处理"
                            r"|代表|代为|本级")
_ABOUT_DISCLOSURE = rx.lazy(r"信息公开|依申请|公开申请|申请公开")


@functools.lru_cache(maxsize=8192)
def _count_target(subject: str) -> int | None:
    """The position in _prose_targets of what a prose count with this subject states, or None: a part
    of a total, no target's words, or applications that are not disclosure applications. (Subjects
    recur from report to report: decided once each.)"""
    if _PART_OF_TOTAL.search(subject):
        return None                         # "行政复议结果维持2件", "其中予以公开3件": a part, not the total
    for k, (pat, tid, *_) in enumerate(_prose_targets()):
        if pat.search(subject):
            # "收到行政许可申请…": not a disclosure application
            return None if tid == "requests" and "公开" not in subject else k
    return None


@_rule("prose_count")
def _prose_count(ctx: _Ctx) -> None:
    _prose_outcomes(ctx)
    tables = ctx.report.tables
    for f in ctx.report.facts:
        if f.unit not in _COUNT_UNITS or not isinstance(f.value, int):
            continue
        subject = f.subject                 # already folded by the loader; the cue words are CJK
        k = _count_target(subject)
        if k is None or not _ABOUT_DISCLOSURE.search(f.sentence):
            continue
        _, tid, cells, alt, name, name_en = _prose_targets()[k]
        got = _cells_value(tables.get(tid), cells)
        if got is None:
            continue                        # the cell is blank, unreadable or missing: nothing to compare
        total = got[0]
        alt_got = _cells_value(tables.get(tid), alt) if alt else None
        if f.value == total or (alt_got is not None and f.value == alt_got[0]):
            continue
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


_UNIT_FAMILY = UNIT_FAMILY
_RATE_SUBJECT = rx.lazy(r"([\u4e00-\u9fff]{2})率(?:为|是|达到?|约为?|均为|了)?$")


@_rule("prose_rate")
def _prose_rate(ctx: _Ctx) -> None:
    _share_rates(ctx)
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


# ---------------------------------------------------------------------------------------------- prose: outcomes, rates, claims, sums

_LEADING_ENUM = rx.lazy(rf"^{ENUMERATOR}\s*")


def _core(label: str) -> str:
    """A row label without its enumerator and bracketed remark: how prose names the category."""
    key = _LEADING_ENUM.sub("", fold(label))
    return re.sub(r"[（(].*$", "", key).strip()


@functools.lru_cache(maxsize=None)
def _outcome_categories(version: str) -> tuple[tuple[re.Pattern, tuple[str, ...], str], ...]:
    """(pattern on the end of a prose subject, the 表三 rows it counts, its name) for the outcome
    categories reports state in prose, from the format's own row labels: each outcome row and group,
    予以公开 and 部分公开 together, and 办结 for （七）总计. Synonyms reports use come from _OUTCOME_WORDS."""
    t = _table("requests", version)
    children: dict[str, list[str]] = {}
    for r in t.rows:
        if r.parent:
            children.setdefault(r.parent, []).append(r.id)
    results = next(r for r in t.rows if r.kind == "group" and r.parent is None)
    out = []
    tail = r"(?:的|类)?(?:政府信息公开)?(?:申请)?(?:共计|共|为|计|了)?$"
    granted, partly = children[results.id][0], children[results.id][1]
    both = rf"(?:{re.escape(_core(t.row(granted).label))}|{_OUTCOME_WORDS['granted']})[及和与、或]{re.escape(_core(t.row(partly).label))}"
    out.append((re.compile(rf"(?:{both}|{_OUTCOME_WORDS['granted_or_partly']}){tail}"), (granted, partly),
                f"{_short_row(t, granted)}与{_short_row(t, partly)}之和"))
    *outcomes, total = children[results.id]
    for rid in outcomes:
        row = t.row(rid)
        rows = tuple(children.get(rid, [rid]))
        words = re.escape(_core(row.label))
        if rid in _OUTCOME_SYNONYMS:
            words = rf"(?:{words}|{_OUTCOME_WORDS[_OUTCOME_SYNONYMS[rid]]})"
        name = _short_row(t, rid) + ("各项之和" if len(rows) > 1 else "")
        out.append((re.compile(rf"(?<![及和与、或部]){words}{tail}"), rows, name))
    out.append((re.compile(rf"(?:{_OUTCOME_WORDS['completed']}){tail}"), (total,), _short_row(t, total)))
    return tuple(out)


_CLAUSE_SEP = rx.lazy(r"[，,；;：:]")
_NOT_OUTCOME = rx.lazy(r"复议|诉讼|依申请公开|主动公开")


@functools.lru_cache(maxsize=8192)
def _outcome_of(version: str, subject: str) -> tuple[str, int | None]:
    """The last clause of a prose subject and the position in _outcome_categories of the outcome it
    names, or None (subjects recur from report to report: decided once each)."""
    clause = _CLAUSE_SEP.split(subject)[-1].strip()
    if not clause or _NOT_OUTCOME.search(clause):
        return clause, None
    return clause, next((k for k, (pat, _, _) in enumerate(_outcome_categories(version)) if pat.search(clause)), None)


def _prose_outcomes(ctx: _Ctx) -> None:
    tr = ctx.report.tables.get("requests")
    if tr is None:
        return
    for f in ctx.report.facts:
        if f.unit not in _APPLICATION_UNITS or not isinstance(f.value, int) or _in_tables(ctx, f.start):
            continue
        subject, k = _outcome_of(tr.version, f.subject)
        if k is None:
            continue
        if _SUBSET.search(ctx.ft, f.sentence_start, f.start):
            continue                        # "网上申请中予以公开3件": a part of the applications, not all
        _, rows, name = _outcome_categories(tr.version)[k]
        got = _cells_value(tr, tuple((r, "total") for r in rows))
        if got is None or got[0] == f.value:
            continue
        start = f.start - len(subject) if ctx.ft[f.start - len(subject):f.start] == subject else f.start
        ctx.emit(f"正文「{ctx.text[start:f.end]}」与{_table_no('requests')}「{name}」（总计列 {_num(got[0])}）不符。",
                 f"The prose states {ctx.text[start:f.end]!r} but table 三 gives {_num(got[0])} "
                 f"({', '.join(rows)}, total column).",
                 start=start, end=f.end, section=f.section if f.section else None, table="requests",
                 row=rows[0] if len(rows) == 1 else None, column="total")


def _unit_family(u: str) -> str:
    return _UNIT_FAMILY.get(u, u)


def _share_rates(ctx: _Ctx) -> None:
    """"120件，占30.5%": the share must follow from the count and a total stated before it. Checked only
    against totals the text names (共, 合计, 收到…) and reported only when no count before it gives it."""
    facts = ctx.report.facts
    for k, f in enumerate(facts):
        if f.unit != "%" or k == 0 or not _SHARE.search(f.subject.strip()):
            continue
        num = facts[k - 1]
        if num.unit == "%" or num.sentence_start != f.sentence_start or not num.value:
            continue
        fam = _unit_family(num.unit)
        before = [g for g in facts[max(0, k - 12):k - 1]
                  if g.unit != "%" and _unit_family(g.unit) == fam and g.value and g.value >= num.value
                  and num.start - g.end <= 300 and g.section == num.section]
        totals = [g for g in before if _TOTAL_CUE.search(g.subject)]
        if not totals:
            continue
        decimals = len(f.text.split(".")[1].rstrip("%").strip()) if "." in f.text else 0
        tol = 10 ** -decimals + 1e-9
        if any(abs(num.value / g.value * 100 - f.value) <= tol for g in before):
            continue
        den = totals[-1]
        rate = num.value / den.value * 100
        ctx.emit(f"正文「{ctx.text[num.start:f.end]}」与所述总数不符：{_num(num.value)}÷{_num(den.value)} = "
                 f"{rate:.{max(decimals, 1)}f}%（总数见「{den.subject[-12:]}{den.text}」）。",
                 f"The prose states {ctx.text[num.start:f.end]!r}, but {_num(num.value)}/{_num(den.value)} = "
                 f"{rate:.{max(decimals, 1)}f}% (the total stated before it).",
                 start=num.start, end=f.end, section=f.section if f.section else None)


@_rule("prose_claim")
def _prose_claim(ctx: _Ctx) -> None:
    """Claims in prose the tables contradict: every review or lawsuit upheld while table 四 shows one
    corrected, decided otherwise or pending; every application completed while some are carried over."""
    appeals = ctx.report.tables.get("appeals")
    requests = ctx.report.tables.get("requests")
    # A claim contradicts only a count above 0: without one the text is not read for claims.
    against = [(g, _cells_value(appeals, tuple(("cases", f"{g}_{x}") for x in ("corrected", "other", "pending"))))
               for g in ("review", "direct_suit", "suit_after_review")]
    against = {g: got for g, got in against if got is not None and got[0] > 0}
    for m in (_matches_at(_UPHELD_CLAIM, ctx.ft, _offsets(ctx.ft, "均全都皆")) if against else ()):
        if _in_tables(ctx, m.start()):
            continue
        lo = max(ctx.ft.rfind(c, 0, m.start()) for c in "。；;\n") + 1
        clause = ctx.ft[lo:m.end()]
        groups = [g for g, cue in (("review", "复议"), ("direct_suit", "诉讼"), ("suit_after_review", "诉讼"))
                  if cue in clause]
        if "诉讼" in clause and "复议" in clause and "维持" not in m.group():
            groups = [g for g in groups if g != "review"]     # 胜诉 speaks of lawsuits only
        bad = []
        for g in groups:
            got = against.get(g)
            if got is not None:
                t = _table("appeals", appeals.version)
                bad.extend(f"「{t.column(c.column).name}」{_num(c.value)}" for c in got[1] if c.value)
        if bad:
            ctx.emit(f"正文称「{ctx.text[lo:m.end()].strip()}」，但{_table_no('appeals')}有{'、'.join(bad)}。",
                     f"The prose claims {ctx.text[lo:m.end()].strip()!r}, but table 四 has "
                     f"{', '.join(bad)}.", start=lo, end=m.end(), table="appeals", row="cases",
                     section=ctx.section_at(lo))
    carried = _cells_value(requests, (("carried_out", "total"),))
    # Every form of the claim says 办结: a text without the word is not scanned.
    for m in (_ALL_DONE_CLAIM.finditer(ctx.ft) if carried and carried[0] > 0 and "办结" in ctx.ft else ()):
        if _in_tables(ctx, m.start()):
            continue
        lo = max(ctx.ft.rfind(c, 0, m.start()) for c in "。；;\n") + 1
        clause = ctx.ft[lo:m.end()]
        if ("复议" in clause or "诉讼" in clause or ("申请" not in clause and "公开" not in clause)
                or "结转" in clause or "上年" in clause):
            continue                        # "上年结转的申请均已办结" speaks of the carried-in ones only
        got = carried
        if got is not None and got[0] > 0:
            t = _table("requests", requests.version)
            end = m.end() - (1 if ctx.ft[m.end() - 1] in ",，。；;" else 0)
            ctx.emit(f"正文称「{ctx.text[lo:end].strip()}」，但{_table_no('requests')}「{_short_row(t, 'carried_out')}」总计为"
                     f"{_num(got[0])}。",
                     f"The prose claims every application was completed ({ctx.text[lo:end].strip()!r}), but "
                     f"table 三 carries {_num(got[0])} over to next year.",
                     start=lo, end=end, table="requests", row="carried_out", column="total",
                     section=ctx.section_at(lo))


@_rule("prose_sum")
def _prose_sum(ctx: _Ctx) -> None:
    """"共发布信息1500条，其中A 800条、B 600条、C 200条": the parts listed after a total must not exceed it,
    and a list that ends in a residual part (其他, 其余) must add up to it. A list of highlights (fewer
    parts, no residual) may sum to less, and is not reported."""
    facts = ctx.report.facts
    for k, tot in enumerate(facts):
        if tot.unit == "%" or not _SUM_TOTAL.search(tot.subject[-8:]) or _in_tables(ctx, tot.start):
            continue
        if not _AMONG.match(ctx.ft, tot.end):
            continue
        fam = _unit_family(tot.unit)
        parts = []
        for g in facts[k + 1:]:
            between = ctx.ft[(parts[-1].end if parts else tot.end):g.start]
            if _CLAUSE_END.search(between) or (parts and "其中" in between):
                break                       # a new sentence, clause list or a nested breakdown
            if g.unit == "%":
                continue
            if _unit_family(g.unit) != fam:
                break
            if _inside_brackets(ctx.ft, tot.end, g.start):
                continue
            parts.append(g)
        if len(parts) < 2 or any(_CHANNELS.search(g.subject) for g in parts):
            continue
        total = sum(g.value for g in parts)
        residual = any(_RESIDUAL.search(g.subject) for g in parts)
        if total == tot.value or (total < tot.value and not (residual and len(parts) >= 3)):
            continue
        if any(not isinstance(g.value, int) for g in (tot, *parts)) or "余" in tot.unit:
            continue                        # "7700余条": an approximate total
        shown = " + ".join(_num(g.value) for g in parts)
        ctx.emit(f"正文「{ctx.text[tot.start - min(len(tot.subject), 16):tot.end]}」之后列出的各项相加为"
                 f"{shown} = {_num(total)}，与所述总数{_num(tot.value)}不符。",
                 f"The parts listed after the total {tot.text} add up to {shown} = {_num(total)}, not "
                 f"{_num(tot.value)}.", start=tot.start, end=parts[-1].end,
                 section=tot.section if tot.section else None)


_CLAUSE_END = rx.lazy(r"[。；;]")


def _inside_brackets(ft: str, lo: int, pos: int) -> bool:
    seg = ft[lo:pos]
    return seg.count("(") + seg.count("（") > seg.count(")") + seg.count("）")


# ---------------------------------------------------------------------------------------------- writing slips


def _prose_spans(ctx: _Ctx) -> list[tuple[int, int]]:
    """The text outside the tables, from the end of the preamble's title lines: where slips are read."""
    spans, pos = [], 0
    for a, b in sorted(ctx.table_spans()):
        if a > pos:
            spans.append((pos, a))
        pos = max(pos, b)
    spans.append((pos, len(ctx.ft)))
    return spans


@_rule("doubled_word")
def _doubled_word(ctx: _Ctx) -> None:
    for lo, hi in _prose_spans(ctx):
        for m in _DOUBLED.finditer(ctx.ft, lo, hi):
            word = m.group(1)
            if _DOUBLE_OK.search(word) or word in _DOUBLE_WORDS or len(set(word)) == 1:
                continue
            s, e = m.span()
            line_lo, line_hi = ctx.ft.rfind("\n", 0, s) + 1, ctx.ft.find("\n", e)
            line = ctx.ft[line_lo: line_hi if line_hi >= 0 else len(ctx.ft)]
            if (len(line) < 80 and "报告" in line) or not re.search(r"[。,，]", line):
                continue                    # a title line or page furniture, not prose
            around = re.sub(r"\s+", " ", ctx.text[max(line_lo, s - 4):min(e + 4, line_lo + len(line))]).strip()
            ctx.emit(f"「{around}」中「{word}」连写了两次，疑为笔误。",
                     f"{word!r} is written twice in a row ({around!r}); probably a slip.", start=s, end=e)


def _cn_value(word: str) -> int | None:
    if len(word) == 1:
        return CN_VALUE.get(word)
    if word[0] == "十":
        return 10 + CN_VALUE.get(word[1], 0)
    return None


def _enum_break(ft: str, a: int, b: int) -> bool:
    """Whether _ENUM_BREAK matches in ft[a:b]: a line break says so at once, and without a line break,
    a bracket or a 、 it cannot (between two enumerators, most often: one sentence)."""
    if ft.find("\n", a, b) >= 0:
        return True
    if ft.find("、", a, b) < 0 and ft.find("(", a, b) < 0 and ft.find("（", a, b) < 0:
        return False
    return _ENUM_BREAK.search(ft, a, b) is not None


@_rule("enumeration_order")
def _enumeration_order(ctx: _Ctx) -> None:
    """"一是…二是…三是": a run starts at 一是 and ends at a heading, a line break or the next 一是; within
    it each number must follow the last. Only numbers at a clause start count (not "统一是")."""
    for lo, hi in _prose_spans(ctx):
        # Nothing is checked before the first 一是: the scan starts there. (A match reaching over it,
        # 十一是, is no 一 and leaves no run open; 一 right after a numeral is not at a clause start.)
        first = ctx.ft.find("一是", lo, hi)
        if first < 0:
            continue
        last, last_m, start = None, None, None
        # A match is one or two numerals and 是: it starts at most two characters before a 是.
        for m in _matches_at(_ENUM_WORD, ctx.ft, _offsets(ctx.ft, "是", first, hi, back=2), hi):
            n = _cn_value(m.group(1))
            if n is None:
                continue
            if last is not None and _enum_break(ctx.ft, last_m.end(), m.start()):
                last = None
            if n == 1:
                last, last_m, start = 1, m, m.start()
                continue
            if last is None:
                continue
            if n != last + 1:
                what = "重复" if n <= last else "跳号"
                what_en = "repeats" if n <= last else "skips"
                ctx.emit(f"列举「{NUMERALS[last]}是」之后接「{m.group(1)}是」，序号{what}。",
                         f"The enumeration {what_en}: {NUMERALS[last]}是 is followed by {m.group(1)}是.",
                         start=last_m.start(), end=m.end())
                last = None
                continue
            last, last_m = n, m


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
    if not missing or ctx.cut_inside(1):
        return                      # a section cut short may cover them in the part not copied
    cut = False
    note, note_en = (("；文本在本部分中断，后面的内容可能未复制到", "; the text stops inside this section, so they may "
                      "be in the part not copied") if cut else ("", ""))
    ctx.emit(f"第一部分「总体情况」未涉及：{'、'.join(t['label'] for t in missing)}（格式要求涵盖五个方面）{note}。",
             f"Section 一 does not cover: {', '.join(t['id'] for t in missing)} (the format asks for five "
             f"topics){note_en}.", start=s.start, end=s.body_start, section=1,
             origin="undetermined" if cut else None)


_FEE = rx.lazy(r"信息处理费|处理费|收取[^。]{0,8}费用|收费|费用")


@_rule("fee_not_reported")
def _fee_not_reported(ctx: _Ctx) -> None:
    s6 = ctx.report.section(6)
    if not s6.present and ctx.cut_end is not None:
        return                      # section 六 lies beyond the cut: unknown, not silent
    if s6.present and _FEE.search(ctx.ft, s6.body_start, s6.end):
        return
    stated = _FEE_STATEMENT.search(ctx.ft)
    if stated and not s6.present:
        last = max((s for s in ctx.report.sections if s.present), key=lambda s: s.start, default=None)
        if last is not None and stated.start() >= last.body_start:
            return                  # said at the end of the text: section 六 under a heading not recognised
    hit = stated or re.search("信息处理费", ctx.ft)
    if hit:
        s, e = hit.span()
        ctx.emit(f"信息处理费只在第{_NUMERALS[(ctx.section_at(s) or 1) - 1]}部分提到，第六部分未说明收取情况。",
                 "The information-processing fee is mentioned elsewhere, but section 六 does not say whether it "
                 "was charged.", start=s, end=e, severity="info")
        return
    where = (s6.start, s6.body_start) if s6.present else (None, None)
    ctx.emit("全文未说明信息处理费的收取情况（格式要求在第六部分说明，未收取也应写明）。",
             "Nothing in the report says whether an information-processing fee (信息处理费) was charged; the "
             "format asks for it in section 六, even when the answer is nil.",
             start=where[0], end=where[1], section=6)


_PROBLEM_WORDS = rx.lazy(r"问题|不足|差距|薄弱|不够|不强|不高|有待|欠缺|不到位|滞后|单一|不完善|不及时|不规范|短板|困难")
_IMPROVE_WORDS = rx.lazy(r"改进|加强|下一步|将|措施|推进|提升|完善|加大|强化|健全|持续|做好|优化|整改")
_NIL = rx.lazy(r"^(?:无|暂无|没有|不存在|本年度无|本年无)[^。]{0,10}。?$")
_CJK_40 = rx.lazy(r"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){40}")     # forty CJK characters, read up to the 40th


@_rule("problems_generic")
def _problems_generic(ctx: _Ctx) -> None:
    s = ctx.report.section(5)
    if not s.present or s.is_empty(ctx.text):
        return
    body = ctx.ft[s.body_start:s.end].strip()
    if ctx.cut_inside(5):
        return                      # the rest of the section lies beyond the cut
    cut = False
    if _NIL.match(body) or not _CJK_40.match(body):
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

@functools.lru_cache(maxsize=None)
def _in_scope(version: str | None, year: int | None) -> tuple[tuple[int, Rule, Callable], ...]:
    """(position in rules.yaml, rule, implementation) of the rules that apply to a report of this format
    version and year (:meth:`Rule.applies` reads nothing else): decided once per pair, not per report."""
    out = []
    for k, rule in enumerate(_rules().values()):
        impl = _IMPL.get(rule.id)
        if impl is None:
            raise RuntimeError(f"rule {rule.id!r} in rules.yaml has no implementation in check.py")
        if rule.applies(_Scope(version, year)):
            out.append((k, rule, impl))
    return tuple(out)


class _Scope:
    """What :meth:`Rule.applies` reads of a report."""

    __slots__ = ("format_version", "year")

    def __init__(self, format_version: str | None, year: int | None):
        self.format_version = format_version
        self.year = year


def records(report: Report) -> list[dict]:
    """The findings of :func:`check` as a list of dicts (the JSON form), in text order. For many
    reports, collect these and build one DataFrame: cheaper than one DataFrame per report."""
    ctx = _Ctx(report)
    for k, rule, impl in _in_scope(report.format_version, report.year):
        ctx.rule, ctx.rank = rule, k
        impl(ctx)
    out, ranks = ctx.out, ctx.ranks
    if len(out) < 2:
        return out
    big = len(report.text) + 1
    # Text order; at one offset (or none), the order of the rules in rules.yaml, then of emission.
    order = sorted(range(len(out)), key=lambda i: (out[i]["start"] if out[i]["start"] is not None else big, ranks[i]))
    return [out[i] for i in order]


def check(report: Report) -> pd.DataFrame:
    """Check ``report`` against the official format: one row per finding, columns ``FINDING_COLUMNS``
    (rule, severity, section, table, row, column, message, message_en, origin, basis, start, end,
    evidence). ``start``/``end`` index ``report.text``; ``evidence`` is the quoted text there. Cells
    hold plain Python values, None where a field does not apply, so ``report.text[f.start:f.end]``
    works as is."""
    import pandas as pd
    found = records(report)
    # Object columns built column-wise: no per-column type inference, about a third of the cost of
    # DataFrame(list of dicts) with nullable integers, which matters in corpus runs.
    cols = {c: [f[c] for f in found] for c in FINDING_COLUMNS}
    return pd.DataFrame(cols, columns=list(FINDING_COLUMNS), dtype=object)


def gaps(report: Report) -> pd.DataFrame:
    """What the format requires and what the text holds: one row per section (status present, empty
    or missing) and one per required table cell (present = a number, blank, unreadable or missing)."""
    import pandas as pd
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

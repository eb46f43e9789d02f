"""Fuzzing the loader with generated, mutated and broken reports (issue 8).

Every input ends one of two ways: a loaded report whose spans hold (the preamble and the six sections
partition the text, every heading, fact and cell quotes exactly the text it claims), or a
``ReportError`` with a plain one-line message. No other exception may escape, whatever the bytes.
Every report that loads is written to the structured form and read back exactly, and is run through
the later stages (check, reconstruct, draft, export) so that a report the loader accepts can never
crash them.

Inputs are built the way real captures break: whole reports written by ``render_text`` in every layout
and the real reports of ``data/corpus``, then sections dropped, duplicated and reordered, headings
rewritten with every bracket and numeral form, table cells deleted, merged, run together, made
non-numeric, negative, decimal or huge, lines joined, control characters, NUL and a BOM dropped in the
middle, the bytes cut mid-character or written half in GB18030 and half in UTF-8, and HTML left with
unclosed tags, deep nesting and rowspan/colspan that overrun the table.

Budget: the default profile is deterministic (``derandomize``) and runs about 2,500 inputs in well
under a minute; ``REPORTKIT_FUZZ=long`` (see ``benchmarks/fuzz_long.py``) multiplies every budget by
``REPORTKIT_FUZZ_FACTOR`` (default 25) with fresh randomness each run.
"""

from __future__ import annotations

import atexit
import codecs
import collections
import importlib
import math
import os
import random
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import reportkit as rk
from reportkit import paths
from reportkit.errors import ReportError
from reportkit.format import TABLE_IDS, VERSIONS, spec
from reportkit.model import CELL_STATES
from reportkit.layout import LAYOUTS, render_text
from reportkit.load import from_structured
from reportkit.readers.structured import dumps, to_dict
from reportkit.text import Folded, _special_fold, width_fold

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES

# ----------------------------------------------------------------------------------------- profiles

LONG = os.environ.get("REPORTKIT_FUZZ") == "long"
FACTOR = int(os.environ.get("REPORTKIT_FUZZ_FACTOR", "25")) if LONG else 1
_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much, HealthCheck.large_base_example])
# The default run is the same every time (CI must not fail on a case a different seed happened to
# draw); the long run draws fresh inputs each time it is started.
settings.register_profile("reportkit-fuzz", derandomize=True, **_COMMON)
settings.register_profile("reportkit-fuzz-long", derandomize=False, **_COMMON)
PROFILE = settings.get_profile("reportkit-fuzz-long" if LONG else "reportkit-fuzz")


def budget(n: int) -> settings:
    """Settings for a fuzz test that runs ``n`` inputs by default (``n * FACTOR`` in the long run)."""
    return settings(PROFILE, max_examples=n * FACTOR)


# What ran, for benchmarks/fuzz_long.py: inputs per test and how they ended.
RAN: collections.Counter = collections.Counter()

# ------------------------------------------------------------------------------------ the property


def _folded(s: str) -> str:
    return Folded(s).text


def assert_report_holds(rep: rk.Report) -> None:
    """The invariants of a loaded report (module docstring); also exercises every frame view."""
    text = rep.text
    n = len(text)
    assert isinstance(text, str)
    spans = rep.spans()
    assert spans[0][0] == 0 and spans[-1][1] == n, spans
    for (a, b), (c, d) in zip(spans, spans[1:]):
        assert a <= b and b == c, spans
    assert 0 <= rep.preamble_end <= n
    assert [s.number for s in rep.sections] == [1, 2, 3, 4, 5, 6]
    for s in rep.sections:
        assert 0 <= s.start <= s.body_start <= s.end <= n, s
        if s.present:
            assert s.heading == text[s.start:s.body_start] and s.heading.strip(), s
        else:
            assert s.heading is None and s.start == s.body_start == s.end, s
    by_number = {s.number: s for s in rep.sections}
    for f in rep.facts:
        assert 0 <= f.start < f.end <= n and text[f.start:f.end] == f.text, f
        assert isinstance(f.value, (int, float)) and not isinstance(f.value, bool) and math.isfinite(f.value)
        assert f.text in f.sentence and 0 <= f.sentence_start <= f.start, f
        assert f.sentence in text[f.sentence_start:f.end + len(f.sentence)], f
        if f.section:
            sec = by_number[f.section]
            assert sec.start <= f.start < sec.end, (f, sec)
        elif f.section == 0:
            assert f.start < rep.preamble_end
    for tid in TABLE_IDS:
        tr = rep.tables.get(tid)
        if tr is None:
            continue
        assert tr.table == tid and tr.version in VERSIONS
        required = set(spec().table(tid, tr.version).cells)
        for key, c in tr.cells.items():
            assert key in required and (c.row, c.column) == key, key
            assert c.state in CELL_STATES, c
            assert (c.value is not None) == (c.state == "value"), c
            if c.value is not None:
                assert isinstance(c.value, (int, float)) and not isinstance(c.value, bool), c
                assert math.isfinite(c.value), c
            if c.start is not None:
                assert 0 <= c.start <= c.end <= n, c
                quoted = _folded(text[c.start:c.end])
                if c.state == "value":
                    assert c.raw and c.raw in quoted, (c, quoted)
                elif c.raw:
                    assert all(part in quoted for part in c.raw.split()), (c, quoted)
        for i in tr.issues:
            if i.start is not None:
                assert 0 <= i.start <= i.end <= n, i
        if tr.start is not None:
            assert 0 <= tr.start <= tr.end <= n
        assert rep.frame(tid).shape[0] == len(spec().table(tid, tr.version).data_rows)
    for a in rep.assets:
        assert 0 <= a["at"] <= n and a["section"] in range(7), a
    rep.cells_frame()
    rep.facts_frame()
    repr(rep)


def assert_round_trips(rep: rk.Report, fmt: str = "json") -> None:
    """The structured form reads back to the same report (cell for cell, span for span)."""
    back = from_structured(dumps(rep, fmt), "<round trip>", json_=fmt == "json")
    assert to_dict(back) == to_dict(rep)


def assert_plain_error(err: ReportError, source: str | None = None) -> None:
    """A ReportError a person can read: one short line, no traceback, naming the file when given."""
    msg = str(err)
    assert msg.strip() and len(msg) < 2000 and "\n" not in msg, msg
    # The loader turns any failure into a ReportError; one raised by reportkit's own code is a bug.
    assert not getattr(err, "internal", False), msg
    assert "Traceback" not in msg
    if source is not None:
        assert source in msg, msg


def outcome(run, test: str, source: str | None = None):
    """Run ``run()``; return the report or None after a ReportError. Any other exception fails."""
    RAN[test] += 1
    try:
        rep = run()
    except ReportError as e:
        RAN[test + ":rejected"] += 1
        assert_plain_error(e, source)
        return None
    assert isinstance(rep, rk.Report)
    assert_report_holds(rep)
    return rep


# -------------------------------------------------------------------------------------- the inputs

SEED_TEXT = paths.SEED_TEXT.read_text(encoding="utf-8")
REAL_TEXTS = [SEED_TEXT] + [p.read_text(encoding="utf-8") for p in CORPUS_FILES]

BODIES = [
    "2021年,本机关主动公开政府信息284条,回复率为100%。",
    "全年共收到政府信息公开申请12件,均已按时答复,收费0元。",
    "本年度未收到政府信息公开申请,未发生行政复议和行政诉讼。",
    "(一)主动公开情况\n发布各类信息1,234条,其中政策解读56篇。\n(二)依申请公开情况\n收到申请3件。",
    "存在的主要问题:信息更新不及时。改进措施:加强培训,全年培训2期120人次。",
    "无。",
    "",
    "本年度共收取信息处理费9116.36万元。比上年增长-3.5%。",
    "一、本年新收政府信息公开申请数量 7",
]


@st.composite
def generated(draw, layouts=LAYOUTS) -> tuple[str, str]:
    """A whole report in one of the layouts found in the wild: (text, kind)."""
    layout = draw(st.sampled_from(layouts))
    version = draw(st.sampled_from(VERSIONS))
    seed = draw(st.integers(0, 10**6))
    data = {
        "agency": draw(st.sampled_from(["某市某局", "朔州市公安局", "桃江县松木塘镇人民政府", ""])),
        "year": draw(st.sampled_from([2019, 2021, 2022, 1900])),
        "format": version,
        "intro": draw(st.sampled_from(["", "根据《条例》要求,现将本年度报告公布如下。", BODIES[0]])),
        "sections": {k: draw(st.sampled_from(BODIES)) for k in range(1, 7)},
        "tables": complete_tables(seed, version=version, zero_share=draw(st.sampled_from([0.0, 0.5, 1.0]))),
        "omit_sections": draw(st.lists(st.integers(1, 6), max_size=3, unique=True)),
    }
    return render_text(data, layout), "html" if layout == "html" else "text"


def real() -> st.SearchStrategy:
    return st.sampled_from(range(len(REAL_TEXTS))).map(lambda i: (REAL_TEXTS[i], "text"))


def _as_html(text: str) -> str:
    return "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"


def base_report() -> st.SearchStrategy:
    return st.one_of(generated(), real(), real().map(lambda t: (_as_html(t[0]), "html")))


HEADING_FORMS = ["{n}、", "{n}、 ", "({n})", "（{n}）", "{n})", "（{n}", "{n}.", "{n}．", "{n},", "{n}，",
                 "【{n}】", "〔{n}〕", "[{n}]", "{a}、", "{a}.", "第{n}部分 ", "{n}", "{n} 、", "{f}、",
                 "{r}、", "{c}", "\n{n}、", "{n}、\n", "㈠", "- "]
ROMAN = "ⅠⅡⅢⅣⅤⅥ"
CIRCLED = "①②③④⑤⑥"
FULLWIDTH_DIGITS = "１２３４５６"
CELL_VALUES = ["", "-5", "3.14", "0.5", "1" + "0" * 30, "9" * 5000, "1" * 400 + ".5", "/", "—", "无", "abc",
               "１２", "1,234", "0000", "-", "+3", "٣", "²", "1e30", "NaN", "∞", "10^30", "  ", "|", "7 7",
               "0.", ".5", "12.34.56", "-0", "00.5"]
INSERTS = ["\x00", "\ufeff", "\r", "\r\n", "\u2028", "\x85", "\x0c", "\x1b[31m", "\u202e", "\u200b", "\u0301",
           "㈠", "㉑", "㏡", "ﬁ", "Ⅳ", "ｱ", "\U0001f600", "一、总体情况", "六、其他需要报告的事项", "|", " | | ",
           "0" * 50, "123456789", "<script>alert(1)</script>", "<table><tr><td>1</td></tr></table>",
           "信息公开", "〔2021〕30号", "1.", "(三)", "三)", "Page 3 - ", "\t\t", "\ud7ff", "\uffff"]
MARKUP = ["<!--", "-->", "<![CDATA[", "<![foo[", "<![ x", "<!x", "<?php", "<script>", "</script>",
          "<style>", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th colspan=99>", "<br>",
          "<img src=x onerror=alert(1)>", "<a href='附件.pdf'>附件</a>", "<iframe src=x>", "&#0;",
          "&#xD800;", "&#1114112;", "&nbsp;", "&", "<", ">", "</", "<a", "<!doctype html>", "<head>",
          "<title>", "<h1>", "<pre>", "<textarea>", "<svg><td>", "<select><option>", "<p", "'", '"',
          "<td rowspan=100000 colspan=-3>", "<td rowspan='x'>", "<table><tr><td><table>", "</body>",
          "<noscript>", "<template>", "<object data=a.pdf>"]
SPANS = ["0", "-1", "2", "25", "26", "64", "65", "100000", "99999999999999999999", "x", "", "1e3", "٣"]

TEXT_OPS = ["drop_section", "dup_section", "swap_sections", "heading", "cell_delete", "cell_merge",
            "cell_value", "line_delete", "line_dup", "line_join", "line_swap", "insert", "truncate",
            "join_all", "widen", "narrow", "repeat"]
HTML_OPS = ["markup", "drop_closers", "deep_nest", "span", "cut_tag"]

_HEAD_AT = None


def _head_positions(text: str) -> list[int]:
    """Where section-like blocks start: a numeral 一…六 + 、 or an <h2>, so ops can cut sections."""
    global _HEAD_AT
    if _HEAD_AT is None:
        import re
        _HEAD_AT = re.compile(r"<h2>|(?<![\u4e00-\u9fff])[一二三四五六]\s*[、.．]\s*(?=[\u4e00-\u9fff])")
    return [m.start() for m in _HEAD_AT.finditer(text)]


def _blocks(text: str) -> tuple[str, list[str]]:
    cuts = _head_positions(text)
    if not cuts:
        return text, []
    head = text[:cuts[0]]
    blocks = [text[a:b] for a, b in zip(cuts, cuts[1:] + [len(text)])]
    return head, blocks


def _numbers(text: str) -> list[tuple[int, int]]:
    import re
    return [m.span() for m in re.finditer(r"\d+(?:\.\d+)?", text)]


def mutate_text(text: str, ops: list[tuple[str, int, int]]) -> str:
    """Apply mutation ops ``(name, a, b)``; a and b pick positions and variants (modulo sizes)."""
    import re
    for name, a, b in ops:
        if name in ("drop_section", "dup_section", "swap_sections"):
            head, blocks = _blocks(text)
            if not blocks:
                continue
            i, j = a % len(blocks), b % len(blocks)
            if name == "drop_section":
                del blocks[i]
            elif name == "dup_section":
                blocks.insert(j, blocks[i])
            else:
                blocks[i], blocks[j] = blocks[j], blocks[i]
            text = head + "".join(blocks)
        elif name == "heading":
            hits = [m for m in re.finditer(r"([一二三四五六])\s*[、.．]", text)]
            if not hits:
                continue
            m = hits[a % len(hits)]
            k = "一二三四五六".index(m.group(1))
            form = HEADING_FORMS[b % len(HEADING_FORMS)]
            new = form.format(n=m.group(1), a=k + 1, f=FULLWIDTH_DIGITS[k], r=ROMAN[k], c=CIRCLED[k])
            text = text[:m.start()] + new + text[m.end():]
        elif name.startswith("cell_"):
            nums = _numbers(text)
            if not nums:
                continue
            s, e = nums[a % len(nums)]
            if name == "cell_delete":
                text = text[:s] + text[e:]
            elif name == "cell_merge":
                later = [x for x in nums if x[0] >= e]
                if later:
                    text = text[:e] + text[later[0][0]:]     # everything between two numbers goes
            else:
                text = text[:s] + CELL_VALUES[b % len(CELL_VALUES)] + text[e:]
        elif name.startswith("line_"):
            lines = text.split("\n")
            i, j = a % len(lines), b % len(lines)
            if name == "line_delete":
                del lines[i]
            elif name == "line_dup":
                lines.insert(j, lines[i])
            elif name == "line_swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif i + 1 < len(lines):
                lines[i:i + 2] = [lines[i] + lines[i + 1]]
            text = "\n".join(lines)
        elif name == "insert":
            at = a % (len(text) + 1)
            text = text[:at] + INSERTS[b % len(INSERTS)] + text[at:]
        elif name == "truncate":
            text = text[:a % (len(text) + 1)]
        elif name == "join_all":
            text = text.replace("\n", "" if b % 2 else " ")
        elif name == "widen":
            text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "()|:,;0123456789"} if b % 2 else {})
        elif name == "narrow":
            text = unicodedata.normalize("NFKC", text)
        elif name == "repeat":
            s = a % (len(text) + 1)
            text = text[:s] + text[s:s + 200] * (2 + b % 20) + text[s:]
        elif name == "markup":
            at = a % (len(text) + 1)
            text = text[:at] + MARKUP[b % len(MARKUP)] + text[at:]
        elif name == "drop_closers":
            closer = ["</td>", "</tr>", "</table>", "</p>", "</h2>", "</th>", "</body>", "</head>"][b % 8]
            text = text.replace(closer, "")
        elif name == "deep_nest":
            at = a % (len(text) + 1)
            depth = 1 + b % 3000
            unit = ["<div>", "<table><tr><td>", "<b>", "<span><p>", "<td>", "<ul><li>"][b % 6]
            text = text[:at] + unit * depth + text[at:]
        elif name == "span":
            tds = [m for m in re.finditer(r"<t[dh](?=[\s>])", text)]
            if not tds:
                continue
            m = tds[a % len(tds)]
            attr = f' rowspan="{SPANS[b % len(SPANS)]}" colspan="{SPANS[(b // 13) % len(SPANS)]}"'
            text = text[:m.end()] + attr + text[m.end():]
        elif name == "cut_tag":
            lts = [i for i, ch in enumerate(text) if ch in "<>"]
            if lts:
                i = lts[a % len(lts)]
                text = text[:i] + text[i + 1:]
    return text


def ops(names: list[str], max_size: int = 5) -> st.SearchStrategy:
    return st.lists(st.tuples(st.sampled_from(names), st.integers(0, 2**31), st.integers(0, 2**31)),
                    max_size=max_size)


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "big5", "latin-1", "mixed"]
BYTE_OPS = ["bom_middle", "nul", "nuls", "bytes", "cut", "flip", "utf16_bom_head"]


def encode(text: str, enc: str, split: int = 0) -> bytes:
    if enc == "mixed":      # half GB18030, half UTF-8: a file assembled from two sources
        at = split % (len(text) + 1)
        return text[:at].encode("gb18030", "replace") + text[at:].encode("utf-8", "surrogatepass")
    return text.encode(enc, "replace")


def mutate_bytes(data: bytes, ops_: list[tuple[str, int, bytes]]) -> bytes:
    for name, a, extra in ops_:
        at = a % (len(data) + 1)
        if name == "bom_middle":
            data = data[:at] + codecs.BOM_UTF8 + data[at:]
        elif name == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif name == "nuls":
            data = data[:at] + b"\x00" * (1 + len(extra) * 50) + data[at:]
        elif name == "bytes":
            data = data[:at] + extra + data[at:]
        elif name == "cut":
            data = data[:at]
        elif name == "flip" and data:
            i = a % len(data)
            data = data[:i] + bytes([data[i] ^ (extra[0] if extra else 0x80)]) + data[i + 1:]
        elif name == "utf16_bom_head":
            data = codecs.BOM_UTF16_LE + data
    return data


byte_ops = st.lists(st.tuples(st.sampled_from(BYTE_OPS), st.integers(0, 2**31), st.binary(max_size=24)),
                    max_size=4)

# ------------------------------------------------------------------------------------- later stages


def _stage(name: str):
    """A later-stage module if it is installed and imports (they are written alongside the loader)."""
    try:
        return importlib.import_module(f"reportkit.{name}")
    except ImportError:
        return None


check_mod, reconstruct_mod, draft_mod, export_mod = (_stage(n) for n in ("check", "reconstruct", "draft", "writers"))
QUICK_EXPORTS = ("md", "html", "json", "yaml")
_OUT = Path(tempfile.mkdtemp(prefix="reportkit-fuzz-"))
atexit.register(shutil.rmtree, _OUT, ignore_errors=True)


def run_stages(rep: rk.Report, exports=QUICK_EXPORTS) -> None:
    """check → reconstruct → draft → export on a loaded report: none of them may raise."""
    findings = None
    if check_mod is not None and hasattr(check_mod, "check"):
        findings = check_mod.check(rep)
        assert list(findings.columns)[:7] == ["rule", "severity", "section", "table", "row", "column", "message"]
        for s, e in zip(findings["start"], findings["end"]):
            if s is not None and not (isinstance(s, float) and math.isnan(s)):
                assert 0 <= s <= e <= len(rep.text)
        if hasattr(check_mod, "gaps"):
            check_mod.gaps(rep)
        if hasattr(check_mod, "completeness"):
            assert 0.0 <= check_mod.completeness(rep) <= 1.0
    if reconstruct_mod is None or not hasattr(reconstruct_mod, "reconstruct"):
        return
    rec = reconstruct_mod.reconstruct(rep)
    rec.frame("requests")
    rec.cells_frame()
    dr = None
    if draft_mod is not None and hasattr(draft_mod, "draft"):
        dr = draft_mod.draft(rec, findings)
        dr.markdown()
        for sec in dr.sections.values():
            for anc in sec.anchors:
                assert 0 <= anc.start <= anc.end <= len(sec.text)
    if export_mod is not None and hasattr(export_mod, "export"):
        for fmt in exports:
            out = export_mod.export(rec, fmt, _OUT / f"fuzz.{fmt}", draft=dr)
            assert Path(out).stat().st_size > 0


# ------------------------------------------------------------------------------------------ the tests


@budget(600)
@given(base=base_report(), mutations=ops(TEXT_OPS))
@example(base=(SEED_TEXT, "text"), mutations=[("cell_value", 0, 5)])      # a 5,000-digit number in prose
@example(base=(SEED_TEXT, "text"), mutations=[("insert", 40, 11)])        # ㈠: folding changes lengths
def test_mutated_report_text_loads_with_spans_or_fails_cleanly(base, mutations):
    text, kind = base
    text = mutate_text(text, mutations)
    rep = outcome(lambda: rk.loads(text, "fuzz.txt", kind=kind), "text")
    if rep is not None:
        if kind == "text":
            assert rep.text == text         # nothing lost: the report is the text as given
        assert_round_trips(rep)


@budget(400)
@given(base=generated(layouts=("html",)) | real().map(lambda t: (_as_html(t[0]), "html")),
       mutations=ops(HTML_OPS + ["cell_value", "cell_delete", "drop_section", "insert"], max_size=6))
@example(base=("<table><tr><td>一、总体情况</td></tr>", "html"), mutations=[("markup", 40, 7)])  # unclosed <script>
@example(base=("<p>一、总体情况 信息公开</p>", "html"), mutations=[("markup", 0, 3)])           # <![foo[
def test_broken_html_loads_with_spans_or_fails_cleanly(base, mutations):
    markup = mutate_text(base[0], mutations)
    rep = outcome(lambda: rk.loads(markup, "fuzz.html", kind="html"), "html")
    if rep is not None:
        assert rep.kind == "html"
        assert_round_trips(rep)


@budget(400)
@given(base=base_report(), text_ops=ops(TEXT_OPS, max_size=2), enc=st.sampled_from(ENCODINGS),
       split=st.integers(0, 2**31), bops=byte_ops, suffix=st.sampled_from([".txt", ".html", ".htm", "", ".TXT"]))
def test_broken_bytes_load_from_a_file_or_fail_naming_it(base, text_ops, enc, split, bops, suffix, tmp_path_factory):
    text = mutate_text(base[0], text_ops)
    data = mutate_bytes(encode(text, enc, split), bops)
    p = tmp_path_factory.mktemp("f") / f"fuzz{suffix}"
    p.write_bytes(data)
    rep = outcome(lambda: rk.load(p), "bytes", source=str(p))
    if rep is not None and enc == "utf-8" and not bops and suffix == ".txt" and not text.startswith("\ufeff"):
        assert rep.text == text         # nothing lost: the text is the file, character for character


@budget(300)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".yaml", ".json", ""]))
@example(data=b"\xff\xfe" + "一、总体情况".encode("utf-16-le") * 3, suffix=".txt")
def test_random_bytes_never_escape_as_another_exception(data, suffix, tmp_path_factory):
    p = tmp_path_factory.mktemp("b") / f"random{suffix}"
    p.write_bytes(data)
    outcome(lambda: rk.load(p), "random-bytes", source=str(p))


@budget(300)
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000)
       | st.lists(st.sampled_from(INSERTS + MARKUP + ["一、总体情况", "三、收到和处理政府信息公开申请情况", "本年新收",
                                                     "行政许可", " | ", "\n", "7", "0", "100%", "条"]), max_size=300).map("".join),
       kind=st.sampled_from(["text", "html"]))
def test_random_text_never_escapes_as_another_exception(text, kind):
    outcome(lambda: rk.loads(text, "random", kind=kind), "random-text")


STRUCT_OPS = ["yaml_line_delete", "yaml_line_dup", "yaml_value", "yaml_insert"]
YAML_VALUES = ["null", "-1", "99999999999", "[]", "{}", "'x'", "1e400", ".nan", "!!python/object:os.system {}",
               "*a", "&a [1]", "[[[[[[[[[[[[[[[[[[[[", "true", "0x10", "2021-01-01"]


_DUMPS: dict[tuple[str, str], str] = {}


def _dumped(which: str, fmt: str) -> str:
    if (which, fmt) not in _DUMPS:
        src = paths.SEED_TEXT if which == "seed" else paths.CORPUS / f"{which}.txt"
        _DUMPS[(which, fmt)] = dumps(rk.load(src), fmt)
    return _DUMPS[(which, fmt)]


@budget(100)
@given(which=st.sampled_from(["seed", "015", "complete/003"]), fmt=st.sampled_from(["yaml", "json", "json"]),
       edits=st.lists(st.tuples(st.sampled_from(STRUCT_OPS), st.integers(0, 2**31), st.integers(0, 2**31)),
                      max_size=3))
def test_edited_structured_files_load_exactly_or_fail_cleanly(which, fmt, edits, tmp_path_factory):
    lines = _dumped(which, fmt).split("\n")
    for name, a, b in edits:
        i = a % len(lines)
        if name == "yaml_line_delete":
            del lines[i]
        elif name == "yaml_line_dup":
            lines.insert(b % len(lines), lines[i])
        elif name == "yaml_value" and ":" in lines[i]:
            lines[i] = lines[i].split(":", 1)[0] + ": " + YAML_VALUES[b % len(YAML_VALUES)]
        elif name == "yaml_insert":
            lines.insert(i, YAML_VALUES[b % len(YAML_VALUES)])
    p = tmp_path_factory.mktemp("s") / f"edited.{fmt}"
    p.write_text("\n".join(lines), encoding="utf-8")
    outcome(lambda: rk.load(p), "structured", source=str(p))


@budget(150)
@given(base=base_report(), mutations=ops(TEXT_OPS + ["markup"], max_size=4))
def test_later_stages_run_on_every_report_the_loader_accepts(base, mutations):
    text = mutate_text(base[0], mutations)
    rep = outcome(lambda: rk.loads(text, "stages", kind=base[1]), "stages")
    if rep is not None:
        run_stages(rep, exports=("md", "html", "json"))


@budget(6)
@given(base=base_report(), mutations=ops(TEXT_OPS, max_size=3))
def test_every_export_format_writes_a_mutated_report(base, mutations):
    # docx and xlsx take about half a second each, so this runs few inputs; the YAML round trip of
    # the loader's own structured form is here too (pure-Python YAML is the slow part).
    if export_mod is None:
        pytest.skip("reportkit.export is not installed yet")
    text = mutate_text(base[0], mutations)
    rep = outcome(lambda: rk.loads(text, "exports", kind=base[1]), "exports")
    if rep is not None:
        run_stages(rep, exports=export_mod.FORMATS)
        assert_round_trips(rep, "yaml")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_unmutated_renders_satisfy_the_property_in_every_layout(layout):
    # The generator itself must produce reports the property accepts, or the fuzz tests prove nothing.
    for seed in range(3):
        data = {"agency": "某市某局", "year": 2022, "sections": {1: BODIES[0]}, "tables": complete_tables(seed)}
        rep = rk.loads(render_text(data, layout), kind="html" if layout == "html" else "text")
        assert_report_holds(rep)
        assert all(rep.tables[t].has_numbers for t in TABLE_IDS)
        assert all(s.present for s in rep.sections)


def test_mutations_change_the_input():
    # Each op does something on a realistic report (an op that silently does nothing tests nothing).
    text = render_text({"agency": "某局", "year": 2022, "sections": {1: BODIES[0]}, "tables": complete_tables(1)},
                       "html")
    rng = random.Random(0)
    for name in TEXT_OPS + HTML_OPS:
        changed = any(mutate_text(text, [(name, rng.randrange(2**31), rng.randrange(2**31))]) != text
                      for _ in range(5))
        assert changed, name


@budget(80)
@given(body=st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
@example(body="\x85\u2028\u2029\r\x00\ufeff\x1b 'quoted' \"x\" : - # & * ! | > % @ `")
def test_yaml_round_trip_keeps_every_character(body):
    # YAML has its own line breaks (NEL, LS, PS) and escapes; the text must come back exactly.
    rep = outcome(lambda: rk.loads("一、总体情况\n" + body + "\n二、主动公开政府信息情况\n", "yaml"), "yaml")
    assert rep is not None
    assert_round_trips(rep, "yaml")


@budget(150)
@given(text=st.lists(st.sampled_from(INSERTS + ["一、总体情况", "（一）", "ｱｲ", "½", "e\u0301", "가", "가", "\u2002",
                                               "abc ", "１２３"]), max_size=80).map("".join))
def test_folding_maps_every_character_back_to_where_it_came_from(text):
    # Folded skips blocks that are already NFKC; the result must equal folding character by character.
    RAN["folding"] += 1
    f = Folded(text)
    # Invisibles, footnote markers next to digits and fractions have their own fold (text._special_fold).
    special = _special_fold(width_fold(text))
    per_char = [special[k] if k in special else
                (unicodedata.normalize("NFKC", ch) if ord(ch) >= 0x80 else ch).translate({0x3000: " "})
                for k, ch in enumerate(text)]
    assert f.text == "".join(per_char)
    i = 0
    for k, piece in enumerate(per_char):
        for _ in piece:
            # The end of the folded text maps to the end of the original (past any trailing invisibles).
            end = len(text) if i + 1 == len(f.text) else k + 1
            assert f.orig(i) == k and f.orig_end(i + 1) == end
            i += 1
    assert f.orig(len(f.text)) == len(text)


# ------------------------------------------------------------------------- bugs the fuzzer found
# Each was an exception or a broken invariant on some input above; the plain cases stay pinned here.


def _requests_report(value, layout: str = "pipe") -> rk.Report:
    cells = complete_tables(1)
    cells["requests"][("new", "natural_person")] = value
    return rk.loads(render_text({"agency": "某局", "year": 2022, "tables": cells}, layout),
                    kind="html" if layout == "html" else "text")


@pytest.mark.parametrize("layout", ["pipe", "html"])
@pytest.mark.parametrize("written", ["1" + "0" * 30, "9" * 5000, "1" * 400 + ".5"],
                         ids=["10^30", "5000 digits", "400-digit decimal"])
def test_a_number_too_long_for_a_cell_is_reported_not_read(written, layout):
    # Was: OverflowError in frame() (10^30), ValueError from int() (over 4,300 digits), inf (the float).
    rep = _requests_report(written, layout)
    tr = rep.tables["requests"]
    assert tr.state("new", "natural_person") == "unreadable" and tr.value("new", "natural_person") is None
    issue = next(i for i in tr.issues if i.kind == "too_many_digits")
    assert issue.row == "new" and issue.column == "natural_person"
    assert rep.text[issue.start:issue.end] == written
    assert tr.value("new", "total") is not None       # the rest of the row is read
    assert_report_holds(rep)


@pytest.mark.parametrize("number", ["9" * 5000, "1" * 400 + ".5", "1" + ",000" * 2000])
def test_a_number_too_long_for_prose_is_not_a_fact(number, seed):
    # Was: ValueError from int() and an infinite float; the comma-grouped run also took quadratic time.
    text = seed.text.replace("发布各类信息284条", f"发布各类信息{number}条")
    rep = rk.loads(text)
    assert not any(f.unit == "条" and f.start < text.index(number) + len(number) <= f.end for f in rep.facts)
    assert [f.value for f in rep.facts if f.value == 418]           # the other facts are still read
    assert_report_holds(rep)


def test_a_decimal_in_a_count_column_is_kept_and_framed():
    # Was: TypeError from frame() ("cannot safely cast non-equivalent object to int64"). The value is
    # what the text says; check's count_range reports a fraction in a count.
    rep = _requests_report(3.5)
    assert rep.tables["requests"].value("new", "natural_person") == 3.5
    assert rep.frame("requests").loc["一、本年新收政府信息公开申请数量"].iloc[0] == 3.5


def test_exports_accept_a_report_with_a_section_heading_repeated_inside_another():
    # Found by the long fuzz run: the real report 021 with its section 五 duplicated ahead of 四. The
    # loader gives a valid report (四 runs to the end, holding table 四 and the repeated 五 text); the
    # export writes that body above table 四, reads its own page back, meets the 五 heading first and
    # finds table 四 in section 五, so it raises instead of writing.
    text = mutate_text(REAL_TEXTS[CORPUS_FILES.index(paths.CORPUS / "021.txt") + 1], [("dup_section", 1, 0)])
    rep = rk.loads(text)
    assert_report_holds(rep)
    assert rep.tables["appeals"].has_numbers
    run_stages(rep)


@pytest.mark.parametrize("omit", [[], [2]])
def test_table_four_of_a_2019_report_is_read_as_2019(omit):
    # Table 四 names no version; it was read as 2021 in a 2019 report, a false "mixed versions" note
    # that made the exports refuse the report.
    data = {"agency": "某局", "year": 2019, "format": "2019", "omit_sections": omit,
            "tables": complete_tables(0, version="2019")}
    rep = rk.loads(render_text(data, "pipe"))
    assert {t.version for t in rep.tables.values() if t is not None} == {"2019"}
    assert rep.format_version == "2019" and not rep.notes


@pytest.mark.parametrize("markup", ["<table><tr><td>一、总体情况 信息公开<script>var x", "<table><nav>一、总体情况",
                                    "<table><table><td><select>一、总体情况 信息公开"])
def test_an_element_left_open_inside_a_table_ends_the_parse(markup):
    # Was: an endless loop in close(): every open table waited for an element that never closed.
    outcome(lambda: rk.loads(markup, "open.html", kind="html"), "regression", source="open.html")


@pytest.mark.parametrize("decl", ["<![foo[x]]>", "<![ x", "<![CDATA[x]]>", "<![if !IE]>"])
def test_marked_sections_are_comments_not_errors(decl):
    # Was: AssertionError from html.parser ("unknown status keyword", "expected name token").
    rep = rk.loads(f"<p>一、总体情况</p>{decl}<p>本年度主动公开信息12条。</p>", kind="html")
    assert "foo" not in rep.text and "CDATA" not in rep.text
    assert [f.value for f in rep.facts] == [12]


def test_body_closes_an_unclosed_head():
    # Was: an unclosed <head> hid the whole page (EmptyReportError on a readable report).
    rep = rk.loads("<html><head><title>某局2022年政府信息公开工作年度报告</title><body><p>一、总体情况</p>"
                   "<p>主动公开信息12条。</p></body></html>", kind="html")
    assert rep.section(1).present and [f.value for f in rep.facts] == [12]


def test_an_authored_html_layout_is_read_as_a_page(tmp_path):
    # Was: the authored form's html layout was parsed as plain text, tags and all.
    p = tmp_path / "a.yaml"
    p.write_text("agency: 某局\nyear: 2022\nlayout: html\nsections: {1: 主动公开信息12条。}\n", encoding="utf-8")
    rep = rk.load(p)
    assert "<p>" not in rep.text and rep.kind == "structured" and [f.value for f in rep.facts] == [12]


@pytest.mark.parametrize("edit,field", [
    (lambda d: d.update(text=d["text"][:-40]), "sections"),
    (lambda d: d["facts"][0].update(start=d["facts"][0]["start"] + 1), "facts[0]"),
    (lambda d: d["tables"]["requests"][0].update(value=999), "tables.requests"),
    (lambda d: d["tables"]["requests"][1].update(column="自然人"), "listed twice"),
    (lambda d: d["sections"][0].update(start="0"), "sections[1]"),
    (lambda d: d.update(format=-1), "format"),          # was: KeyError -1 in cells_frame()
    (lambda d: d["facts"][0].update(sentence=[]), "facts[0]"),          # was: TypeError in a later stage
    (lambda d: d["facts"][0].update(sentence_start=-1), "facts[0]"),
    (lambda d: d["tables"]["requests"][0].update(raw=1), "tables.requests"),    # was: AttributeError
])
def test_a_full_form_whose_spans_do_not_fit_its_text_is_refused(edit, field, tmp_path):
    # Was: loaded, then every later stage quoted the wrong words (or raised on a span outside the text).
    import json
    d = to_dict(rk.load(paths.CORPUS / "complete" / "009.txt"))
    edit(d)
    p = tmp_path / "r.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(rk.ReportError) as e:
        rk.load(p)
    assert_plain_error(e.value, str(p))
    assert field in str(e.value)


# ------------------------------------------------------------------- workbooks and the file system
# Issue 15: workbooks come from strangers (their zip members, shared strings and XML are mutated here),
# and files from archives (names that are not UTF-8), pipes and full disks.

_WORKBOOK: dict[str, bytes] = {}


def _workbook() -> dict[str, bytes]:
    """The members of a real export (corpus 015 as xlsx), built once."""
    if not _WORKBOOK:
        folder = Path(tempfile.mkdtemp(prefix="rk-fuzz-xlsx-"))
        atexit.register(shutil.rmtree, folder, True)
        out = rk.export(rk.reconstruct(rk.load(paths.CORPUS / "015.txt")), "xlsx", folder / "w.xlsx")
        import zipfile
        with zipfile.ZipFile(out) as z:
            _WORKBOOK.update({n: z.read(n) for n in z.namelist()})
    return _WORKBOOK


XML_INSERTS = [b"<", b"</x>", b"&a;", b"&#99999999999;", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"\x00", b"\xff\xfe",
               b"<c r='A1' t='s'><v>99999</v></c>", b"<v>1e400</v>", b"<v>" + b"9" * 400 + b"</v>",
               b"<row r='1048577'>", b"<si><t>" + "政".encode() * 3000 + b"</t></si>", b'r="ZZZZ9"', b"<is>"]

workbook_ops = st.lists(st.tuples(st.sampled_from(["drop", "cut", "insert", "flip", "garbage", "dup_member"]),
                                  st.integers(0, 10**6), st.sampled_from(XML_INSERTS)), min_size=1, max_size=3)


@budget(80)
@given(member=st.integers(0, 100), wops=workbook_ops, store=st.booleans())
def test_mutated_workbooks_load_or_fail_in_one_line(member, wops, store, tmp_path_factory):
    import zipfile
    members = dict(_workbook())
    names = sorted(members)
    for op, at, piece in wops:
        name = names[(member + at) % len(names)]
        data = members.get(name, b"")
        i = at % (len(data) + 1)
        if op == "drop":
            members.pop(name, None)
        elif op == "cut":
            members[name] = data[:i]
        elif op == "insert":
            members[name] = data[:i] + piece + data[i:]
        elif op == "flip":
            members[name] = data[:i] + bytes(b ^ 0x5A for b in data[i:i + 16]) + data[i + 16:]
        elif op == "garbage":
            members[name] = piece * (1 + at % 50)
        else:
            members[name + "x"] = data
    p = tmp_path_factory.mktemp("x") / "fuzz.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED if store else zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    rep = outcome(lambda: rk.load(p), "workbook", source=str(p))
    if rep is not None:
        run_stages(rep, exports=("yaml",))


@budget(60)
@given(name=st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_"))
       .filter(lambda b: b not in (b".", b"..")), suffix=st.sampled_from([b".txt", b".html", b".yaml", b""]))
def test_any_file_name_the_os_gives_loads_and_exports(name, suffix, tmp_path_factory):
    folder = os.fsencode(tmp_path_factory.mktemp("n"))
    path = folder + b"/" + name[:200] + suffix
    with open(path, "wb") as fh:
        fh.write(SEED_TEXT.encode("utf-8"))
    rep = outcome(lambda: rk.load(os.fsdecode(path)), "file-name")
    if rep is not None:
        rep.source.encode("utf-8")                   # a name that can be written anywhere
        out = rk.export(rk.reconstruct(rep), "yaml", os.fsdecode(path + b".out.yaml"))
        assert out.stat().st_size > 0


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-null", "dangling-link", "no-permission"])
def test_what_is_not_a_regular_file_is_refused_without_blocking(kind, tmp_path):
    p = tmp_path / "x.txt"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "folder":
        p.mkdir()
    elif kind == "dev-null":
        p = Path("/dev/null")
    elif kind == "dangling-link":
        p.symlink_to(tmp_path / "gone.txt")
    else:
        p.write_text(SEED_TEXT, encoding="utf-8")
        p.chmod(0)
        if os.access(p, os.R_OK):       # root reads anything
            pytest.skip("running as root")
    outcome(lambda: rk.load(p), "file-system", source=str(p))


@pytest.mark.parametrize("fmt", ["md", "html", "yaml", "json", "docx", "xlsx"])
def test_a_write_that_fails_half_way_keeps_the_previous_file(fmt, tmp_path, monkeypatch):
    rec = rk.reconstruct(rk.load(paths.SEED_TEXT))
    out = rk.export(rec, fmt, tmp_path / f"r.{fmt}")
    before = out.read_bytes()
    real_replace = os.replace

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        rk.export(rec, fmt, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [out.name]

"""Exports of a reconstruction: round trips, provenance marks, the official layout, CJK fonts in Office
files, drafts, and safe output (report text is untrusted)."""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.cli import main
from reportkit.errors import ReportError, StructuredDataError
from reportkit.load import load_xlsx
from reportkit.readers.xlsx import CELLS_SHEET, SECTIONS_SHEET
from reportkit.text import display_width as _display_width, md_escape, safe_cell_text
from reportkit.writers import FORMATS, export, to_html, to_markdown
from reportkit.format import spec
from reportkit.reconstruct import CellEstimate, reconstruct
from reportkit.layout import render_text

from tests.fixtures.tables import complete_tables

DATA_FORMATS = ("yaml", "json", "html", "xlsx")
OFFICIAL_TITLES = [s.title for s in spec().sections]


def _rec(path):
    return reconstruct(rk.load(path))


def _synthetic_report(seed=1, layout="pipe", sections=None):
    data = {"title": "测试局2022年政府信息公开工作年度报告", "agency": "测试局", "year": 2022,
            "sections": sections or {1: "本机关依法做好政府信息公开工作。", 5: "存在问题。", 6: "无。"},
            "tables": complete_tables(seed)}
    return rk.loads(render_text(data, layout), "synthetic.txt", kind="html" if layout == "html" else "text"), data


def _mixed_reconstruction(seed=1):
    """A complete synthetic report whose cells are given every provenance in turn, so the exports are
    tested on inferred, prose-stated and bounded-unknown cells whatever reconstruct() infers today."""
    rep, data = _synthetic_report(seed)
    rec = reconstruct(rep)
    cells = {}
    for i, (key, _) in enumerate(sorted(rec.cells.items())):
        tid, r, c = key
        v = data["tables"][tid][(r, c)]
        kind = i % 4
        if kind == 0:
            e = CellEstimate(tid, r, c, v, v, v, "stated-table", evidence=[{"start": 0, "end": 1, "text": str(v)}])
        elif kind == 1:
            e = CellEstimate(tid, r, c, v, v, v, "inferred", rule="requests_balance", uses=[(tid, "new", c)])
        elif kind == 2:
            e = CellEstimate(tid, r, c, v, v, v, "stated-prose", rule="prose:no_new_requests",
                             evidence=[{"start": 0, "end": 6, "text": "本年度未收到申请"}])
        else:
            e = CellEstimate(tid, r, c, None, 0, (v or 0) + 3 if i % 8 == 3 else None, "unknown")
        cells[key] = e
    return dataclasses.replace(rec, cells=cells)


def _loaded_value(report, key):
    tid, r, c = key
    tr = report.tables.get(tid)
    return tr.value(r, c) if tr is not None else None


SOURCES = {
    "seed": lambda: _rec(paths.SEED_TEXT),
    "corpus-015": lambda: _rec(paths.CORPUS / "015.txt"),                  # real numbers, truncated text
    "corpus-013-2019-format": lambda: _rec(paths.CORPUS / "013.txt"),      # 2019 tables, unreadable rows
    "complete-009": lambda: _rec(paths.CORPUS / "complete" / "009.txt"),   # cells run together
    "synthetic-complete": lambda: reconstruct(_synthetic_report(3)[0]),
    "synthetic-mixed-provenance": lambda: _mixed_reconstruction(2),
}


# ---------------------------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("fmt", DATA_FORMATS)
@pytest.mark.parametrize("source", list(SOURCES))
def test_load_of_export_gives_the_same_cells_exact_values_and_na_for_unknown(source, fmt, tmp_path):
    rec = SOURCES[source]()
    out = export(rec, fmt, tmp_path / f"r.{fmt}")
    back = rk.load(out)
    # A table is printed where its section held something; the values of an empty or missing
    # section's table were inferred from the prose, and are inferred again from it.
    again = reconstruct(back)
    printed = {s.number for s in rec.sections if s.status == "present"}

    def loaded(k):
        if spec().section_for_table(k[0]).number in printed:
            return _loaded_value(back, k)
        return again.cells[k].value if k in again.cells else None
    wrong = {k: (e.value, loaded(k)) for k, e in rec.cells.items() if loaded(k) != e.value}
    assert wrong == {}
    for tid, tr in back.tables.items():
        if tr is not None and tr.has_numbers:
            assert tr.version == rec.version
    if source.startswith("synthetic") or source in ("corpus-015", "complete-009"):
        assert any(e.value is not None for e in rec.cells.values())     # the test compared real numbers


def test_decimal_fee_and_negative_2019_change_survive_every_data_format(tmp_path):
    rec = _mixed_reconstruction(5)
    fee = ("proactive", "fees", "fee_amount")
    rec.cells[fee] = CellEstimate(*fee, 5949.09, 5949.09, 5949.09, "stated-table")
    for fmt in DATA_FORMATS:
        assert _loaded_value(rk.load(export(rec, fmt, tmp_path / f"f.{fmt}")), fee) == 5949.09
    rep19 = rk.load(paths.CORPUS / "013.txt")
    rec19 = reconstruct(rep19)
    change = ("proactive", "licensing", "change")
    assert change in rec19.cells
    rec19.cells[change] = CellEstimate(*change, -3, -3, -3, "stated-table")
    for fmt in DATA_FORMATS:
        assert _loaded_value(rk.load(export(rec19, fmt, tmp_path / f"c.{fmt}")), change) == -3


def test_structured_export_keeps_provenance_under_a_key_the_loader_ignores(tmp_path):
    rec = _mixed_reconstruction(4)
    out = export(rec, "json", tmp_path / "r.json")
    d = json.loads(out.read_text(encoding="utf-8"))
    prov = {(c["table"], c["row_id"], c["column_id"]): c for c in d["reconstruction"]["cells"]}
    assert set(prov) == set(rec.cells)
    for key, e in rec.cells.items():
        assert (prov[key]["provenance"], prov[key]["value"], prov[key]["high"]) == (e.provenance, e.value, e.high)
    assert prov[next(k for k, e in rec.cells.items() if e.provenance == "inferred")]["rule"] == "requests_balance"
    back = rk.load(out)                        # the extra key does not disturb the loader
    assert back.kind == "structured" and back.title == rec.report.title


def test_structured_export_keeps_section_prose_and_empty_sections_of_the_seed(tmp_path):
    rec = _rec(paths.SEED_TEXT)
    back = rk.load(export(rec, "yaml", tmp_path / "seed.yaml"))
    assert "市公安局严格按照市政府、省公安厅的工作要求" in back.body(1)
    assert "一要坚持便民利民原则" in back.body(5)
    states = ["empty" if s.is_empty(back.text) else "present" for s in back.sections]
    # 二、三、四、六 are empty headings in the seed, and read back empty: re-checking the export finds the
    # same gaps. The number the prose states (received no request: 本年新收 = 0) is inferred again.
    assert states == [s.status for s in rec.sections]
    assert states[1] == states[2] == states[5] == "empty"
    again = reconstruct(back)
    known = {k: e.value for k, e in rec.cells.items() if e.value is not None}
    assert known and {k: again.cells[k].value for k in known} == known


def test_printed_copy_of_a_table_is_not_repeated_as_prose(tmp_path):
    # complete/009 prints table 四 as labels followed by "000000000000000": exported from the
    # reconstruction, not copied into the prose.
    rec = _rec(paths.CORPUS / "complete" / "009.txt")
    assert "000000000000000" in rec.report.body(4)
    md = to_markdown(rec)
    section4 = md[md.index("## 四、"):md.index("## 五、")]
    assert "000000000000000" not in section4
    # A sentence in a table section is prose and stays.
    rep, _ = _synthetic_report(1, sections={1: "总体。", 4: "本机关未发生政府信息公开行政复议、行政诉讼案件。", 5: "问题。"})
    assert "本机关未发生政府信息公开行政复议、行政诉讼案件。" in to_markdown(reconstruct(rep))


# ---------------------------------------------------------------------------------------------- HTML

class _Tags(HTMLParser):
    """Every start tag with its attributes, every end tag, the text, and each table cell as
    (attributes of its first span, its text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.start: list[tuple[str, dict]] = []
        self.end: list[str] = []
        self.data: list[str] = []
        self.cells: list[tuple[dict, str]] = []
        self._td: list | None = None                 # [span attrs, text] of the open cell

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.start.append((tag, a))
        if tag == "td":
            self._td = [None, ""]
        elif tag == "span" and self._td is not None and self._td[0] is None:
            self._td[0] = a

    def handle_endtag(self, tag):
        self.end.append(tag)
        if tag == "td" and self._td is not None:
            self.cells.append((self._td[0] or {}, self._td[1]))
            self._td = None

    def handle_data(self, data):
        self.data.append(data)
        if self._td is not None:
            self._td[1] += data


def _parse(markup):
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


def test_html_is_standalone_utf8_with_a_chinese_font_stack():
    page = to_html(_rec(paths.SEED_TEXT))
    p = _parse(page)
    assert ("meta", {"charset": "utf-8"}) in p.start
    for font in ("Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"):
        assert font in page
    # Self-contained: no scripts, nothing fetched from anywhere.
    assert not [t for t, a in p.start if t in ("script", "link", "img", "iframe")]
    assert not [a for _, a in p.start if "src" in a or "href" in a]
    assert "@import" not in page
    assert re.findall(r"url\(([a-z]+):", page) == ["data"]          # the embedded font, nothing fetched


def test_html_embeds_the_chinese_glyphs_it_uses_as_the_notebook_pages_do():
    import base64
    import io
    from fontTools.ttLib import TTFont
    page = to_html(_rec(paths.SEED_TEXT))
    m = re.search(r"@font-face \{ font-family: '([^']+)'; src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    assert m and f"font-family: '{m.group(1)}'," in page                # the body uses the embedded face
    cmap = TTFont(io.BytesIO(base64.b64decode(m.group(2)))).getBestCmap()
    visible = re.sub(r"<[^>]+>", "", page.split("</style>", 1)[1])
    assert {ord(ch) for ch in visible if "\u4e00" <= ch <= "\u9fff"} <= set(cmap)
    assert {ord(ch) for ch in "原报告此部分为空？"} <= set(cmap)       # the CSS's own content strings too


def test_html_cell_text_is_the_bare_number_and_provenance_lives_in_attributes():
    rec = _mixed_reconstruction(6)
    p = _parse(to_html(rec))
    by_class = {}
    for attrs, text in p.cells:
        cls = attrs.get("class")
        if cls:
            by_class.setdefault(cls, []).append((attrs, text))
    assert set(by_class) == {"rk-stated-table", "rk-inferred", "rk-stated-prose", "rk-unknown"}
    for cls in ("rk-stated-table", "rk-inferred", "rk-stated-prose"):
        assert all(re.fullmatch(r"-?\d+(\.\d+)?", text.strip()) for _, text in by_class[cls])
    assert all("勾稽关系" in a["title"] and "requests_balance" not in a["title"] for a, _ in by_class["rk-inferred"])
    assert all("本年度未收到申请" in a["title"] for a, _ in by_class["rk-stated-prose"])
    # Unknown cells hold no text at all; the mark is CSS and the bounds an attribute.
    assert all(text.strip() == "" for _, text in by_class["rk-unknown"])
    assert any(re.fullmatch(r"（0–\d+）", a.get("data-range", "")) for a, _ in by_class["rk-unknown"])
    assert '.rk-unknown::after { content: "？"; }' in to_html(rec)
    assert ".rk-inferred { font-style: italic" in to_html(rec)


def test_html_has_the_official_merged_headers_and_the_blocks_of_table_two():
    p = _parse(to_html(_rec(paths.CORPUS / "015.txt")))
    th = [a for t, a in p.start if t == "th"]
    assert {"colspan": "7"} in th                       # 申请人情况 over seven columns
    assert {"colspan": "5"} in th                       # 法人或其他组织
    assert {"colspan": "10"} in th                      # 行政诉讼
    assert {"colspan": "3", "rowspan": "3"} in th       # the corner cell of table 三
    text = "".join(p.data)
    for block in ("第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"):
        assert block in text
    assert p.start.count(("table", {"class": "rk-table", "border": "1"})) == 3
    for title in OFFICIAL_TITLES:
        assert title in text
    assert [text.index(t) for t in OFFICIAL_TITLES] == sorted(text.index(t) for t in OFFICIAL_TITLES)


# ---------------------------------------------------------------------------------------------- safe output

HOSTILE = ['<script>alert("x")</script>', '<img src=x onerror=alert(2)>', '[点我](javascript:alert(3))',
           '<a href="javascript:alert(4)">链接</a>', '</table><script>alert(5)</script>',
           '![图](javascript:alert(6))', '<iframe src="javascript:alert(7)"></iframe>']


def _hostile_text_report():
    body = "\n".join(f"第{i}段：{h}" for i, h in enumerate(HOSTILE))
    text = ("<script>alert(0)</script>某局2022年政府信息公开工作年度报告\n"
            f"一、总体情况\n{body}\n"
            "二、主动公开政府信息情况\n</table><td onclick=alert(8)>\n"
            "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
            "四、政府信息公开行政复议、行政诉讼情况\n<a href='javascript:alert(9)'>x</a>\n"
            "五、存在的主要问题及改进情况\n# 标题 <b onmouseover=alert(10)>粗</b>\n"
            "六、其他需要报告的事项\n=HYPERLINK(\"http://evil.example\",\"点\")\n")
    return rk.loads(text, "hostile.txt")


def _hostile_html_report():
    esc = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
    body = "".join(f"<p>{''.join(esc.get(ch, ch) for ch in h)}</p>" for h in HOSTILE)
    page = ("<html><head><title>某局2022年政府信息公开工作年度报告</title><script>alert('head')</script></head><body>"
            "<h1>某局2022年政府信息公开工作年度报告</h1>"
            f"<h2>一、总体情况</h2>{body}<img src=x onerror=\"alert(11)\"><a href=\"javascript:alert(12)\">点</a>"
            "<h2>二、主动公开政府信息情况</h2><table><tr><td>规章</td><td>1</td><td>0</td>"
            "<td>&lt;/table&gt;&lt;script&gt;alert(13)&lt;/script&gt;</td></tr></table>"
            "<h2>三、收到和处理政府信息公开申请情况</h2><p>&lt;/table&gt;</p>"
            "<h2>四、政府信息公开行政复议、行政诉讼情况</h2><p onclick=\"alert(14)\">无</p>"
            "<h2>五、存在的主要问题及改进情况</h2><p>[x](javascript:alert(15))</p>"
            "<h2>六、其他需要报告的事项</h2><p>@SUM(A1:A9)</p></body></html>")
    return rk.loads(page, "hostile.html", kind="html")


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "div", "span",
                "section", "table", "tr", "th", "td", "mark"}


def _assert_inert(markup: str):
    p = _parse(markup)
    assert {t for t, _ in p.start} <= ALLOWED_TAGS
    for _, attrs in p.start:
        assert not [k for k in attrs if k.lower().startswith("on")]
        assert not [v for v in attrs.values() if v and "javascript:" in re.sub(r"\s", "", v).lower()]
    assert p.start.count(("table", {"class": "rk-table", "border": "1"})) == 3
    assert p.end.count("table") == 3
    return "".join(p.data)


@pytest.mark.parametrize("make", [_hostile_text_report, _hostile_html_report], ids=["text-input", "html-input"])
def test_hostile_report_text_is_rendered_as_text_in_html(make):
    rep = make()
    assert any(s.present for s in rep.sections)
    rec = reconstruct(rep)
    shown = _assert_inert(to_html(rec))
    assert "alert(" in shown                     # the hostile text is there, as text
    if make is _hostile_text_report:
        assert '<script>alert("x")</script>' in shown and "<img src=x onerror=alert(2)>" in shown


def test_hostile_title_and_draft_text_are_escaped_in_html():
    rep = _hostile_text_report()
    rep.title = '</title><script>alert(1)</script>某局'
    rec = reconstruct(rep)
    ds = SimpleNamespace(number=1, title="一、总体情况", text="<script>alert(2)</script>【待补充：<b>数量</b>】",
                         anchors=[SimpleNamespace(start=0, end=8, source_kind="cell", ref='"><script>x</script>',
                                                  value=1)],
                         placeholders=[], proposal=False)
    shown = _assert_inert(to_html(rec, SimpleNamespace(sections={1: ds})))
    assert "</title><script>alert(1)</script>某局" in shown
    assert "【待补充：<b>数量</b>】" in shown


@pytest.mark.parametrize("make", [_hostile_text_report, _hostile_html_report], ids=["text-input", "html-input"])
def test_hostile_report_text_cannot_make_markup_or_links_in_markdown(make):
    mistune = pytest.importorskip("mistune")          # installed with nbconvert
    md = to_markdown(reconstruct(make()))
    rendered = mistune.create_markdown(escape=False, plugins=["table"])(md)   # raw HTML would pass through
    p = _parse(rendered)
    tags = {t for t, _ in p.start}
    assert not tags & {"script", "img", "a", "iframe", "b"}
    for _, attrs in p.start:
        assert not [k for k in attrs if k.lower().startswith("on")]
    assert "alert(" in "".join(p.data)


def test_md_escape_neutralises_markdown_syntax_but_keeps_the_words():
    mistune = pytest.importorskip("mistune")
    render = mistune.create_markdown(escape=False)
    for text in ("[点我](javascript:alert(1))", "![x](http://e.x/i.png)", "# 标题", "1. 属于国家秘密",
                 "<script>x</script>", "- 列表", "`code`", "> 引用", "a | b"):
        html = render(md_escape(text))
        assert not re.search(r"<(a|img|h1|ol|ul|script|code|blockquote)\b", html), (text, html)
        plain = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert plain.strip() == text, (text, html)


def test_xlsx_never_holds_a_formula_from_report_text(tmp_path):
    from openpyxl import load_workbook
    for rep in (_hostile_text_report(), _hostile_html_report()):
        rep.title = "=cmd|' /C calc'!A0"
        rep.agency = "+1+1"
        rec = reconstruct(rep)
        out = export(rec, "xlsx", tmp_path / "h.xlsx")
        wb = load_workbook(out)
        strings = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        strings += 1
                        assert not c.value.startswith(("=", "+", "-", "@")), (ws.title, c.coordinate, c.value)
        assert strings > 100
        # Read back, the apostrophe is gone: the text is what the report said.
        back = load_xlsx(out)
        assert back.title == "=cmd|' /C calc'!A0" and back.agency == "+1+1"
    assert safe_cell_text("=1+1") == "'=1+1" and safe_cell_text("'=1") == "''=1" and safe_cell_text("正文") == "正文"


# ---------------------------------------------------------------------------------------------- Word

def test_docx_has_official_titles_in_order_tables_and_chinese_fonts(tmp_path):
    import docx
    from docx.oxml.ns import qn
    rec = _rec(paths.SEED_TEXT)
    out = export(rec, "docx", tmp_path / "seed.docx")
    d = docx.Document(str(out))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == OFFICIAL_TITLES
    assert [p.text for p in d.paragraphs if p.style.name == "Title"] == [rec.report.title]
    body = "\n".join(p.text for p in d.paragraphs)
    assert "市公安局严格按照市政府、省公安厅的工作要求" in body
    assert len(d.tables) == 3
    t3 = d.tables[1]
    texts = {c.text for row in t3.rows for c in row.cells}
    assert "申请人情况" in texts and "法人或其他组织" in texts and "？" in texts
    assert t3._tbl.xpath(".//w:gridSpan") and t3._tbl.xpath(".//w:vMerge")      # merged header cells
    # East-Asian fonts: styles and docDefaults, no theme font overriding them, language zh-CN.
    for name, font in (("Normal", "宋体"), ("Heading 1", "黑体"), ("Title", "黑体")):
        rfonts = d.styles[name].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == font
        assert rfonts.get(qn("w:eastAsiaTheme")) is None
    defaults = d.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert defaults.find(".//" + qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    runs = d.element.body.xpath(".//w:r")
    assert runs and all(r.rPr is not None and r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)


def test_docx_marks_inferred_and_unknown_cells(tmp_path):
    import docx
    rec = _mixed_reconstruction(7)
    d = docx.Document(str(export(rec, "docx", tmp_path / "m.docx")))
    runs = [r for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert any(r.italic and re.fullmatch(r"\d+(\.\d+)?", r.text) for r in runs)      # inferred
    assert any(r.text.startswith("？（0–") for r in runs)                          # bounded unknown
    notes = [p.text for p in d.paragraphs if p.text.startswith("注：")]
    assert any("勾稽关系" in n for n in notes) and any("本年度未收到申请" in n for n in notes)
    # A reader is told what a rule says, never its internal id.
    assert not [n for n in notes if re.search(r"[a-z]+[_:][a-z_]+", n)]


def test_docx_is_a4_with_official_margins_repeating_headings_and_zh_cn_throughout(tmp_path):
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Cm
    rec = _rec(paths.SEED_TEXT)
    d = docx.Document(str(export(rec, "docx", tmp_path / "seed.docx")))
    s = d.sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(s.top_margin.cm, 1), round(s.left_margin.cm, 1), round(s.right_margin.cm, 1)) == (3.7, 2.8, 2.6)
    assert d.element.body[-1].tag == qn("w:sectPr")          # the body built by appending still ends with it
    t3, t4 = d.tables[1], d.tables[2]
    # Table 三's column headings (three rows) repeat on every page; its value rows do not.
    flags = [tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None for tr in t3._tbl.tr_lst]
    assert flags[:3] == [True] * 3 and not any(flags[3:])
    # 表四 is kept on one page: every row but the last keeps with the next.
    for tr in t4._tbl.tr_lst[:-1]:
        assert all(p.pPr is not None and p.pPr.keepNext_val for p in tr.iter(qn("w:p")))
    assert all(t._tbl.xpath(".//w:tblW") for t in d.tables)
    assert max(sum(c.width for c in row.cells[:1]) for row in t3.rows) < Cm(16)
    # zh-CN in the settings (theme font language), the defaults and the core properties; nothing Japanese.
    lang = d.settings.element.find(qn("w:themeFontLang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN" and lang.get(qn("w:val")) == "zh-CN"
    assert d.core_properties.language == "zh-CN"
    from lxml import etree
    assert not any(b"ja-JP" in etree.tostring(p) for p in (d.settings.element, d.styles.element, d.element))


def test_xlsx_prints_each_table_landscape_one_page_wide_with_its_headings_repeated(tmp_path):
    from openpyxl import load_workbook
    wb = load_workbook(export(_rec(paths.SEED_TEXT), "xlsx", tmp_path / "seed.xlsx"))
    for name in ("表二", "表三", "表四", CELLS_SHEET, SECTIONS_SHEET):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9     # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
    assert wb["表三"].print_title_rows and wb["表四"].print_title_rows and wb[CELLS_SHEET].print_title_rows == "$1:$1"
    # The sections' text runs over several rows (each under the 409 pt a row can be), headed on every page.
    assert wb[SECTIONS_SHEET].print_title_rows == "$1:$1"
    assert all(0 < (d.height or 15) <= 409 for d in wb[SECTIONS_SHEET].row_dimensions.values())
    # Table 三's long row labels wrap in columns of bounded width instead of running into each other.
    ws = wb["表三"]
    assert all(ws.column_dimensions[k].width <= 40 for k in "ABC")
    long_labels = [c for row in ws.iter_rows(min_row=3) for c in row
                   if isinstance(c.value, str) and len(c.value) > 15 and c.border.left.style]     # in the grid
    assert long_labels and all(c.alignment.wrap_text for c in long_labels)
    # Legends and headings an analyst reads are Chinese.
    legend = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "图例" in legend and not [v for v in legend if re.search(r"[A-Za-z]{3,}", v)]
    assert not [c.value for c in wb[CELLS_SHEET][1] if re.search(r"[A-Za-z]", c.value)]


# ---------------------------------------------------------------------------------------------- Excel

def test_xlsx_official_layout_fonts_widths_fills_and_long_form(tmp_path):
    from openpyxl import load_workbook
    rec = _mixed_reconstruction(8)
    wb = load_workbook(export(rec, "xlsx", tmp_path / "m.xlsx"))
    assert wb.sheetnames[:3] == ["表二", "表三", "表四"]
    assert {CELLS_SHEET, SECTIONS_SHEET, "reportkit"} <= set(wb.sheetnames)
    assert wb["reportkit"].sheet_state == "hidden"
    ws = wb["表三"]
    spans = {(r.max_col - r.min_col + 1, r.max_row - r.min_row + 1) for r in ws.merged_cells.ranges}
    assert (7, 1) in spans and (5, 1) in spans and (3, 3) in spans        # 申请人情况, 法人或其他组织, corner
    assert {ws.cell(row=r, column=c).font.name for r in range(3, 35) for c in range(1, 11)
            if ws.cell(row=r, column=c).value is not None} == {"宋体"}
    label = "2.其他法律行政法规禁止公开"
    assert _display_width(label) == 26
    assert ws.column_dimensions["C"].width >= _display_width(label)
    fills = {}
    for row in ws.iter_rows(min_row=3):
        for c in row:
            if c.comment is not None:
                fills.setdefault(c.fill.fgColor.rgb[-6:], []).append(c.comment.text)
    assert any("勾稽关系" in t for t in fills["DDEBF7"])                          # inferred
    assert any("本年度未收到申请" in t for t in fills["E2EFDA"])                    # stated in prose
    assert "EDEDED" in fills                                                      # unknown
    cells = wb[CELLS_SHEET]
    head = [c.value for c in cells[1]]
    assert head[:7] == ["表", "行", "列", "数值", "下限", "上限", "来源"]
    assert cells.max_row == len(rec.cells) + 1
    assert {r[6] for r in cells.iter_rows(min_row=2, values_only=True)} == {"报告表格所载", "根据勾稽关系推算", "报告正文所述", "未知"}


def test_load_xlsx_reads_a_corrected_number_and_refuses_moved_rows(tmp_path):
    from openpyxl import load_workbook
    rec = _rec(paths.CORPUS / "015.txt")
    out = export(rec, "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(out)
    ws = wb["表三"]
    # Fill an unknown cell and scribble text in another: the number counts, the text stays unknown.
    unknown = [c for row in ws.iter_rows(min_row=3) for c in row if isinstance(c.value, str) and c.value.startswith("？")]
    assert len(unknown) >= 2
    unknown[0].value = 7
    unknown[1].value = "不详"
    wb.save(tmp_path / "edited.xlsx")
    back = load_xlsx(tmp_path / "edited.xlsx")
    values = [back.tables["requests"].value(*k[1:]) for k in rec.cells if k[0] == "requests"]
    assert values.count(7) >= 1
    assert any(n["kind"] == "non_numeric_cell" and "不详" in n["message"] for n in back.notes)
    ws.delete_rows(6)
    wb.save(tmp_path / "moved.xlsx")
    with pytest.raises(StructuredDataError, match="表三"):
        load_xlsx(tmp_path / "moved.xlsx")


def test_load_refuses_a_workbook_reportkit_did_not_write(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"] = "hello"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(ReportError, match="other.xlsx"):
        rk.load(tmp_path / "other.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReportError, match="broken.xlsx"):
        rk.load(tmp_path / "broken.xlsx")


# ---------------------------------------------------------------------------------------------- drafts

def _fake_draft():
    text = "本年度新收政府信息公开申请1件。【待补充：上年结转政府信息公开申请数量】"
    s3 = SimpleNamespace(number=3, title="三、收到和处理政府信息公开申请情况", text=text,
                         anchors=[SimpleNamespace(start=text.index("1"), end=text.index("1") + 1, source_kind="cell",
                                                  ref="requests/new/total", value=1)],
                         placeholders=["上年结转政府信息公开申请数量"], proposal=False)
    s5 = SimpleNamespace(number=5, title="五、存在的主要问题及改进情况", text="一是表格缺失。", anchors=[],
                         placeholders=[], proposal=True)
    return SimpleNamespace(sections={3: s3, 5: s5})


def test_draft_text_stands_under_its_section_with_placeholders_and_proposal_marked(tmp_path):
    import docx
    rec = _rec(paths.CORPUS / "015.txt")
    draft = _fake_draft()
    md = to_markdown(rec, draft)
    sec3 = md[md.index("## 三、"):md.index("## 四、")]
    assert "本年度新收政府信息公开申请1件。" in sec3 and "**【待补充：上年结转政府信息公开申请数量】**" in sec3
    sec5 = md[md.index("## 五、"):md.index("## 六、")]
    assert "【建议】" in sec5 and "proposal" in sec5 and "一是表格缺失。" in sec5
    page = to_html(rec, draft)
    p = _parse(page)
    assert ("mark", {"class": "rk-placeholder"}) in p.start
    assert any(t == "span" and a.get("class") == "rk-anchor" and "表三" in a.get("title", "") for t, a in p.start)
    assert ("div", {"class": "rk-draft rk-proposal"}) in p.start
    d = docx.Document(str(export(rec, "docx", tmp_path / "d.docx", draft=draft)))
    paras = [x.text for x in d.paragraphs]
    i3, i4, i5 = (paras.index(t) for t in OFFICIAL_TITLES[2:5])
    assert any("【待补充：上年结转政府信息公开申请数量】" in x for x in paras[i3:i4])
    assert any(x.startswith("【建议】") for x in paras[i5:])
    # The draft changes no number: HTML with a draft still reads back to the same cells.
    back = rk.loads(page, "d.html", kind="html")
    assert all(_loaded_value(back, k) == e.value for k, e in rec.cells.items())


def test_exports_without_a_draft_or_with_an_odd_one_have_no_draft_block(tmp_path):
    rec = _rec(paths.SEED_TEXT)
    odd = SimpleNamespace(sections={1: SimpleNamespace(number=1, text=None), "x": None, 9: SimpleNamespace(text="x")})
    for draft in (None, odd, SimpleNamespace(), SimpleNamespace(sections=None)):
        assert "【草稿】" not in to_markdown(rec, draft)
        assert 'class="rk-draft-label"' not in to_html(rec, draft)
        export(rec, "docx", tmp_path / "n.docx", draft=draft)


def test_real_draft_of_the_seed_goes_into_every_prose_export(tmp_path):
    draft_mod = pytest.importorskip("reportkit.draft")
    rec = _rec(paths.SEED_TEXT)
    d = draft_mod.draft(rec)
    placeholders = [m for s in d.sections.values() for m in re.findall(r"【待补充[^】]*】", s.text)]
    assert placeholders                                   # the seed's empty tables become placeholders
    md, page = to_markdown(rec, d), to_html(rec, d)
    assert all(md_escape(x) in md for x in placeholders)
    assert page.count('<mark class="rk-placeholder">') == len(placeholders)
    _assert_inert(page)


# ---------------------------------------------------------------------------------------------- API, CLI

def test_export_returns_the_path_and_rejects_unknown_formats(tmp_path):
    rec = _rec(paths.SEED_TEXT)
    for fmt in FORMATS:
        out = export(rec, fmt, tmp_path / "sub" / f"seed.{fmt}")
        assert out.exists() and out.stat().st_size > 1000
    assert zipfile.is_zipfile(tmp_path / "sub" / "seed.docx") and zipfile.is_zipfile(tmp_path / "sub" / "seed.xlsx")
    with pytest.raises(ValueError, match="pdf"):
        export(rec, "pdf", tmp_path / "seed.pdf")


def test_cli_export_writes_the_file_and_reports_usage_errors(tmp_path, capsys):
    out = tmp_path / "seed.html"
    assert main(["export", str(paths.SEED_TEXT), "--to", "html", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert rk.load(out).section(1).present
    assert main(["export", str(paths.SEED_TEXT), "--to", "json", "-o", "-"]) == 0
    assert "reconstruction" in json.loads(capsys.readouterr().out)
    assert main(["export", str(paths.SEED_TEXT), "--to", "xlsx", "-o", "-"]) == 2
    assert main(["export", str(tmp_path / "nope.txt"), "--to", "md", "-o", str(tmp_path / "x.md")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_cli_export_with_draft(tmp_path, capsys):
    pytest.importorskip("reportkit.draft")
    out = tmp_path / "seed.md"
    assert main(["export", str(paths.SEED_TEXT), "--to", "md", "-o", str(out), "--draft"]) == 0
    assert "【草稿】" in out.read_text(encoding="utf-8")

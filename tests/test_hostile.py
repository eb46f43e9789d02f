"""Hostile input on the loader side: markup and script in a report, unsafe YAML, size and nesting limits.

Report text is untrusted. Loading never runs it and never loses it: a text report that contains
``<script>``, ``onerror=``, ``javascript:`` or ``</table>`` is plain text, kept character for character;
an HTML page's scripts are not report text, while its images and attachments are still recorded; YAML is
read with ``safe_load``, so ``!!python/…`` tags are refused, never constructed. Inputs built to exhaust
memory or time (huge files, alias bombs, deep nesting, constructs html.parser rescans) end with a
``ReportError`` or a normal report. Speed is measured in ``benchmarks/bench_limits.py``, not here.
"""

from __future__ import annotations

import os

import pytest

import reportkit as rk
from reportkit.readers import html as htmlmod
from reportkit import paths
from reportkit.errors import EncodingError, StructuredDataError, TooLargeError
from reportkit.facts import MAX_FACTS
from reportkit.layout import render_text

from tests.fixtures.tables import complete_tables

SEED = paths.SEED_TEXT.read_text(encoding="utf-8")

HOSTILE = ("<script>alert('x')</script>", '<img src=x onerror="alert(1)">', "javascript:alert(document.cookie)",
           "</table></td><table>", "<!--", "=cmd|' /C calc'!A0", "&lt;b&gt;", "\u202e", "{{7*7}}", "${jndi:x}")


def _seed_with(snippet: str) -> str:
    # In the body of section 一, between two sentences, where a capture would put stray markup.
    return SEED.replace("发布各类信息284条。", f"发布各类信息284条。{snippet}", 1)


@pytest.mark.parametrize("snippet", HOSTILE)
def test_markup_in_a_text_report_is_kept_verbatim_as_text(snippet, tmp_path):
    text = _seed_with(snippet)
    p = tmp_path / "report.txt"
    p.write_text(text, encoding="utf-8")
    rep = rk.load(p)
    assert rep.kind == "text"
    assert rep.text == text                                    # nothing dropped, nothing unescaped
    sec = rep.section(1)
    assert snippet in rep.text[sec.body_start:sec.end]       # still in section 一, where it was written
    assert [s.present for s in rep.sections] == [True] * 6
    assert [f.value for f in rep.facts if f.unit == "条"][:2] == [284, 418]


def test_markup_in_a_text_string_stays_text_whatever_it_looks_like():
    text = _seed_with("".join(HOSTILE))
    rep = rk.loads(text)
    assert rep.kind == "text" and rep.text == text and not rep.assets


def _page(section_1: str) -> str:
    data = {"agency": "某市某局", "year": 2022, "sections": {1: "本年度主动公开信息12条。"},
            "tables": complete_tables(2)}
    page = render_text(data, "html")
    return page.replace("<p>本年度主动公开信息12条。</p>", section_1, 1)


def test_script_in_an_html_section_is_not_report_text_and_assets_are_kept():
    rep = rk.loads(_page("<p>本年度主动公开信息12条。<script>document.write('伪造数字999条');alert(1)</script>"
                         "<img src='table2.png' alt='表二' onerror='alert(2)'>"
                         "<a href='javascript:alert(3)'>点击</a><a href='/files/附表.xlsx'>附表</a></p>"),
                   "page.html", kind="html")
    assert rep.kind == "html"
    assert "伪造" not in rep.text and "alert" not in rep.text and "document.write" not in rep.text
    assert "javascript" not in rep.text and "onerror" not in rep.text
    assert [f.value for f in rep.facts if f.section == 1] == [12]       # the script's "999条" is no fact
    kinds = {(a["kind"], a["src"], a["section"]) for a in rep.assets}
    assert ("img", "table2.png", 1) in kinds and ("attachment", "/files/附表.xlsx", 1) in kinds
    assert all(rep.tables[t].has_numbers for t in ("proactive", "requests", "appeals"))


def test_style_noscript_and_template_content_is_not_report_text():
    rep = rk.loads(_page("<style>p{content:'样式文字'}</style><noscript>脚本提示</noscript>"
                         "<template><p>模板里的段落5条</p></template><p>本年度主动公开信息12条。</p>"), kind="html")
    for hidden in ("样式文字", "脚本提示", "模板里的段落"):
        assert hidden not in rep.text
    assert [f.value for f in rep.facts if f.section == 1] == [12]


def test_entities_are_decoded_once_not_twice():
    # "&amp;lt;script&amp;gt;" is the visible text "&lt;script&gt;", not a tag and not "<script>".
    rep = rk.loads(_page("<p>示例：&amp;lt;script&amp;gt; 与 &lt;b&gt;。本年度主动公开信息12条。</p>"), kind="html")
    assert "&lt;script&gt;" in rep.text and "<b>" in rep.text and "<script>" not in rep.text


YAML_ATTACKS = [
    "!!python/object/apply:os.system ['echo pwned > {marker}']",
    "title: !!python/object/apply:os.system ['echo pwned > {marker}']\nsections: {{1: x}}\n",
    "!!python/object/new:subprocess.Popen [['sh', '-c', 'echo pwned > {marker}']]",
    "title: !!python/name:os.system\n",
    "a: !!python/module:os\n",
]


@pytest.mark.parametrize("attack", YAML_ATTACKS)
def test_yaml_python_tags_are_refused_and_never_executed(attack, tmp_path):
    marker = tmp_path / "pwned"
    p = tmp_path / "report.yaml"
    p.write_text(attack.format(marker=marker), encoding="utf-8")
    with pytest.raises(StructuredDataError) as e:
        rk.load(p)
    assert str(p) in str(e.value)
    assert not marker.exists()


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("use", ["sections: {{1: *a{top}}}", "title: *a{top}", "tables: {{requests: *a{top}}}",
                                 "text: *a{top}\nsections: []"])
def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(use, tmp_path):
    # 9^9 "lol"s if anything turned the aliased structure into text; safe_load itself shares them.
    p = tmp_path / "bomb.yaml"
    p.write_text(_alias_bomb() + use.format(top=8) + "\n", encoding="utf-8")
    with pytest.raises(StructuredDataError) as e:
        rk.load(p)
    assert str(p) in str(e.value)


@pytest.mark.parametrize("where", ["notes", "assets", "row"])
def test_an_alias_bomb_inside_a_full_form_is_refused_without_expanding_it(where, tmp_path):
    # Checks and error messages must not str() or repr() the aliased structure either.
    import yaml
    from reportkit.readers.structured import to_dict
    body = yaml.safe_dump(to_dict(rk.load(paths.CORPUS / "complete" / "009.txt")), allow_unicode=True,
                          sort_keys=False)
    body = {"notes": body.replace("notes: []", "notes:\n- kind: *a8\n", 1),
            "assets": body.replace("assets: []", "assets:\n- at: 0\n  section: 0\n  src: *a8\n", 1),
            "row": body.replace("row: 一、本年新收政府信息公开申请数量", "row: *a8", 1)}[where]
    p = tmp_path / "bomb.yaml"
    p.write_text(_alias_bomb() + body, encoding="utf-8")
    with pytest.raises(StructuredDataError) as e:
        rk.load(p)
    assert len(str(e.value)) < 300


@pytest.mark.parametrize("suffix,content", [
    (".yaml", "[" * 5000),
    (".json", "[" * 100000),
    (".json", '{"a":' * 50000 + "1" + "}" * 50000),
    (".yaml", "a: 2021-13-45\n"),
    (".yaml", "a: !!float x\n"),
    (".json", '{"text": "\\ud800 一、总体情况", "sections": []}'),
    (".json", "1" * 5000),
])
def test_structured_input_that_breaks_the_parser_is_a_structured_data_error(suffix, content, tmp_path):
    p = tmp_path / f"r{suffix}"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(StructuredDataError) as e:
        rk.load(p)
    assert str(p) in str(e.value) and "Traceback" not in str(e.value)


def test_a_file_over_the_limit_is_refused_with_a_clear_error_naming_it(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text(SEED, encoding="utf-8")
    size = p.stat().st_size
    with pytest.raises(TooLargeError) as e:
        rk.load(p, max_bytes=size - 1)
    msg = str(e.value)
    assert str(p) in msg and f"{size:,} bytes" in msg and f"{size - 1:,}" in msg
    assert "max_bytes" in msg and "REPORTKIT_MAX_BYTES" in msg
    assert rk.load(p, max_bytes=size).agency == "朔州市公安局"        # at the limit is fine


def test_the_size_limit_can_be_set_from_the_environment(tmp_path, monkeypatch):
    p = tmp_path / "r.txt"
    p.write_text(SEED, encoding="utf-8")
    monkeypatch.setenv("REPORTKIT_MAX_BYTES", "1000")
    with pytest.raises(TooLargeError, match="1,000 bytes"):
        rk.load(p)
    with pytest.raises(TooLargeError, match="size limit"):
        rk.loads(SEED)
    assert rk.load(p, max_bytes=10**6).year == 2021            # the argument wins over the environment
    monkeypatch.setenv("REPORTKIT_MAX_BYTES", "not a number")
    assert rk.load(p).year == 2021                              # a bad value falls back to the default


def test_the_default_limit_refuses_a_sparse_11_mb_file_without_reading_it(tmp_path):
    p = tmp_path / "sparse.txt"
    with open(p, "wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    with pytest.raises(TooLargeError, match="11,534,336 bytes"):
        rk.load(p)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_an_endless_device_is_refused_before_it_is_read():
    # /dev/zero reports size 0 and never ends: it is not a regular file, so it is never opened.
    with pytest.raises(rk.ReportError, match="/dev/zero.*not a regular file"):
        rk.load("/dev/zero", max_bytes=4096)


@pytest.mark.parametrize("path", ["a\x00b.txt", ""])
def test_an_unusable_path_is_a_report_error(path):
    with pytest.raises(rk.ReportError):
        rk.load(path)


def test_nul_bytes_make_an_encoding_error_naming_the_byte(tmp_path):
    p = tmp_path / "nul.txt"
    p.write_bytes(SEED.encode("utf-8")[:300] + b"\x00" * 200 + SEED.encode("utf-8")[300:])
    with pytest.raises(EncodingError) as e:
        rk.load(p)
    assert str(p) in str(e.value) and "byte 300" in str(e.value)


def test_a_bom_in_the_middle_is_kept_and_the_report_still_loads(tmp_path):
    p = tmp_path / "bom.txt"
    raw = SEED.encode("utf-8")
    cut = raw.index("二、主动公开".encode("utf-8"))
    p.write_bytes(b"\xef\xbb\xbf" + raw[:cut] + b"\xef\xbb\xbf" + raw[cut:])
    rep = rk.load(p)
    assert rep.text == SEED[:len(raw[:cut].decode())] + "\ufeff" + SEED[len(raw[:cut].decode()):]
    assert all(s.present for s in rep.sections)


def test_a_lone_surrogate_in_a_string_is_an_encoding_error():
    # It could never be written to a file or an export.
    with pytest.raises(EncodingError, match="surrogate"):
        rk.loads(SEED + "\ud800")


def test_deep_nesting_costs_no_recursion():
    for unit in ("<div>", "<table><tr><td>", "<ul><li>", "<b><i>"):
        rep = rk.loads(unit * 20000 + "一、总体情况 本年度主动公开信息12条。", kind="html")
        assert rep.section(1).present and [f.value for f in rep.facts] == [12]


@pytest.mark.parametrize("span", ["100000", "99999999999999999999", "-5", "x", "٣"])
def test_rowspan_and_colspan_that_overrun_the_table_are_clipped(span):
    page = _page("<p>本年度主动公开信息12条。</p>").replace("<td>", f'<td rowspan="{span}" colspan="{span}">', 3)
    rep = rk.loads(page, kind="html")
    assert rep.section(3).present and rep.tables["requests"] is not None


@pytest.mark.parametrize("markup, kept", [
    ("<p>一、总体情况</p>" + "<a" * 5000, "<a" * 5000),
    ("<p>一、总体情况</p>" + "</" * 5000, "</" * 5000),
    ("<p>一、总体情况</p>" + "<!--x>" * 2000, "<!--x>" * 2000),
    ("<p>一、总体情况</p>" + "<?" * 5000 + ">", ""),
    ("<p>一、总体情况</p><!-- closed -->" + "<!--" * 3000, "<!--" * 3000),
])
def test_openers_that_never_close_are_escaped_before_parsing(markup, kept):
    # After _defuse no "<" is left after the last ">" and no "<!--" after the last "-->": an opener
    # that never closes stays text, so an unclosed "<!--" cannot swallow the report after it.
    safe = htmlmod._defuse(markup)
    last_gt = safe.rfind(">")
    assert "<" not in safe[last_gt + 1:]
    closers = [m.start() for m in htmlmod._COMMENT_CLOSE.finditer(safe)]
    assert "<!--" not in safe[(closers[-1] - 3 if closers else 0):]
    assert htmlmod.flatten(markup).text == "一、总体情况\n" + kept
    assert rk.loads(markup, kind="html").section(1).present


def test_an_unclosed_comment_does_not_swallow_the_report_after_it():
    page = _page("<p>本年度主动公开信息12条。</p>").replace("<body>", "<body><p>导航<!-- 旧版", 1)
    rep = rk.loads(page, kind="html")
    assert [f.value for f in rep.facts if f.section == 1] == [12]
    assert all(rep.tables[t].has_numbers for t in ("proactive", "requests", "appeals"))


def test_an_unclosed_title_or_h1_collects_a_bounded_title():
    # An unclosed <h1> once appended every later text node to the title (quadratic string building).
    doc = htmlmod.flatten("<title>某局2022年政府信息公开工作年度报告" + "<b>正文</b>" * 5000)
    assert doc.title.startswith("某局2022年") and len(doc.title) <= htmlmod.MAX_TITLE
    doc = htmlmod.flatten("<h1>一、总体情况" + "<p>正文段落</p>" * 5000)
    assert len(doc.title) <= htmlmod.MAX_TITLE and doc.text.count("正文段落") == 5000


def test_fifty_thousand_heading_lines_choose_one_heading_per_section():
    # _increasing was quadratic in heading candidates; now linear (timed in bench_limits.py).
    text = "一、总体情况\n" * 50000 + "二、主动公开政府信息情况\n本年度主动公开信息12条。\n"
    rep = rk.loads(text)
    assert rep.section(1).start == 0 and rep.section(2).start == text.index("二、")
    assert rep.spans()[-1][1] == len(text)


def test_a_text_of_nothing_but_numbers_keeps_a_bounded_number_of_facts():
    # Each fact keeps its sentence (up to 800 characters): 8 MB of "1条" once took 2.4 GB.
    rep = rk.loads("一、总体情况 " + "发布1条 " * (MAX_FACTS + 500))
    assert len(rep.facts) == MAX_FACTS
    assert any(n["kind"] == "facts_truncated" for n in rep.notes)
    assert rk.loads(SEED).notes == []


# PDF decompression bombs (issue 15): pdfminer inflates each stream whole, so a file of a few hundred KB
# would take gigabytes. The streams are measured, in chunks and without keeping them, before pdfminer.

@pytest.mark.parametrize("shape,encrypted", [("plain", False), ("indirect", False), ("hex", False), ("long", False),
                                             ("escaped", False), ("twice", False), ("plain", True),
                                             ("indirect", True), ("twice", True)])
def test_a_pdf_decompression_bomb_is_refused_naming_its_object_before_pdfminer_inflates_it(shape, encrypted, tmp_path):
    from tests.fixtures.pdfs import pdf_bomb
    from reportkit.readers.pdf import INFLATE_FLOOR
    p = tmp_path / "bomb.pdf"
    p.write_bytes(pdf_bomb(INFLATE_FLOOR + 16 * 2**20, shape, encrypted=encrypted))
    assert p.stat().st_size < 2**20
    with pytest.raises(TooLargeError, match=r"bomb\.pdf: object 4 0: .*unpack to more than") as err:
        rk.load(p)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("encrypted", [False, True])
def test_a_pdf_whose_streams_unpack_within_the_bound_is_read_as_before(encrypted, tmp_path):
    # Under the bound the file reaches pdfminer: this one has no text, and says so.
    from tests.fixtures.pdfs import pdf_bomb
    p = tmp_path / "small.pdf"
    p.write_bytes(pdf_bomb(2**20, encrypted=encrypted))
    with pytest.raises(rk.ReportError, match="holds no text"):
        rk.load(p)


def test_the_stream_bound_leaves_room_for_the_real_pdf():
    from reportkit.readers.pdf import INFLATE_FLOOR, INFLATE_RATIO, check_streams
    data = (paths.CORPUS / "pdf" / "001.pdf").read_bytes()
    check_streams(data, "001.pdf", INFLATE_FLOOR + INFLATE_RATIO * len(data))
    # It unpacks to about 5× its size: a bound of 10× the file would still pass it, 2× would not.
    check_streams(data, "001.pdf", 10 * len(data))
    with pytest.raises(TooLargeError, match="001.pdf: object"):
        check_streams(data, "001.pdf", 2 * len(data))


def test_run_length_and_lzw_streams_are_measured_without_being_built():
    from reportkit.readers.pdf import _lzw_size, _rl_size
    from pdfminer.lzw import lzwdecode
    from pdfminer.runlength import rldecode
    rl = bytes([129, 0x20]) * 1000 + bytes([2]) + b"abc" + bytes([128])
    assert _rl_size(rl, 10**9) == len(rldecode(rl))
    # "ABABABA…" coded by hand: clear, then codes with the table growing (9-bit codes).
    codes = [256, 65, 66, 258, 260, 259, 262, 257]
    bits = "".join(format(c, "09b") for c in codes)
    lzw = int(bits + "0" * (-len(bits) % 8), 2).to_bytes((len(bits) + 7) // 8, "big")
    assert _lzw_size(lzw, 10**9) == len(lzwdecode(lzw))
    with pytest.raises(Exception):
        _rl_size(bytes([129, 0]) * 100, 1000)


def test_an_encrypted_pdf_is_deciphered_in_linear_time_to_the_same_text(tmp_path):
    # pdfminer's own RC4 is quadratic (a minute for one 1 MB stream); the reader's gives the same bytes.
    from pdfminer.arcfour import Arcfour
    from reportkit.readers.pdf import read_pdf, rc4
    from tests.fixtures.pdfs import pdf_bomb
    for n in (0, 1, 255, 4097):
        key, data = bytes(range(5, 10 + n % 7)), bytes((k * 37) & 255 for k in range(n))
        assert rc4(key, data) == Arcfour(key).decrypt(data)
    doc = read_pdf(pdf_bomb(2**20, encrypted=True, text="Report 2022"), "enc.pdf")
    assert doc.text.strip() == "Report 2022"

"""The notebooks' structure (fast: nothing is executed) and the build's HTML post-processing.

nbval executes the notebooks and compares the cells tagged ``nbval-check-output`` against their stored
outputs (``pytest notebooks/``); these tests pin what nbval cannot see: each notebook is thin, starts
with a title, purpose and ``parameters`` cell, was run top to bottom before it was committed, and shows
no error and no path of the machine it ran on. The build tests render synthetic notebooks, so they run
without a kernel.
"""

from __future__ import annotations

import ast
import base64
import io
import re
import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

from reportkit import notebooks as build, paths

NOTEBOOKS = build.notebook_paths()
NB_IDS = [p.name for p in NOTEBOOKS]
CHECK = "nbval-check-output"


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _text_of(output) -> str:
    if output.get("output_type") == "stream":
        t = output.get("text", "")
    else:
        t = "".join("".join(v) if isinstance(v, list) else str(v)
                    for k, v in output.get("data", {}).items() if k.startswith("text/"))
        t += output.get("evalue", "")
    return "".join(t) if isinstance(t, list) else t


def test_the_six_numbered_notebooks_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_opens_with_a_title_and_a_purpose_and_ends_with_a_conclusion(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell must be the H1 title"
    title, purpose = build.describe(nb)
    assert title.startswith(path.name[:2]), "the title carries the notebook's number"
    assert len(purpose) > 80, "the first Markdown cell needs a one-paragraph purpose"
    headings = [ln for c in nb.cells if c.cell_type == "markdown" for ln in c.source.splitlines()
                if ln.startswith("## ")]
    assert headings and headings[-1] == "## 结论", "the last section is the conclusion (结论), in Chinese like the rest"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_first_code_cell_is_the_papermill_parameters_cell_taking_paths_from_the_package(path):
    code = _code(_read(path))
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] is code[0]
    assert "paths." in params[0].source, "defaults come from reportkit.paths, not relative guesses"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_is_thin_and_imports_the_installed_package(path):
    code = _code(_read(path))
    imports_reportkit = False
    for cell in code:
        assert "sys.path" not in cell.source
        assert not re.search(r"""["']\.\.?/""", cell.source), f"relative path in: {cell.source[:80]}"
        magics = [ln for ln in cell.source.splitlines() if ln.lstrip().startswith(("%", "!"))]
        # the one magic allowed: %matplotlib inline, so chart Figures display as PNG (nbval ignores PNG)
        assert all(ln.strip() == "%matplotlib inline" for ln in magics), magics
        tree = ast.parse("\n".join("" if ln in magics else ln for ln in cell.source.splitlines()))
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)), \
                f"definition in a notebook (move it to src/reportkit): {cell.source[:80]}"
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "reportkit" for a in node.names):
                imports_reportkit = True
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "reportkit":
                imports_reportkit = True
    assert imports_reportkit


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_uses_the_python3_kernel(path):
    assert _read(path).metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_notebook_was_run_top_to_bottom_before_commit(path):
    counts = [c.execution_count for c in _code(_read(path))]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_stored_outputs_show_no_error_no_stderr_and_no_machine_local_path(path):
    local = set(build.local_paths()) | {str(paths.ROOT.parent), "file://"}
    local.discard("/")
    for i, cell in enumerate(_code(_read(path))):
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {i + 1}: {out.get('ename')}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"code cell {i + 1} writes to stderr: {out.text[:200]!r}"
            text = _text_of(out)
            hits = [m for m in local if m in text]
            assert not hits, f"code cell {i + 1} shows a machine-local path {hits}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_result_cells_are_checked_by_nbval_as_plain_text(path):
    checked = [c for c in _code(_read(path)) if CHECK in c.metadata.get("tags", [])]
    assert checked, "at least one cell's output must be compared by nbval"
    for c in checked:
        assert c.outputs, f"checked cell has no stored output: {c.source[:80]}"
        kinds = {k for o in c.outputs for k in o.get("data", {})}
        # nbval compares text/html and svg byte for byte: checked cells print compact text instead
        assert not kinds & {"text/html", "image/svg+xml", "application/pdf"}, c.source[:80]
        assert not any(re.search(r"0x[0-9a-f]{6,}", _text_of(o)) for o in c.outputs), "memory address"


# ---------------------------------------------------------------------------------------------------------
# The build's HTML: self-contained, escaped, fonts embedded (no kernel needed)

CDN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>
<link rel="stylesheet" href="https://cdn.example.org/x.css">
<link rel="stylesheet" href="//cdn.example.org/y.css">
<style>.ok{color:red}</style>
<!-- Load mathjax -->
<SCRIPT type="text/x-mathjax-config">
  MathJax.Hub.Config({});
</SCRIPT>
<script type="module">
  const m = await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs");
</script>
</head><body><pre>&lt;script&gt;alert(1)&lt;/script&gt; 朔州市公安局</pre>
<a href="https://www.gov.cn/">a link stays</a></body></html>"""


def test_clean_html_removes_every_script_and_external_stylesheet_but_keeps_escaped_text():
    out = build.clean_html(CDN_PAGE)
    assert "<script" not in out.lower()
    assert "cdnjs" not in out and "cdn.example.org" not in out and "MathJax" not in out
    assert "<style>.ok{color:red}</style>" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 朔州市公安局" in out
    assert '<a href="https://www.gov.cn/">a link stays</a>' in out


def _fake_executed_notebook():
    """A notebook as the build sees it after execution, with report text that looks like markup."""
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    md = v4.new_markdown_cell("# 99 · A test page\n\nWhat this page is for: showing 朔州市公安局 text safely "
                              "and offline.\n\n## Conclusion\n\nDone.")
    code = v4.new_code_cell("print(report_text)  # SOURCE-MARKER")
    code.execution_count = 1
    code.outputs = [v4.new_output("stream", name="stdout",
                                  text="二、主动公开政府信息情况 <script>alert('x')</script> <img src=x onerror=y>\n"),
                    v4.new_output("display_data", data={"image/png": base64.b64encode(b"\x89PNG fake").decode(),
                                                        "text/plain": "<Figure size 640x480 with 1 Axes>"})]
    nb.cells = [md, code]
    return nb


def test_render_html_is_offline_escapes_report_text_and_inlines_images():
    page = build.render_html(_fake_executed_notebook())
    assert "<script" not in page.lower()
    assert not re.search(r"""<(?:script|link|img)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page or "&lt;script&gt;alert('x')&lt;/script&gt;" in page
    assert "<img src=x onerror" not in page
    assert 'src="data:image/png;base64,' in page
    assert "SOURCE-MARKER" in page


@pytest.mark.parametrize("no_input", [False, True])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_render_html_gives_nbconvert_s_lab_page_without_its_slow_passes(path, no_input):
    # The build skips two whole-page passes of nbconvert (bleach over highlighted code, BeautifulSoup over
    # the page for alt text and tabindex) and adds those attributes itself: the page must not change.
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    nb = _read(path)
    stock = HTMLExporter(template_name="lab", embed_images=True)
    stock.exclude_input = stock.exclude_input_prompt = stock.exclude_output_prompt = no_input
    ours = build.render_html(nb, no_input=no_input, fonts=False)
    assert "No description" not in ours and (f'alt="{build.IMAGE_ALT}"' in ours) == ("<img" in ours)
    ours = ours.replace(f'alt="{build.IMAGE_ALT}"', 'alt="No description has been provided for this image"')
    blank_lines = re.compile(r"\n\s*\n+")
    expected = blank_lines.sub("\n", build.clean_html(stock.from_notebook_node(nb)[0])).strip()
    assert blank_lines.sub("\n", str(BeautifulSoup(ours, features="html.parser"))).strip() == expected


def test_render_html_no_input_hides_code():
    page = build.render_html(_fake_executed_notebook(), no_input=True)
    assert "SOURCE-MARKER" not in page
    assert "二、主动公开政府信息情况" in page


def test_render_html_embeds_the_chinese_glyphs_the_page_uses():
    from fontTools.ttLib import TTFont
    page = build.render_html(_fake_executed_notebook())
    fonts = re.findall(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    assert fonts, "no embedded font"
    cmaps = [TTFont(io.BytesIO(base64.b64decode(f))).getBestCmap() for f in fonts]
    cjk = next(c for c in cmaps if ord("朔") in c)
    for ch in "朔州市公安局主动公开政府信息情况":
        assert ord(ch) in cjk
    assert ord("龘") not in cjk, "only the glyphs the page uses are embedded"


def test_font_css_is_empty_for_a_page_without_chinese():
    assert build.font_css("plain ASCII page") == ""


def test_font_css_embeds_every_character_of_a_long_text_once_each_set():
    from fontTools.ttLib import TTFont
    # Code points are collected from the distinct characters (a build's pages are ~2 M characters):
    # a character seen once, deep in a long text, must still be in its subset.
    text = "x" * 200_000 + "朔" + "y" * 200_000 + "–·" + "z" * 10
    fonts = re.findall(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", build.font_css(text))
    cmaps = [TTFont(io.BytesIO(base64.b64decode(f))).getBestCmap() for f in fonts]
    assert any(ord("朔") in c for c in cmaps)
    mono = next(c for c in cmaps if ord("x") in c and ord("朔") not in c)
    assert ord("–") in mono and ord("·") in mono
    assert ord("龘") not in set().union(*cmaps)


def test_the_build_finds_its_monospace_font_without_importing_matplotlib():
    code = ("import sys; from reportkit import notebooks; from reportkit.fonts import mono_font_file; "
            "p = mono_font_file(); assert p and p.name == 'DejaVuSansMono.ttf', p; "
            "assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_index_lists_each_notebook_with_title_and_purpose_escaped(tmp_path):
    pages = [build.Page(tmp_path / "01-a.ipynb", tmp_path / "01-a.html", "01 · <b>Seed</b>", "读 & 看"),
             build.Page(tmp_path / "02-b.ipynb", tmp_path / "02-b.html", "02 · Gaps", "why", error="boom <x>")]
    page = build.index_html(pages)
    assert '<a href="01-a.html">01 · &lt;b&gt;Seed&lt;/b&gt;</a>' in page
    assert "读 &amp; 看" in page
    assert "boom &lt;x&gt;" in page
    assert "<script" not in page.lower()


def test_describe_takes_title_and_first_paragraph_of_the_first_markdown_cell():
    nb = _fake_executed_notebook()
    assert build.describe(nb) == ("99 · A test page",
                                  "What this page is for: showing 朔州市公安局 text safely and offline.")


def test_inject_parameters_goes_right_after_the_parameters_cell():
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# t"), v4.new_code_cell("REPORT = 'a'"), v4.new_code_cell("x = 1")]
    nb.cells[1].metadata["tags"] = ["parameters"]
    build.inject_parameters(nb, {"REPORT": "b.txt"})
    assert nb.cells[2].source.endswith("REPORT = 'b.txt'\n")
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert nb.cells[3].source == "x = 1"


def test_output_problems_names_errors_stderr_and_local_paths():
    nb = _fake_executed_notebook()
    nb.cells[1].outputs.append(v4.new_output("stream", name="stdout", text=f"wrote {paths.ROOT}/build/x.docx\n"))
    nb.cells[1].outputs.append(v4.new_output("stream", name="stderr", text="UserWarning: Glyph missing\n"))
    nb.cells[1].outputs.append(v4.new_output("error", ename="KeyError", evalue="'x'", traceback=[]))
    problems = build.output_problems(nb)
    assert any("machine-local path" in p for p in problems)
    assert any("stderr" in p for p in problems)
    assert any("KeyError" in p for p in problems)
    assert build.output_problems(_fake_executed_notebook()) == []


def test_kernel_is_this_interpreter_whatever_kernelspecs_are_installed():
    km = build.kernel_manager()
    assert km.kernel_spec.argv[0] == sys.executable
    assert km.kernel_spec.argv[1:3] == ["-m", "ipykernel_launcher"]


def test_build_is_a_reportkit_subcommand_with_its_options():
    from reportkit.cli import build as cli_build, build_parser
    args = build_parser().parse_args(["build", "--only", "03", "--no-input", "-j", "1",
                                      "-p", "REPORT='x.txt'"])
    assert args.only == ["03"] and args.no_input and args.jobs == 1 and args.param == [("REPORT", "x.txt")]
    assert args.func is cli_build._cmd_build


def test_index_shows_only_the_first_sentence_of_each_purpose(tmp_path):
    purpose = "Reads reportkit.check output on the seed. Then it says more that the index leaves out."
    page = build.index_html([build.Page(tmp_path / "01-a.ipynb", tmp_path / "01-a.html", "01 · A", purpose)])
    assert "Reads reportkit.check output on the seed." in page
    assert "leaves out" not in page


def test_tidy_merges_stream_chunks_so_stored_outputs_do_not_depend_on_timing():
    nb = _fake_executed_notebook()
    nb.cells[1].outputs = [v4.new_output("stream", name="stdout", text="a\n"),
                           v4.new_output("stream", name="stdout", text="b\n"),
                           v4.new_output("stream", name="stderr", text="w\n"),
                           v4.new_output("stream", name="stdout", text="c\n")]
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    build.tidy(nb)
    assert [(o.name, o.text) for o in nb.cells[1].outputs] == [("stdout", "a\nb\n"), ("stderr", "w\n"),
                                                                ("stdout", "c\n")]
    assert "execution" not in nb.cells[1].metadata

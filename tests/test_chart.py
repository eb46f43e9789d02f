"""Charts: Chinese glyphs from the bundled font on a machine with no CJK font, every chart drawing the
real data of the seed, the corpus and synthetic reports, and SVG output that repeats byte for byte."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_rgba
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

import reportkit as rk
from reportkit import chart, paths
from reportkit.format import spec
from reportkit.reconstruct import reconstruct
from reportkit.layout import render_text

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES

CJK = range(0x3400, 0xA000)


def _synthetic(seed: int = 3):
    data = {"agency": "丰桥市交通运输局", "year": 2022,
            "sections": {1: "本年度共发布信息120条，其中政策解读15篇，回复率为100%。", 5: "存在的问题。",
                         6: "本年度未收取信息处理费。"},
            "tables": complete_tables(seed)}
    report = rk.loads(render_text(data, "pipe"), "synthetic.txt")
    return report, reconstruct(report), data["tables"]


@pytest.fixture(scope="module")
def ctx(seed):
    """Everything the charts draw: the seed, a complete synthetic report and the real corpus."""
    reports = [(p, rk.load(p)) for p in CORPUS_FILES]
    syn, syn_rec, syn_tables = _synthetic()
    return {
        "seed": seed, "seed_rec": reconstruct(seed), "syn": syn, "syn_rec": syn_rec, "syn_tables": syn_tables,
        "corpus_rec": reconstruct(rk.load(paths.CORPUS / "015.txt")),
        "completeness": pd.DataFrame([{"agency": r.agency or p.stem, "year": r.year,
                                       "completeness": rk.completeness(r)} for p, r in reports]),
        "findings": pd.concat([rk.check(r).assign(source=p.name) for p, r in reports], ignore_index=True),
    }


CHARTS = {
    "gaps-seed": lambda c: chart.gap_chart(rk.gaps(c["seed"]), c["seed_rec"]),
    "gaps-synthetic": lambda c: chart.gap_chart(rk.gaps(c["syn"])),
    "facts-seed": lambda c: chart.facts_chart(c["seed"]),
    "facts-synthetic": lambda c: chart.facts_chart(c["syn_rec"]),
    "outcomes-seed": lambda c: chart.outcomes_chart(c["seed_rec"]),
    "outcomes-synthetic": lambda c: chart.outcomes_chart(c["syn_rec"]),
    "provenance-seed": lambda c: chart.provenance_chart(c["seed_rec"]),
    "provenance-corpus": lambda c: chart.provenance_chart(c["corpus_rec"]),
    "completeness-corpus": lambda c: chart.completeness_chart(c["completeness"]),
    "findings-corpus": lambda c: chart.findings_chart(c["findings"]),
}


def _by_gid(fig, gid: str):
    hits = [a for a in fig.findobj() if a.get_gid() == gid]
    assert len(hits) == 1, f"{len(hits)} artists with gid {gid}"
    return hits[0]


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


# ------------------------------------------------------------------------------------------------ font

def test_importing_and_registering_change_no_global_setting_and_do_not_import_zhplot():
    # A fresh interpreter, so nothing another test did can hide a global side effect.
    code = textwrap.dedent("""
        import sys, matplotlib
        from matplotlib import font_manager as fm
        def rc():
            return {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
        before = rc()
        import reportkit.chart as c
        assert rc() == before, "importing reportkit.chart changed rcParams"
        assert not any(f.fname.endswith("NotoSansSC-Regular.ttf") for f in fm.fontManager.ttflist)
        name = c.use_cjk_font()
        assert rc() == before, "use_cjk_font changed rcParams"
        import reportkit as rk
        c.facts_chart(rk.load(rk.paths.SEED_TEXT))
        assert rc() == before, "drawing a chart leaked its style"
        assert "zhplot" not in sys.modules, "zhplot was imported (it sets font.family globally)"
        print(name)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Noto Sans SC"


def test_bundled_font_resolves_to_the_packaged_file_and_covers_report_vocabulary():
    name = chart.use_cjk_font()
    path = chart.font_path()
    assert path.name == chart.FONT_FILE and path.parent.parent.name == chart.FONT_PACKAGE
    found = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert found == str(path)
    cmap = FT2Font(str(path)).get_charmap()
    words = "政府信息公开工作年度报告缺项概览勾稽推算仅知范围无数据【】（）·…—“”％"
    assert [ch for ch in words if ord(ch) not in cmap] == []


def test_bundled_font_alone_draws_every_character_of_the_format_rules_and_real_reports():
    # Charts have no fallback family (a second one costs a font lookup per text), so anything a label can
    # show (official labels, rule names, agency names and nouns from real reports) must be in Noto Sans SC.
    assert chart.rc()["font.family"] == [chart.use_cjk_font()]
    cmap = FT2Font(str(chart.font_path())).get_charmap()
    package_data = Path(chart.__file__).parent / "data"
    texts = [(package_data / n).read_text(encoding="utf-8") for n in ("format.yaml", "rules.yaml")]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in CORPUS_FILES if p.suffix == ".txt"]
    missing = sorted({ch for t in texts for ch in t if ord(ch) >= 0x20 and ord(ch) not in cmap} - {"\ufffd"})
    assert missing == []


def test_registering_twice_adds_the_font_once():
    chart.use_cjk_font()
    chart.use_cjk_font()
    path = str(chart.font_path())
    assert sum(f.fname == path for f in font_manager.fontManager.ttflist) == 1


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_draws_chinese_with_the_bundled_font_and_no_missing_glyph(ctx, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # "Glyph … missing from font(s)" fails the test
        fig = CHARTS[name](ctx)
        # Saved outside reportkit's style on purpose: a notebook's display hook draws there too.
        chart.save_svg(fig, io.BytesIO())
        chart.save_png(fig, io.BytesIO())
    bundled = str(chart.font_path())
    cmap = FT2Font(bundled).get_charmap()
    texts = [t for t in fig.findobj(Text) if t.get_text()]
    assert any(ord(ch) in CJK for ch in fig.get_suptitle()), "title is not Chinese"
    for t in texts:
        used = font_manager.findfont(t.get_fontproperties())
        if any(ord(ch) in CJK for ch in t.get_text()):
            assert used == bundled, f"{t.get_text()!r} is drawn with {used}"
            assert [ch for ch in t.get_text() if ord(ch) in CJK and ord(ch) not in cmap] == []


@pytest.mark.parametrize("name", ["gaps-seed", "facts-seed", "outcomes-synthetic", "findings-corpus"])
def test_ticks_made_by_a_draw_outside_the_style_still_use_the_charts_font(ctx, name):
    # A chart is not drawn when it is made: a notebook's display hook draws it later, under the
    # caller's rcParams (here another font), and that draw makes the ticks of automatic locators
    # (percentages, counts). They must still be in the chart's font, like every other text.
    fig = CHARTS[name](ctx)
    with matplotlib.rc_context({"font.family": ["DejaVu Serif"], "font.size": 20}):
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    family = chart.use_cjk_font()
    ticks = [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels() if t.get_text()]
    assert any(not any(ord(ch) in CJK for ch in t.get_text()) for t in ticks), "no numeric tick drawn"
    wrong = sorted({(t.get_text(), t.get_fontfamily()[0], t.get_fontsize()) for t in fig.findobj(Text)
                    if t.get_text() and (t.get_fontfamily()[0] != family or t.get_fontsize() >= 20)})
    assert wrong == []


@pytest.mark.parametrize("name", CHARTS)
def test_two_renders_of_a_chart_give_identical_svg_bytes(ctx, name):
    a, b = io.BytesIO(), io.BytesIO()
    chart.save_svg(CHARTS[name](ctx), a)
    chart.save_svg(CHARTS[name](ctx), b)
    assert a.getvalue() == b.getvalue()
    assert b"<dc:date>" not in a.getvalue()


def test_save_helpers_write_files_and_create_folders(tmp_path, seed):
    fig = chart.facts_chart(seed)
    chart.save_svg(fig, tmp_path / "a" / "facts.svg")
    chart.save_png(fig, tmp_path / "b" / "facts.png")
    assert (tmp_path / "a" / "facts.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "b" / "facts.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------- gap chart

def test_seed_gap_chart_shows_empty_sections_missing_tables_and_the_prose_zeros(ctx):
    rec = ctx["seed_rec"]
    fig = chart.gap_chart(rk.gaps(ctx["seed"]), rec)
    for n in (2, 3, 4, 6):
        assert _by_gid(fig, f"section.{n}").get_facecolor() == to_rgba(chart.PALETTE["empty"])
    for n in (1, 5):
        assert _by_gid(fig, f"section.{n}").get_facecolor() == to_rgba(chart.PALETTE["present"])
    assert _by_gid(fig, "proactive.missing").get_width() == pytest.approx(1.0)
    assert _by_gid(fig, "appeals.missing").get_width() == pytest.approx(1.0)
    # 一（二） says no application was received: the reconstruction fills 本年新收 from the prose.
    prose = sum(e.provenance == "stated-prose" for (t, _, _), e in rec.cells.items() if t == "requests")
    assert prose == 7
    assert _by_gid(fig, "requests.stated-prose").get_width() == pytest.approx(7 / 175)
    assert _by_gid(fig, "requests.missing").get_width() == pytest.approx(168 / 175)
    assert "缺失" in _texts(fig) and "正文说明" in _texts(fig)


def test_gap_chart_without_reconstruction_shows_what_the_text_has(ctx):
    fig = chart.gap_chart(rk.gaps(ctx["seed"]))
    assert _by_gid(fig, "requests.missing").get_width() == pytest.approx(1.0)
    full = chart.gap_chart(rk.gaps(ctx["syn"]))
    for tid in ("proactive", "requests", "appeals"):
        assert _by_gid(full, f"{tid}.present").get_width() == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------- facts chart

def test_seed_facts_chart_has_one_bar_per_fact_in_one_panel_per_unit(seed):
    fig = chart.facts_chart(seed)
    bars = [a for a in fig.findobj() if str(a.get_gid()).startswith("fact.")]
    assert len(bars) == len(seed.facts) == 10
    assert sorted(b.get_width() for b in bars) == sorted(f.value for f in seed.facts)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["单位：部", "单位：条", "单位：%", "单位：件"]
    assert {"284条", "418条", "4133件"} <= set(_texts(fig))
    # Each bar is labelled by what its number counts, never by a chopped sentence fragment.
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert {"便民服务电话", "各类信息", "回复率", "办结率"} <= set(labels)
    assert len(labels) == len(set(labels))                       # 群众满意度 twice, told apart
    assert not {"陆续发布并更新维护全市公安机关", "回复率为", "回复"} & set(labels)
    assert "回复（市局门户网站诉求）" in labels                # a bare verb borrows what its sentence counts


def test_a_prose_number_whose_text_does_not_say_what_it_counts_is_not_charted():
    report = rk.loads("一、总体情况\n本年度共发布120条。全年为5件。\n", "x.txt")
    assert [f.text for f in report.facts] == ["120条", "5件"]
    assert chart.fact_labels(report) == {}
    assert chart.NO_DATA in _texts(chart.facts_chart(report))


def test_facts_chart_of_a_report_without_prose_numbers_says_no_data():
    rep = rk.loads(render_text({"agency": "某局", "year": 2021, "sections": {1: "认真做好公开工作。"}}), "x.txt")
    assert rep.facts == []
    assert chart.NO_DATA in _texts(chart.facts_chart(rep))


# -------------------------------------------------------------------------------------- outcomes chart

def test_outcomes_chart_of_the_seed_says_no_data(ctx):
    fig = chart.outcomes_chart(ctx["seed_rec"])
    assert any(chart.NO_DATA in t for t in _texts(fig))
    assert not [a for a in fig.findobj() if str(a.get_gid()).startswith("requests.")]


def _outcome_rows(version="2021"):
    ident = next(i for i in spec().version(version).identities if i.id == "requests_results_sum")
    return [r for r, _ in ident.equations[0][1]]


def test_outcomes_chart_bars_are_the_table_values(ctx):
    fig = chart.outcomes_chart(ctx["syn_rec"])
    for rid in _outcome_rows():
        assert _by_gid(fig, f"requests.{rid}.total").get_width() == ctx["syn_tables"]["requests"][(rid, "total")]


def test_outcomes_chart_never_draws_an_unknown_row_as_zero():
    _, rec, _ = _synthetic(5)
    gone = ["granted", "withheld_process", "np_mass"]
    for rid in gone:
        est = rec.cells[("requests", rid, "total")]
        est.value, est.low, est.high, est.provenance = None, 0, None, "unknown"
    fig = chart.outcomes_chart(rec)
    for rid in gone:
        assert not [a for a in fig.findobj() if a.get_gid() == f"requests.{rid}.total"]
    assert _texts(fig).count(chart.NO_DATA) == len(gone)


# ------------------------------------------------------------------------------------ provenance chart

@pytest.mark.parametrize("which", ["seed_rec", "corpus_rec", "syn_rec"])
def test_provenance_chart_colours_every_cell_by_its_provenance(ctx, which):
    rec = ctx[which]
    fig = chart.provenance_chart(rec)
    for (tid, rid, cid), est in rec.cells.items():
        cell = _by_gid(fig, f"{tid}.{rid}.{cid}")
        assert cell.get_facecolor() == to_rgba(chart.PALETTE[chart.provenance_of(est)]), (tid, rid, cid)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert set(legend) == {chart.LABELS[chart.provenance_of(e)] for e in rec.cells.values()}


def test_corpus_report_provenance_shows_table_inferred_and_bounded_cells(ctx):
    kinds = {chart.provenance_of(e) for e in ctx["corpus_rec"].cells.values()}
    assert {"stated-table", "inferred", "unknown"} <= kinds
    texts = _texts(chart.provenance_chart(ctx["corpus_rec"]))
    assert {"表格填报", "勾稽推算"} <= set(texts)


# ------------------------------------------------------------------------------------ many-report charts

def test_completeness_chart_writes_a_percentage_per_report_and_a_dash_for_no_report():
    frame = pd.DataFrame({"agency": ["甲局", "甲局", "乙局"], "year": [2021, 2022, 2021],
                          "completeness": [0.85, 1.0, 0.0]})
    fig = chart.completeness_chart(frame)
    texts = _texts(fig)
    assert {"85%", "100%", "0%", "—", "2021年", "2022年", "甲局", "乙局"} <= set(texts)
    assert texts.count("—") == 1


def test_completeness_chart_of_the_corpus_has_one_cell_per_agency_and_year(ctx):
    frame = ctx["completeness"]
    fig = chart.completeness_chart(frame)
    cells = [a for a in fig.findobj() if str(a.get_gid()).startswith("completeness.")]
    assert len(cells) == frame["agency"].nunique() * frame["year"].nunique(dropna=False)
    # A report whose year could not be read gets its own column instead of vanishing.
    assert frame["year"].isna().any() and "年份不详" in _texts(fig)
    assert "2022年" in _texts(fig)


def test_findings_chart_counts_findings_and_reports_per_rule(ctx):
    findings = ctx["findings"]
    fig = chart.findings_chart(findings)
    for rule, n in findings["rule"].value_counts().items():
        assert _by_gid(fig, f"rule.{rule}").get_width() == n
        reports = findings.loc[findings["rule"] == rule, "source"].nunique()
        assert f"{n}（{reports}份报告）" in _texts(fig)


def test_every_rule_has_a_chinese_name_and_no_chart_label_is_an_english_rule_id(ctx):
    names = chart.rule_names()
    every = set(rk.rules()["id"]) | set(__import__("reportkit.corpus", fromlist=["rules"]).rules()["id"])
    assert set(names) == every
    assert all(re.search("[\u4e00-\u9fff]", n) and not re.search("[A-Za-z_]", n) for n in names.values())
    fig = chart.findings_chart(ctx["findings"])
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()] + _texts(fig)
    assert not [x for x in labels if x in every or re.fullmatch(r"[a-z]+(_[a-z]+)+", x)]


def test_completeness_chart_rows_are_the_agencies_the_loader_reads_with_the_overrides():
    from reportkit import corpus
    c = corpus.load_corpus(paths.CORPUS, workers=1)
    fig = chart.completeness_chart(c.reports)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert not [r for r in rows if "/" in r or r.endswith(".txt") and not r.startswith("机关不详")]
    assert "湛江开发区公安（分）局" in rows                         # from data/agency-overrides.csv
    # One agency, one row: its reports of different years share it.
    assert len(rows) == len(set(rows)) == c.reports["agency"].fillna(c.reports["source"]).nunique()


def test_findings_chart_of_no_findings_says_no_data():
    empty = pd.DataFrame(columns=["rule", "severity", "message"])
    assert any(chart.NO_DATA in t for t in _texts(chart.findings_chart(empty)))
    assert chart.NO_DATA in _texts(chart.completeness_chart(pd.DataFrame(columns=["agency", "year", "completeness"])))


def test_charts_leave_the_callers_rcparams_alone(seed):
    before = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    chart.facts_chart(seed)
    with chart.style():
        assert matplotlib.rcParams["font.family"][0] == chart.use_cjk_font()
    assert {k: v for k, v in matplotlib.rcParams.items() if k != "backend"} == before

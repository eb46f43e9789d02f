"""Many reports: loading a folder (bad files listed, never fatal), the tidy tables, cross-year checks,
copy detection, overrides, Parquet and the ``reportkit corpus`` command."""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import random

import pandas as pd
import pytest

import reportkit as rk
from reportkit import cli, paths
from reportkit import corpus as rkc
from reportkit.corpus import Corpus, level_of, load_corpus, read_overrides
from reportkit.errors import ReportError
from reportkit.corpus.copies import compare_texts, find_copies

from tests.fixtures.synth import _shift_years, make_corpus

from .conftest import CORPUS_FILES

HAS_FORK = "fork" in mp.get_all_start_methods()


def _name(source: str) -> str:
    return os.path.basename(source)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The seed, every real report (data/corpus with complete/ and the .json beside each), 40 synthetic
    reports, and planted trouble: an empty file, a binary file, a GBK copy of the seed, a non-report."""
    folder = tmp_path_factory.mktemp("mixed")
    make_corpus(folder / "synth", 40, seed=3, bad_files=0)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"%PDF-1.4\n\x00\x00" + bytes(range(256)) * 8)
    (folder / "notice.txt").write_text("关于开展安全生产月活动的通知\n各单位：请于6月30日前报送活动总结。\n特此通知。\n",
                                       encoding="utf-8")
    seed_text = paths.SEED_TEXT.read_text(encoding="utf-8")
    (folder / "seed-gbk.txt").write_bytes(seed_text.replace("\u2002", " ").encode("gbk"))
    c = load_corpus([paths.SEED_TEXT, paths.CORPUS, folder], workers=2, progress=False)
    return folder, c


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """120 synthetic files: agencies over four years with planted breaks, stale tables and copies."""
    folder = tmp_path_factory.mktemp("synthetic")
    manifest = make_corpus(folder, 120, seed=11, bad_files=3, copy_share=0.05, cross_copy_share=0.03,
                           break_share=0.05, stock_break_share=0.03, stale_share=0.04)
    c = load_corpus(folder, workers=2, overrides=None, progress=False)
    return folder, manifest.set_index("file"), c


# -- loading ------------------------------------------------------------------------------------------

def test_bad_files_are_listed_once_each_with_their_error_and_the_rest_loads(mixed):
    folder, c = mixed
    errors = {_name(s): (e, m) for s, e, m in zip(c.errors["source"], c.errors["error"], c.errors["message"])}
    assert set(errors) == {"empty.txt", "binary.txt", "notice.txt"}
    assert errors["empty.txt"][0] == "EmptyReportError"
    assert errors["binary.txt"][0] == "EncodingError"
    assert errors["notice.txt"][0] == "NotAReportError"
    for source, message in zip(c.errors["source"], c.errors["message"]):
        assert message.startswith(source)         # a ReportError's message, as is: it names the file
    assert (c.errors["stage"] == "load").all()
    # seed + its GBK copy + the real reports (text and web pages, CORPUS_FILES) + the real PDF + 40 synthetic
    assert len(c.reports) == 2 + len(CORPUS_FILES) + len(list(paths.CORPUS.glob("pdf/*.pdf"))) + 40
    assert c.info["failed"] == 3


def test_gbk_file_loads_like_its_utf8_original(mixed):
    _, c = mixed
    r = c.reports.set_index("file")
    gbk, seed = r.loc["seed-gbk.txt"], r.loc[paths.SEED_TEXT.name]
    assert (gbk["agency"], gbk["year"]) == ("朔州市公安局", 2021) == (seed["agency"], seed["year"])
    assert gbk["sections_present"] == seed["sections_present"] == "一二三四五六"
    assert gbk["sections_empty"] == seed["sections_empty"] == "二三四六"


def test_facts_json_beside_a_report_is_not_taken_for_a_report(mixed):
    _, c = mixed
    loaded = set(c.reports["source"]) | set(c.errors["source"])
    assert not any(s.endswith(".json") for s in loaded)
    assert {str(p) for p in CORPUS_FILES} <= loaded


def test_cells_table_is_every_reports_own_long_form(mixed):
    _, c = mixed
    picked = c.reports[c.reports["source"].isin([str(p) for p in CORPUS_FILES[-4:]] + [str(paths.SEED_TEXT)])]
    for row in picked.itertuples():
        own = rk.load(row.source).cells_frame()
        got = c.cells[c.cells["report_id"] == row.report_id].reset_index(drop=True)
        assert len(got) == len(own) == row.cells_required
        for col in ("table", "row_id", "column_id", "row", "column", "state"):
            assert list(got[col].astype(str)) == list(own[col].astype(str)), col
        pairs = zip(got["value"], own["value"])
        assert all((pd.isna(a) and pd.isna(b)) or a == b for a, b in pairs)
        assert [None if pd.isna(x) else x for x in got["raw"]] == [None if pd.isna(x) else x for x in own["raw"]]
        assert [None if pd.isna(x) else int(x) for x in got["start"]] == \
               [None if pd.isna(x) else int(x) for x in own["start"]]
        assert row.cells_value == int((got["state"] == "value").sum())


def test_facts_and_sections_point_into_the_original_text(mixed):
    _, c = mixed
    src = str(CORPUS_FILES[-1])
    text = rk.load(src).text
    facts = c.facts[c.facts["source"] == src]
    assert len(facts) > 0
    for f in facts.itertuples():
        assert text[f.start:f.end] == f.text
    secs = c.sections[c.sections["source"] == src].set_index("number")
    five = secs.loc[5]
    assert five["present"] and text[five["body_start"]:five["end"]] == five["text"]
    assert pd.isna(secs.loc[3, "text"])           # table sections keep their span, not their text


def test_an_exception_in_the_loader_becomes_an_error_row(tmp_path, monkeypatch):
    make_corpus(tmp_path, 10, seed=5, bad_files=0)
    loadmod = importlib.import_module("reportkit.corpus.pool")    # where the workers call load
    real = loadmod.load

    def flaky(path, **kw):
        if str(path).endswith("r00003.txt") or str(path).endswith("r00003.html"):
            raise RuntimeError("boom")
        return real(path, **kw)

    monkeypatch.setattr(loadmod, "load", flaky)
    c = load_corpus(tmp_path, workers=1, copies=False, progress=False)
    assert len(c.errors) == 1
    e = c.errors.iloc[0]
    assert e["file"].startswith("r00003") and e["error"] == "RuntimeError" and "boom" in e["message"]
    assert len(c.reports) == 9


def test_a_failing_check_keeps_the_report_and_records_the_error(tmp_path, monkeypatch):
    make_corpus(tmp_path, 8, seed=6, bad_files=0)

    def checker(rep):
        if rep.source.endswith(("r00002.txt", "r00002.html")):
            raise ValueError("rule exploded")
        return []

    monkeypatch.setattr(rkc.pool, "_check_function", lambda: checker)
    c = load_corpus(tmp_path, workers=1, copies=False, progress=False)
    assert len(c.reports) == 8
    assert list(c.errors["stage"]) == ["check"] and "rule exploded" in c.errors.iloc[0]["message"]
    assert "could not be checked" in c.summary()


@pytest.mark.skipif(not HAS_FORK, reason="the test plants the crash through a fork-inherited patch")
def test_a_worker_that_dies_is_named_and_the_others_still_load(tmp_path, monkeypatch):
    make_corpus(tmp_path, 12, seed=8, bad_files=0)
    loadmod = importlib.import_module("reportkit.corpus.pool")    # where the workers call load
    real = loadmod.load

    def deadly(path, **kw):
        if str(path).endswith(("r00005.txt", "r00005.html")):
            os._exit(3)                       # the worker process dies without a Python exception
        return real(path, **kw)

    monkeypatch.setattr(loadmod, "load", deadly)
    c = load_corpus(tmp_path, workers=2, copies=False, check=False, progress=False)
    assert list(c.errors["error"]) == ["WorkerDied"] and c.errors.iloc[0]["file"].startswith("r00005")
    assert len(c.reports) == 11


def test_no_progress_bar_unless_asked_when_stderr_is_not_a_terminal(tmp_path, capsys):
    make_corpus(tmp_path, 10, seed=9, bad_files=0)
    load_corpus(tmp_path, workers=1, copies=False)
    assert "loading" not in capsys.readouterr().err
    load_corpus(tmp_path, workers=1, copies=False, progress=True)
    assert "loading" in capsys.readouterr().err


# -- metadata -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,hints,level", [
    ("朔州市公安局", None, "department"),
    ("浑南区国资局", None, "department"),
    ("桃江县人民政府办公室", None, "department"),
    ("平潭综合实验区财政金融局", None, "department"),
    ("卫生健康委员会", None, "department"),
    ("桃江县松木塘镇人民政府", None, "town"),
    ("螅镇", None, "town"),
    ("西岭乡人民政府", None, "town"),
    ("历下区大明湖街道办事处", None, "town"),
    ("桃江县人民政府", None, "county"),
    ("浑南区人民政府", None, "county"),
    ("苏州市昆山市人民政府", None, "county"),
    ("延边朝鲜族自治州人民政府", None, "city"),
    ("上海市", None, "province"),
    ("山西省人民政府", None, "province"),
    ("广西壮族自治区人民政府", None, "province"),
    ("丰桥市人民政府", (True, False), "city"),
    ("丰桥市人民政府", (False, True), "county"),
    ("丰桥市人民政府", (False, False), None),
    ("平潭综合实验区", None, None),
    (None, None, None),
])
def test_level_from_the_agency_name_and_the_text(name, hints, level):
    got, basis = level_of(name, hints=hints)
    assert got == level
    assert basis                                  # always says why


def test_level_of_a_city_report_reads_its_text():
    assert level_of("丰桥市人民政府", text="本报告汇总了全市各县（市、区）的情况")[0] == "city"
    assert level_of("丰桥市人民政府", text="本报告汇总了全市各镇（街道）的情况")[0] == "county"


def test_synthetic_metadata_is_read_from_the_text(synthetic):
    _, manifest, c = synthetic
    r = c.reports.set_index("file")
    rows = manifest[manifest["kind"] == "report"]
    assert (r.loc[rows.index, "agency"] == rows["agency"]).all()
    assert (r.loc[rows.index, "year"] == rows["year"]).all()
    assert (r.loc[rows.index, "level"].astype(object) == rows["level"]).all()


def test_override_file_sets_agency_year_and_level(mixed, tmp_path):
    _, c = mixed
    r = c.reports.set_index("file")
    # data/agency-overrides.csv: the 005 mirror copy has neither title nor period in its text
    assert rk.load(paths.CORPUS / "005.txt").agency is None
    assert r.loc["005.txt", ["agency", "year", "level", "agency_from"]].tolist() == \
        ["湛江开发区公安（分）局", 2021, "department", "override"]
    csv = tmp_path / "o.csv"
    csv.write_text("pattern,agency,year,level,note\n#comment,,,,\n"
                   "complete/003.txt,,,city,zone run like a city (test)\n"
                   "006.txt,汕尾市公安局,2022,,a later row wins\n006.txt,,2021,,\n", encoding="utf-8")
    c2 = load_corpus(paths.CORPUS, workers=1, copies=False, check=False, overrides=csv)
    r2 = c2.reports.set_index("source")
    row = r2.loc[str(paths.CORPUS / "complete" / "003.txt")]
    assert (row["level"], row["level_basis"], row["agency"]) == ("city", "override", "平潭综合实验区")
    assert r2.loc[str(paths.CORPUS / "006.txt"), "year"] == 2021
    assert pd.isna(r2.loc[str(paths.CORPUS / "011.txt"), "override"])


def test_a_bad_override_row_is_rejected_with_its_line(tmp_path):
    csv = tmp_path / "o.csv"
    csv.write_text("pattern,agency,year,level\n*.txt,,2021,village\n", encoding="utf-8")
    with pytest.raises(ReportError, match="line 2"):
        read_overrides(csv)
    csv.write_text("file,agency\nx,y\n", encoding="utf-8")
    with pytest.raises(ReportError, match="pattern"):
        read_overrides(csv)


# -- cross-year checks --------------------------------------------------------------------------------

def _flagged(c, rule):
    f = c.findings[c.findings["rule"] == rule]
    return f.assign(file=f["source"].map(_name))


def test_carry_over_breaks_are_found_exactly_where_planted(synthetic):
    _, manifest, c = synthetic
    planted = manifest[manifest["carry_break"].notna()]
    assert len(planted) >= 3
    f = _flagged(c, "carry_over_mismatch")
    assert set(f["file"]) == set(planted.index)          # and no honest year pair flagged
    for file, col in planted["carry_break"].items():
        assert set(f.loc[f["file"] == file, "column"]) == {col, "total"}
    assert (f["basis"] == "convention").all() and f["message"].str.contains("惯例").all()
    assert (f["row"] == "carried_in").all() and (f["section"] == 3).all()


def test_a_carry_over_finding_points_at_the_cell_it_names(synthetic):
    folder, manifest, c = synthetic
    f = _flagged(c, "carry_over_mismatch").iloc[0]
    rep = rk.load(f["source"])
    cell = rep.tables["requests"].cells[("carried_in", f["column"])]
    assert (f["start"], f["end"]) == (cell.start, cell.end)
    assert f["evidence"] == rep.text[cell.start:cell.end]


def test_stock_breaks_and_stale_tables_are_found_exactly_where_planted(synthetic):
    _, manifest, c = synthetic
    stock = set(manifest.index[manifest["stock_break"]])
    stale = set(manifest.index[manifest["stale"].notna()])
    assert stock and stale
    assert set(_flagged(c, "stock_mismatch")["file"]) == stock
    got = _flagged(c, "stale_table")
    assert set(got["file"]) == stale and set(got["table"]) == {"appeals"}


def test_cross_report_findings_have_the_check_columns_plus_source(synthetic):
    _, _, c = synthetic
    assert list(c.findings.columns) == ["source"] + rkc.FINDING_COLUMNS
    assert set(rkc.rules()["id"]) >= set(c.findings["rule"]) - set(_single_rules())


def _single_rules():
    try:
        from reportkit.check import rules
    except ImportError:
        return []
    return list(rules()["id"])


# -- copy detection -----------------------------------------------------------------------------------

def _planted_pairs(manifest):
    rows = manifest[manifest["copy_of"].notna()]
    return {(src, dst): kind for dst, src, kind in zip(rows.index, rows["copy_of"], rows["copy_kind"])}


def test_planted_copied_section_five_is_found_and_only_the_years_changed(synthetic):
    _, manifest, c = synthetic
    planted = {k: v for k, v in _planted_pairs(manifest).items() if v == "same_agency"}
    assert len(planted) >= 3
    copies = c.copies.assign(a=c.copies["source_a"].map(_name), b=c.copies["source_b"].map(_name))
    for (src, dst) in planted:
        hit = copies[(copies["a"] == src) & (copies["b"] == dst) & (copies["section"] == 5)]
        assert len(hit) == 1, (src, dst)
        row = hit.iloc[0]
        y = int(manifest.loc[dst, "year"])
        assert row["only_years_changed"] and row["kind"] == "same_agency"
        assert list(row["year_changes"]) == [f"{y - 1}→{y}", f"{y}→{y + 1}"]
        # the copied spans quote the same words in both reports
        ta, tb = rk.load(row["source_a"]).text, rk.load(row["source_b"]).text
        assert len(row["spans_b"]) >= 2
        for (sa, ea), (sb, eb) in zip(row["spans_a"], row["spans_b"]):
            assert ta[sa:ea] == tb[sb:eb]


def test_a_copy_from_another_agency_is_found_and_not_called_a_year_change(synthetic):
    _, manifest, c = synthetic
    planted = {k for k, v in _planted_pairs(manifest).items() if v == "cross_agency"}
    assert planted
    got = {frozenset((_name(a), _name(b))): r for a, b, r in
           zip(c.copies["source_a"], c.copies["source_b"], c.copies.itertuples())}
    for src, dst in planted:
        r = got[frozenset((src, dst))]
        # the agency's name was swapped where the text used it; "我单位" texts come over unchanged
        assert r.kind == "cross_agency" and not r.only_years_changed and (r.changes or r.identical)
    f = _flagged(c, "copied_section")
    assert {p[1] for p in planted} <= set(f["file"])


def test_no_honest_pair_is_flagged(synthetic):
    _, manifest, c = synthetic
    planted = _planted_pairs(manifest)
    # copies of copies (2021→2022→2023) make the ends a copy too: allow pairs joined by planted ones
    group = {}

    def find(x):
        while group.get(x, x) != x:
            x = group[x]
        return x

    for a, b in planted:
        group[find(a)] = find(b)
    for a, b, sec in zip(c.copies["source_a"], c.copies["source_b"], c.copies["section"]):
        a, b = _name(a), _name(b)
        assert sec == 5 and find(a) == find(b), (a, b, sec)


def test_real_rewrite_by_one_agency_is_not_a_copy_but_its_copy_with_new_years_is(tmp_path):
    # 平潭综合实验区公安局 2022 (complete/011) and 2024 (complete/009): one skeleton, rewritten text.
    real_2022 = (paths.CORPUS / "complete" / "011.txt").read_text(encoding="utf-8")
    (tmp_path / "copied-2023.txt").write_text(_shift_years(real_2022, +1), encoding="utf-8")
    files = [paths.CORPUS / "complete" / "011.txt", paths.CORPUS / "complete" / "009.txt",
             tmp_path / "copied-2023.txt"]
    c = load_corpus(files, workers=1, check=False, progress=False)
    pairs = {(_name(a), _name(b), s) for a, b, s in zip(c.copies["source_a"], c.copies["source_b"],
                                                          c.copies["section"])}
    assert ("011.txt", "009.txt", 5) not in pairs and ("011.txt", "009.txt", 1) not in pairs
    assert ("011.txt", "copied-2023.txt", 5) in pairs
    row = c.copies[(c.copies["section"] == 5) & (c.copies["source_b"].map(_name) == "copied-2023.txt")].iloc[0]
    assert row["only_years_changed"] and "2022→2023" in list(row["year_changes"])


def test_wording_every_agency_uses_is_boilerplate_not_a_copy():
    # A paragraph all twelve agencies use (the format's stock wording), then a little of their own.
    boiler = ("为深入贯彻落实政府信息公开条例，全面推进决策、执行、管理、服务、结果公开，进一步加强政府信息公开工作的"
              "组织领导，确保各项工作落到实处，不断提升政务公开质量和实效。对照上级部署逐项梳理任务清单，明确责任分工和"
              "完成时限，定期调度工作进展。加强业务培训和督促检查，推动基层政务公开标准化规范化建设，提升公众满意度。"
              "健全信息发布审核机制，做好政策解读和回应关切，持续优化政府网站和政务新媒体栏目设置，方便群众查阅使用。"
              "完善考核评议办法，把政务公开纳入年度绩效考核，形成常态长效的工作机制。")
    pool = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星辰山川河海江湖风雨雷电春夏秋冬东南西北"
    rng = random.Random(5)
    docs = pd.DataFrame([{"report_id": i, "source": f"r{i}", "agency_key": f"agency{i}", "agency": f"机关{i}",
                          "year": 2022, "section": 5, "offset": 0,
                          "text": boiler + "本机关特有的问题：" + "".join(rng.choice(pool) for _ in range(40))}
                         for i in range(12)])
    assert len(find_copies(docs)) == 0
    # without the boilerplate step (nothing is common enough to drop) the same texts look copied
    assert len(find_copies(docs, min_df=10**6)) > 0
    # and a real copy among them is still found
    docs.loc[11, "text"] = docs.loc[3, "text"]
    got = find_copies(docs)
    assert list(zip(got["report_a"], got["report_b"])) == [(3, 11)]


def test_compare_texts_tells_year_tokens_from_other_changes():
    a = "2021年我局存在的问题：一是公开不够及时；二是解读形式单一。2022年将加强培训，开展培训3次。"
    b = "2022年我局存在的问题：一是公开不够及时；二是解读形式单一。2023年将加强培训，开展培训3次。"
    r = compare_texts(a, b, 100, 200, min_span=5)
    assert r["only_years_changed"] and r["year_changes"] == ["2021→2022", "2022→2023"]
    assert all(b[s - 200:e - 200] == a[s0 - 100:e0 - 100] for (s0, e0), (s, e) in zip(r["spans_a"], r["spans_b"]))
    r2 = compare_texts(a, b.replace("3次", "5次"), min_span=5)
    assert not r2["only_years_changed"] and r2["changes"] == ["3→5"] and r2["numbers_only"]
    r3 = compare_texts(a, b.replace("加强培训", "组织学习"), min_span=5)
    assert not r3["numbers_only"] and r3["changes"] == ["加强培训→组织学习"]


# -- output -------------------------------------------------------------------------------------------

def test_parquet_round_trip(synthetic, tmp_path):
    _, _, c = synthetic
    out = c.to_parquet(tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in rkc.TABLES] + ["corpus.json"])
    back = Corpus.read_parquet(out)
    for name in rkc.TABLES:
        a, b = getattr(c, name), getattr(back, name)
        assert a.shape == b.shape and list(a.columns) == list(b.columns), name
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b, check_dtype=False, check_categorical=False,
                                      obj=name)
    assert back.info["reports"] == len(c.reports)
    assert len(back.copies) and [list(map(int, x)) for x in back.copies.iloc[0]["spans_b"]] == \
        [list(x) for x in c.copies.iloc[0]["spans_b"]]


def test_cli_writes_parquet_and_a_summary_line(tmp_path, capsys):
    make_corpus(tmp_path / "in", 12, seed=4, bad_files=3)
    out = tmp_path / "out.parquet"
    # Files that failed make the exit status 2 (the contract of every folder command); the rest is written.
    assert cli.main(["corpus", str(tmp_path / "in"), "-o", str(out), "--workers", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "loaded 9 reports, 3 failed; see " in captured.err
    # the name promises a Parquet file: it is one (the reports table), the other tables beside it
    assert out.is_file() and len(pd.read_parquet(out)) == 9
    assert len(pd.read_parquet(tmp_path / "out.errors.parquet")) == 3
    assert len(Corpus.read_parquet(out).cells) == len(pd.read_parquet(tmp_path / "out.cells.parquet"))
    # a name without .parquet is a folder, one file per table named for the table
    assert cli.main(["corpus", str(tmp_path / "in"), "-o", str(tmp_path / "folder"), "--workers", "1",
                     "--no-copies"]) == 2
    assert len(pd.read_parquet(tmp_path / "folder" / "reports.parquet")) == 9
    assert "parquet" in capsys.readouterr().err


def test_cli_without_output_prints_the_reports_table_and_exits_2_for_a_missing_folder(tmp_path, capsys):
    make_corpus(tmp_path / "in", 6, seed=4, bad_files=0)
    assert cli.main(["corpus", str(tmp_path / "in"), "--workers", "1", "--no-copies"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("source,agency,year,level")
    assert len(captured.out.splitlines()) == 7
    assert cli.main(["corpus", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err

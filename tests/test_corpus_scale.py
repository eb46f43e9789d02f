"""A corpus run that keeps going: repeated real reports, file names that are not UTF-8, files that are not
files or never finish, late stages that fail, and output files that are what their name says."""

from __future__ import annotations

import json
import os
import shutil
import time

import pandas as pd
import pytest

from reportkit import paths
from reportkit.corpus import Corpus, load_corpus
from reportkit.corpus import pool
from reportkit.corpus.copies import detect_copies, find_copies

from .conftest import CORPUS_FILES


@pytest.fixture(scope="module")
def repeated(tmp_path_factory):
    """Every real report of data/corpus saved three times under other names, as archives do."""
    folder = tmp_path_factory.mktemp("repeated")
    for p in CORPUS_FILES:
        for k in range(3):
            shutil.copyfile(p, folder / f"{p.parent.name}-{p.stem}-copy{k}{p.suffix}")
    t0 = time.process_time()
    c = load_corpus(folder, workers=1, overrides=None, progress=False)
    return c, time.process_time() - t0


def test_repeated_real_reports_survive_copy_detection_and_pair_each_copy_with_its_first(repeated):
    c, _ = repeated
    assert c.info["failed_stages"] == [] and not len(c.errors)
    assert len(c.reports) == 3 * len(CORPUS_FILES)
    secs = c.sections[c.sections["number"].isin([1, 5, 6]) & c.sections["text"].notna()]
    text = dict(zip(zip(secs["report_id"], secs["number"]), secs["text"]))
    first = secs.groupby(["number", "text"])["report_id"].transform("min")
    first = dict(zip(zip(secs["report_id"], secs["number"]), first))
    same = c.copies[[text[(a, s)] == text[(b, s)] for a, b, s in
                     zip(c.copies["report_a"], c.copies["report_b"], c.copies["section"])]]
    assert len(same) >= 2 * len(CORPUS_FILES)
    # each repeat is paired with the first of its group only, never with the other repeats
    assert all(first[(b, s)] == a for a, b, s in zip(same["report_a"], same["report_b"], same["section"]))
    assert same["identical"].all()
    assert c.info["copy_stats"]["distinct"] < c.info["copy_stats"]["docs"]


def test_copy_detection_with_unknown_years_names_both_reports():
    text = "本机关今年存在的主要问题是公开内容不够全面，解读形式比较单一，回应关切不够及时。" * 4
    docs = pd.DataFrame({"report_id": [0, 1], "source": ["a.txt", "b.txt"], "agency_key": ["甲", "乙"],
                         "agency": ["甲局", "乙局"], "year": pd.array([None, 2022], dtype="Int64"),
                         "section": [5, 5], "offset": [10, 20], "text": [text, text]})
    got = find_copies(docs)
    assert len(got) == 1 and got.iloc[0]["identical"]

    class C:
        sections = docs.rename(columns={"section": "number", "offset": "body_start"})[
            ["report_id", "source", "number", "text", "body_start"]]
        reports = docs[["report_id", "agency", "agency_key", "year"]]
    copies, found = detect_copies(C())
    assert len(copies) == 1 and sorted(found["source"]) == ["a.txt", "b.txt"]


def test_a_late_stage_that_fails_keeps_the_loaded_reports_and_says_what_failed(tmp_path, monkeypatch):
    for k in range(2):
        shutil.copyfile(paths.SEED_TEXT, tmp_path / f"seed{k}.txt")

    def broken(*a, **k):
        raise TypeError("boolean value of NA is ambiguous")
    monkeypatch.setattr(pool, "detect_copies", broken)
    c = load_corpus(tmp_path, workers=1, overrides=None, progress=False)
    assert len(c.reports) == 2 and c.info["failed_stages"] == ["copies"]
    row = c.errors.iloc[-1]
    assert row["stage"] == "copies" and "TypeError" in row["message"] and "雷同检测" in row["message"]
    assert c.summary() == "loaded 2 reports, 0 failed"


def test_a_file_name_that_is_not_utf8_is_kept_reversibly_in_parquet(tmp_path):
    raw = "朔州市公安局年报".encode("gbk") + b".txt"
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), raw), "wb") as f:
        f.write(paths.SEED_TEXT.read_bytes())
    c = load_corpus(folder, workers=1, overrides=None, progress=False)
    assert len(c.reports) == 1
    c.to_parquet(tmp_path / "out")
    back = pd.read_parquet(tmp_path / "out" / "reports.parquet")
    assert back.loc[0, "file"] == "朔州市公安局年报.txt"           # readable: decoded as GB18030
    # and exact: the bytes the OS gave

    assert os.path.basename(bytes.fromhex(back.loc[0, "source_bytes"])) == raw
    cells = pd.read_parquet(tmp_path / "out" / "cells.parquet")
    assert cells["source"].iloc[0].endswith("朔州市公安局年报.txt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_an_error_row_not_a_hang(tmp_path):
    shutil.copyfile(paths.SEED_TEXT, tmp_path / "seed.txt")
    os.mkfifo(tmp_path / "fifo.txt")
    # A hang would block here: the FIFO is refused before it is opened.
    c = load_corpus([tmp_path / "seed.txt", tmp_path / "fifo.txt"], workers=1, overrides=None, progress=False,
                    copies=False)
    assert len(c.reports) == 1 and list(c.errors["file"]) == ["fifo.txt"]
    assert "not a regular file" in c.errors.iloc[0]["message"]


def test_a_file_that_takes_too_long_becomes_an_error_row(tmp_path, monkeypatch):
    shutil.copyfile(paths.SEED_TEXT, tmp_path / "seed.txt")
    shutil.copyfile(paths.SEED_TEXT, tmp_path / "slow.txt")
    real = pool.load

    def slow(path, **kw):
        if str(path).endswith("slow.txt"):
            time.sleep(30)
        return real(path, **kw)
    monkeypatch.setattr(pool, "load", slow)
    c = load_corpus(tmp_path, workers=1, overrides=None, progress=False, copies=False, timeout=0.5)
    assert len(c.reports) == 1 and list(c.errors["error"]) == ["FileTimeout"]


def test_a_parquet_name_is_a_file_and_a_folder_name_holds_one_file_per_table(tmp_path):
    shutil.copyfile(paths.SEED_TEXT, tmp_path / "seed.txt")
    c = load_corpus(tmp_path / "seed.txt", workers=1, overrides=None, progress=False)
    c.to_parquet(tmp_path / "x.parquet")
    assert (tmp_path / "x.parquet").is_file()
    assert pd.read_parquet(tmp_path / "x.parquet")["file"].tolist() == ["seed.txt"]
    assert len(pd.read_parquet(tmp_path / "x.cells.parquet")) == len(c.cells)
    back = Corpus.read_parquet(tmp_path / "x.parquet")
    assert len(back.facts) == len(c.facts)
    c.to_parquet(tmp_path / "dir")
    assert sorted(p.name for p in (tmp_path / "dir").iterdir()) == sorted(
        [f"{t}.parquet" for t in pool.TABLES] + ["corpus.json"])


# -- streaming ----------------------------------------------------------------------------------------

def _sorted(df, keys):
    # the same order whatever the dtypes (categories sort by category, strings by text)
    return df.sort_values(keys, kind="stable", key=lambda s: s.astype(object).map(
        lambda v: "" if pd.isna(v) else str(v))).reset_index(drop=True)


def _same(a, b, keys):
    a, b = _sorted(a, keys), _sorted(b, keys)
    assert list(a.columns) == list(b.columns) and a.shape == b.shape
    pd.testing.assert_frame_equal(a.astype(object).where(a.notna().values, None),
                                  b.astype(object).where(b.notna().values, None), check_dtype=False)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    from tests.fixtures.synth import make_corpus
    folder = tmp_path_factory.mktemp("streamed")
    make_corpus(folder / "in", 60, seed=11, bad_files=2, copy_share=0.05, cross_copy_share=0.05,
                break_share=0.05, stale_share=0.05)
    for p in CORPUS_FILES[:6]:                                 # real reports too, one of them twice
        shutil.copyfile(p, folder / "in" / f"real-{p.stem}{p.suffix}")
    shutil.copyfile(CORPUS_FILES[0], folder / "in" / f"real-again{CORPUS_FILES[0].suffix}")
    whole = load_corpus(folder / "in", workers=1, overrides=None, progress=False)
    return folder, whole


def test_a_streamed_run_writes_the_same_tables_as_the_in_memory_run(streamed):
    from reportkit.corpus import write_corpus
    folder, whole = streamed
    got = write_corpus(folder / "in", folder / "out", workers=2, overrides=None, progress=False, batch=7)
    assert not (folder / "out.parts").exists()              # parts are removed once the run completes
    back = Corpus.read_parquet(folder / "out")
    _same(whole.reports, back.reports, ["report_id"])
    _same(whole.cells, back.cells, ["report_id", "table", "row_id", "column_id"])
    _same(whole.facts, back.facts, ["report_id", "start", "end"])
    _same(whole.sections, back.sections, ["report_id", "number"])
    _same(whole.findings, back.findings, ["source", "rule", "section", "table", "row", "column", "start"])
    _same(whole.copies, back.copies, ["section", "report_b", "report_a"])
    _same(whole.errors, back.errors, ["source"])
    assert got.info["findings"] == len(whole.findings) and len(got.reports) == len(whole.reports)


def test_an_interrupted_streamed_run_resumes_without_reading_written_files_again(streamed, monkeypatch):
    from reportkit.corpus import stream, write_corpus
    folder, whole = streamed
    real_commit = stream._Parts.commit

    def interrupt(self, part, files):
        real_commit(self, part, files)
        if len(self.parts) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(stream._Parts, "commit", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_corpus(folder / "in", folder / "again.parquet", workers=1, overrides=None, progress=False, batch=5)
    monkeypatch.undo()
    assert (folder / "again.parquet.parts").is_dir() and not (folder / "again.parquet").exists()
    got = write_corpus(folder / "in", folder / "again.parquet", workers=1, overrides=None, progress=False,
                       batch=5, resume=True)
    assert got.info["resumed"] >= 10
    back = Corpus.read_parquet(folder / "again.parquet")
    _same(whole.reports, back.reports, ["report_id"])
    _same(whole.findings, back.findings, ["source", "rule", "section", "table", "row", "column", "start"])
    assert len(back.cells) == len(whole.cells)


def test_analysts_query_the_parquet_files_with_duckdb_as_with_pandas(streamed):
    import duckdb
    from reportkit.corpus import write_corpus
    folder, whole = streamed
    out = folder / "query"
    write_corpus(folder / "in", out, workers=1, overrides=None, progress=False, copies=False)
    sql = f"""
        SELECT r.year, count(*) AS reports, sum(c.value) AS new_requests
        FROM '{out / "reports.parquet"}' r JOIN '{out / "cells.parquet"}' c USING (report_id)
        WHERE c."table" = 'requests' AND c.row_id = 'new' AND c.column_id = 'total' AND r.year IS NOT NULL
        GROUP BY r.year ORDER BY r.year"""
    got = duckdb.sql(sql).df()
    cells = whole.cells[(whole.cells["table"] == "requests") & (whole.cells["row_id"] == "new")
                        & (whole.cells["column_id"] == "total")]
    want = cells.merge(whole.reports[["report_id", "year"]], on="report_id").dropna(subset=["year"])
    want = want.groupby("year").agg(reports=("report_id", "size"), new_requests=("value", "sum")).reset_index()
    assert len(got) >= 2
    assert got["year"].tolist() == want["year"].tolist()
    assert got["reports"].tolist() == want["reports"].tolist()
    assert got["new_requests"].fillna(0).tolist() == want["new_requests"].astype(float).tolist()


# -- copy detection at scale --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_corpus():
    return load_corpus(list(CORPUS_FILES) + [paths.SEED_TEXT], workers=1, overrides=None, progress=False,
                       copies=False)


def _pairs(copies):
    return sorted(zip(copies["section"], copies["source_a"], copies["source_b"]))


def test_small_and_large_bands_find_the_same_real_copies(real_corpus):
    # the mirrors in data/corpus (the same report as text and as a web page) are copies whatever the
    # banding: few rows per band (many candidates) and many rows (few; what a large corpus gets)
    want = _pairs(detect_copies(real_corpus)[0])
    assert len(want) >= 6
    for bands, rows in ((64, 2), (21, 6), (16, 8), (12, 10)):
        got, _ = detect_copies(real_corpus, {"bands": bands, "rows": rows, "auto_bands": False})
        assert _pairs(got) == want, (bands, rows)
        assert set(got.attrs["stats"]["banding"].values()) == {f"{bands}×{rows}"}


def test_copy_detection_from_the_sections_file_matches_the_in_memory_one_on_real_reports(real_corpus, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from reportkit.corpus.copies import detect_copies_parquet
    want, want_found = detect_copies(real_corpus)
    secs = real_corpus.sections.copy()
    secs["source"] = secs["source"].astype(str)
    # small row groups: the texts to verify are read back from several of them
    pq.write_table(pa.Table.from_pandas(secs, preserve_index=False), tmp_path / "sections.parquet",
                   row_group_size=7)
    got, found = detect_copies_parquet(tmp_path / "sections.parquet", real_corpus.reports, spill=tmp_path)
    pd.testing.assert_frame_equal(want.reset_index(drop=True), got.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(want_found.reset_index(drop=True), found.reset_index(drop=True),
                                  check_dtype=False)
    assert list(tmp_path.iterdir()) == [tmp_path / "sections.parquet"]     # the spilled shingles are gone


def test_a_section_whose_buckets_exceed_the_budget_gets_more_rows_per_band_and_says_so(streamed):
    _, whole = streamed
    secs = whole.sections[whole.sections["number"].isin([1, 5, 6]) & whole.sections["text"].notna()]
    docs = secs[["report_id", "source", "number", "text", "body_start"]].merge(
        whole.reports[["report_id", "agency", "agency_key", "year"]], on="report_id").rename(
        columns={"number": "section", "body_start": "offset"})
    default = find_copies(docs)
    # a pair budget below what 32 bands of 4 rows make: rows per band grow until it is met
    budget = default.attrs["stats"]["candidates"] // 4
    tight = find_copies(docs, pair_budget=budget)
    chosen = tight.attrs["stats"]["banding"]
    assert any(int(v.split("×")[1]) > 4 for v in chosen.values())
    assert tight.attrs["stats"]["candidates"] < default.attrs["stats"]["candidates"]
    # the planted copies (years moved on, or another agency's text) are still found
    planted = default[default["section"] == 5]
    assert len(planted) and set(_pairs(planted)) <= set(_pairs(tight))
    # and without the adaptive banding the budget leaves pairs out, counted, never silently
    fixed = find_copies(docs, pair_budget=budget, auto_bands=False)
    assert fixed.attrs["stats"]["skipped_buckets"] + fixed.attrs["stats"]["skipped_candidates"] > 0


def test_the_corpus_command_says_what_the_bounds_of_copy_detection_left_unverified(tmp_path, monkeypatch, capsys):
    from reportkit import cli
    from reportkit.cli import corpus as cli_corpus
    (tmp_path / "in").mkdir()
    for p in CORPUS_FILES:                 # the text and web-page copies of three real reports
        if p.stem in ("001", "002", "003", "102", "103", "107"):
            shutil.copyfile(p, tmp_path / "in" / f"{p.parent.name}-{p.name}")
    real = cli_corpus.write_corpus

    def bounded(*a, **k):               # a pair budget of one and the banding fixed: buckets are left out
        return real(*a, copy_params={"pair_budget": 1, "auto_bands": False}, **k)
    monkeypatch.setattr(cli_corpus, "write_corpus", bounded)
    assert cli.main(["corpus", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "LSH buckets unverified (its bounds)" in err
    info = json.loads((tmp_path / "out" / "corpus.json").read_text(encoding="utf-8"))
    assert info["copy_stats"]["skipped_buckets"] > 0
